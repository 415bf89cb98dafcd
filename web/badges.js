// badges.js - the counts shown in the navigation: referrals received and not yet opened on the
// inbox link (GET /api/referrals/unread). Refreshed with every page and after a referral is read.
import { api } from './api.js';
import { h } from './dom.js';
import { t } from './i18n.js';

let seq = 0;

export async function refreshBadges() {
	const link = document.querySelector('#nav a[href="#/inbox"]');
	if (!link) return;
	const mine = ++seq;
	let n = 0;
	try {
		n = (await api('GET', '/referrals/unread')).unread || 0;
	} catch (e) {
		return; // the count is a help, not a page: leave the link as it is
	}
	if (mine !== seq || !link.isConnected) return;
	const old = link.querySelector('.badge');
	if (old) old.remove();
	if (n > 0) link.append(' ', h('span', { class: 'badge' }, h('span', { 'aria-hidden': 'true' }, String(n)), h('span', { class: 'visually-hidden' }, t('nav.unread', { n }))));
}
