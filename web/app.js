// app.js - the single-page application: session, language, navigation bar and hash routing
// (#/cases, #/cases/7, #/cases/new, #/cases/7/edit, #/search, #/inbox, #/account, #/login).
// Each view renders into a detached element that replaces <main> when ready; focus then moves to
// the page's heading so screen-reader and keyboard users know where they are.
import { api, setCsrf, setUnauthorizedHandler } from './api.js';
import { h, clear } from './dom.js';
import { t, setLang, preferredLang, currentLang } from './i18n.js';
import { loginView } from './views/login.js';
import { casesView } from './views/cases.js';
import { homeView } from './views/home.js';
import { fmtNum } from './format.js';
import { caseView } from './views/case.js';
import { caseNewView } from './views/case_new.js';
import { caseEditView } from './views/case_edit.js';
import { searchView } from './views/search.js';
import { inboxView } from './views/inbox.js';
import { accountView } from './views/account.js';
import { messageView } from './views/message.js';
import { auditView } from './views/audit.js';
import { statsView } from './views/stats.js';
import { releasesView } from './views/releases.js';
import { linkReviewView, linkPairView } from './views/link.js';
import { workView } from './views/work.js';
import { followupsView } from './views/followups.js';
import { contactsView } from './views/contacts.js';
import { refreshBadges } from './badges.js';
import { accountsView } from './views/accounts.js';
import { commsView, commView } from './views/comms.js';
import { companiesView, companyView } from './views/companies.js';

const ROUTES = [
	[/^\/login$/, loginView, false],
	[/^\/home$/, homeView, true],
	[/^\/cases$/, casesView, true],
	[/^\/cases\/new$/, caseNewView, true],
	[/^\/cases\/(\d+)$/, caseView, true],
	[/^\/cases\/(\d+)\/edit$/, caseEditView, true],
	[/^\/cases\/(\d+)\/work$/, workView, true],
	[/^\/followups$/, followupsView, true],
	[/^\/contacts$/, contactsView, true],
	[/^\/comms$/, commsView, true],
	[/^\/comms\/(\d+)$/, commView, true],
	[/^\/search$/, searchView, true],
	[/^\/inbox$/, inboxView, true],
	[/^\/account$/, accountView, true],
	[/^\/admin\/accounts$/, accountsView, true],
	[/^\/audit$/, auditView, true],
	[/^\/stats$/, statsView, true],
	[/^\/releases$/, releasesView, true],
	[/^\/link$/, linkReviewView, true],
	[/^\/link\/(\d+)\/(\d+)$/, linkPairView, true],
	[/^\/companies$/, companiesView, true],
	[/^\/companies\/(\d+)$/, companyView, true],
];

const NAV = [
	['#/home', 'nav.home', true],
	['#/cases', 'nav.cases', true],
	['#/cases/new', 'nav.new', true],
	['#/search', 'nav.search', true],
	['#/inbox', 'nav.inbox', true],
	['#/followups', 'nav.followups', true],
	['#/contacts', 'nav.contacts', true],
	['#/audit', 'nav.audit', 'audit'],
	['#/stats', 'nav.stats', 'stats'],
	['#/releases', 'nav.releases', 'releases'],
	['#/link', 'nav.link', 'link'],
	['#/admin/accounts', 'nav.accounts', 'admin'],
	['#/comms', 'nav.comms', 'comms'],
	['#/companies', 'nav.companies', false],
	['#/account', 'nav.account', false],
];
// Roles that work on cases; the others (analyst, auditor, admin) get 403 from every case endpoint.
const CASE_ROLES = ['caseworker', 'supervisor'];
const AUDIT_ROLES = ['auditor', 'supervisor'];
// Statistics (GET /api/stats): suppressed tables for these roles, raw counts for analysts only.
const STATS_ROLES = ['analyst', 'supervisor', 'admin'];
// Releases (docs/RELEASE.md): analysts make and download them, auditors read the ledger.
const RELEASE_ROLES = ['analyst', 'auditor'];
// The communications tracker (docs/COMMS.md): every role but the caseworker's.
const COMMS_ROLES = ['supervisor', 'analyst', 'admin', 'auditor'];

function firstPage() {
	if (worksOnCases()) return '#/home';
	if (state.me && state.me.role === 'analyst') return '#/stats';
	if (state.me && state.me.role === 'admin') return '#/admin/accounts';
	return state.me && state.me.role === 'auditor' ? '#/audit' : '#/account';
}

function worksOnCases() {
	return state.me && CASE_ROLES.includes(state.me.role);
}

const state = { me: null, flash: null, afterLogin: null };
let renderSeq = 0;

function parseHash() {
	const raw = location.hash.replace(/^#/, '') || '/home';
	const [path, query] = raw.split('?');
	return { path, query: new URLSearchParams(query || '') };
}

/* Unsaved changes: a form marked data-guard that was typed in makes leaving the page (another
   route, a reload, closing the tab) ask first; a form saved leaves through navigate(), which
   clears the mark. */
let dirty = false;
let shownHash = location.hash;
let restoring = false;

export function navigate(hash, flash) {
	dirty = false;
	if (flash) state.flash = flash;
	if (location.hash === hash) route();
	else location.hash = hash;
	shownHash = hash;
}

const ctx = {
	get me() {
		return state.me;
	},
	navigate,
	signedIn(me) {
		state.me = me;
		setCsrf(me.csrf_token);
		const next = state.afterLogin || firstPage();
		state.afterLogin = null;
		renderChrome();
		navigate(next);
	},
	signedOut() {
		state.me = null;
		setCsrf(null);
		renderChrome();
		navigate('#/login');
	},
};

function renderChrome() {
	document.title = t('app.title');
	document.getElementById('brand').textContent = t('app.name');
	document.getElementById('skip-link').textContent = t('app.skip');
	document.getElementById('lang-label').textContent = t('lang.label');
	const select = document.getElementById('lang-select');
	for (const o of select.options) o.textContent = t('lang.' + o.value);
	select.value = currentLang();
	const nav = clear(document.getElementById('nav'));
	nav.setAttribute('aria-label', t('nav.label'));
	if (!state.me) return;
	const { path } = parseHash();
	const ul = h('ul');
	for (const [href, key, cases] of NAV) {
		if (cases === true && !worksOnCases()) continue;
		if (cases === 'audit' && !(state.me && AUDIT_ROLES.includes(state.me.role))) continue;
		if (cases === 'stats' && !(state.me && STATS_ROLES.includes(state.me.role))) continue;
		if (cases === 'link' && !(state.me && state.me.role === 'supervisor')) continue;
		if (cases === 'admin' && !(state.me && state.me.role === 'admin')) continue;
		if (cases === 'releases' && !(state.me && RELEASE_ROLES.includes(state.me.role))) continue;
		if (cases === 'comms' && !(state.me && COMMS_ROLES.includes(state.me.role))) continue;
		const active = '#' + path === href || (href === '#/cases' && /^\/cases\/\d+/.test(path)) || (href === '#/link' && /^\/link\//.test(path)) || (href === '#/comms' && /^\/comms\//.test(path)) || (href === '#/companies' && /^\/companies\//.test(path));
		const badge = BADGES[href] ? h('span', { class: 'nav-count', 'data-count': BADGES[href].join(' '), hidden: true }) : null;
		// the count beside the link, not in it: the link keeps its name ("Referral inbox")
		ul.append(h('li', {}, h('a', { href, 'aria-current': active ? 'page' : null }, t(key)), badge));
	}
	ul.append(h('li', { class: 'who' }, h('span', {}, t('nav.who', { user: state.me.username, org: state.me.org }))));
	nav.append(ul);
	if (worksOnCases()) {
		menuCounts(nav);
		refreshBadges(); // the inbox's unread referrals (badges.js)
	}
}

// The menu's counts (GET /api/home?counts=1: counts only, no names): what waits for the user.
const BADGES = {
	'#/home': ['followups_overdue', 'referrals_new', 'approvals'],
	'#/followups': ['followups_overdue'],
};
let countsSeq = 0;
async function menuCounts(nav) {
	const seq = ++countsSeq;
	let data;
	try {
		data = await api('GET', '/home?counts=1');
	} catch (e) {
		return; // the menu works without its counts
	}
	if (seq !== countsSeq || !data || !data.counts) return;
	for (const el of nav.querySelectorAll('.nav-count')) {
		const n = el.dataset.count.split(' ').reduce((a, k) => a + (data.counts[k] || 0), 0);
		el.hidden = !n;
		el.textContent = fmtNum(n);
		el.setAttribute('title', t('nav.countLabel', { n }));
	}
}

async function route(keepFocus) {
	const seq = ++renderSeq;
	shownHash = location.hash;
	const { path, query } = parseHash();
	let view = null;
	let params = [];
	let needsLogin = true;
	for (const [re, v, auth] of ROUTES) {
		const m = path.match(re);
		if (m) {
			view = v;
			params = m.slice(1);
			needsLogin = auth;
			break;
		}
	}
	if (needsLogin && !state.me) {
		// Back to the page asked for after signing in; none for the bare address (role decides).
		state.afterLogin = location.hash && location.hash !== '#/login' ? location.hash : null;
		if (path !== '/login') {
			location.replace('#/login');
			return;
		}
	}
	if ((path === '/login' || !location.hash) && state.me) {
		location.replace(firstPage());
		return;
	}
	renderChrome();
	const main = document.getElementById('main');
	main.setAttribute('aria-busy', 'true');
	const target = h('div', { class: 'view' });
	const flash = state.flash;
	state.flash = null;
	if (flash) target.append(h('p', { class: 'flash', role: 'status' }, flash));
	try {
		if (!view) await messageView(target, [t('error.notfound.title'), t('error.nopage')]);
		else await view(target, params, query, ctx);
	} catch (err) {
		if (seq !== renderSeq) return;
		clear(target);
		await messageView(target, errorPage(err));
	}
	if (seq !== renderSeq) return; // a later navigation won
	clear(main).append(target);
	main.removeAttribute('aria-busy');
	const heading = main.querySelector('h1');
	document.title = heading ? `${heading.textContent} – ${t('app.title')}` : t('app.title');
	if (heading && !keepFocus) {
		heading.setAttribute('tabindex', '-1');
		heading.focus();
	}
}

function errorPage(err) {
	if (err && err.status === 404) return [t('error.notfound.title'), t('error.notfound')];
	if (err && err.status === 403) return [t('error.forbidden.title'), t('error.forbidden')];
	if (err && err.status === 0) return [t('error.title'), t('error.network')];
	return [t('error.title'), (err && err.message) || t('error.server')];
}

async function start() {
	await setLang(preferredLang());
	const loading = document.getElementById('loading');
	if (loading) loading.textContent = t('app.loading');
	document.getElementById('lang-select').addEventListener('change', async (e) => {
		await setLang(e.target.value);
		route(true);
	});
	setUnauthorizedHandler(() => {
		if (!state.me) return;
		state.me = null;
		setCsrf(null);
		state.flash = t('login.expired');
		state.afterLogin = location.hash;
		location.replace('#/login');
	});
	try {
		const me = await api('GET', '/me');
		state.me = me;
		setCsrf(me.csrf_token);
	} catch (e) {
		state.me = null;
	}
	document.addEventListener('input', (e) => {
		if (e.target.closest && e.target.closest('#main form[data-guard]')) dirty = true;
	});
	document.addEventListener('change', (e) => {
		if (e.target.closest && e.target.closest('#main form[data-guard]')) dirty = true;
	});
	// a printed case holds every stage's section, closed ones too
	window.addEventListener('beforeprint', () => document.querySelectorAll('#main details').forEach((d) => (d.open = true)));
	window.addEventListener('beforeunload', (e) => {
		if (!dirty) return;
		e.preventDefault();
		e.returnValue = '';
	});
	window.addEventListener('hashchange', () => {
		if (restoring) {
			restoring = false;
			return;
		}
		if (dirty && !window.confirm(t('common.unsaved'))) {
			restoring = true; // back to the page with the changes, without showing it again
			location.hash = shownHash;
			return;
		}
		dirty = false;
		shownHash = location.hash;
		route();
	});
	route();
}

start();
