// views/inbox.js - referrals sent to the user's organisation (GET /api/referrals?box=in), to open,
// accept, decline or mark completed (PATCH /api/referrals/{id}); and those it sent (box=out), to
// withdraw (the states and who moves them: docs/API.md, Referrals).
import { h } from '../dom.js';
import { t, loadVocabs, label } from '../i18n.js';
import { api } from '../api.js';
import { errorText } from '../forms.js';
import { fmtDate } from '../format.js';
import { refreshBadges } from '../badges.js';

// What the receiver may answer to a referral in each status.
const NEXT = {
	Pending: [
		['Accepted', 'inbox.accept'],
		['Declined', 'inbox.decline'],
	],
	Accepted: [['Completed', 'inbox.complete']],
};
// What the referring organisation may do: withdraw a referral that is not final.
const NEXT_OUT = {
	Pending: [['Withdrawn', 'inbox.withdraw']],
	Accepted: [['Withdrawn', 'inbox.withdraw']],
	Completed: [['Withdrawn', 'inbox.withdraw']],
};

export async function inboxView(root, params, query, ctx) {
	const box = query.get('box') === 'out' ? 'out' : 'in';
	const [data] = await Promise.all([api('GET', '/referrals?box=' + box), loadVocabs(['referral_status', 'referral_reason'])]);
	const refs = data.referrals || [];
	const status = h('p', { role: 'alert', class: 'error-summary', hidden: true });
	root.append(
		h('h1', {}, t(box === 'in' ? 'inbox.title' : 'inbox.outTitle')),
		h(
			'nav',
			{ class: 'tabs', 'aria-label': t('inbox.boxes') },
			h('a', { href: '#/inbox', 'aria-current': box === 'in' ? 'page' : null }, t('inbox.in')),
			h('a', { href: '#/inbox?box=out', 'aria-current': box === 'out' ? 'page' : null }, t('inbox.out'))
		),
		status
	);
	if (!refs.length) {
		root.append(h('p', { class: 'empty' }, t(box === 'in' ? 'inbox.none' : 'inbox.noneOut')));
		return;
	}

	const answer = (r, next, key) =>
		h(
			'button',
			{
				type: 'button',
				class: next === 'Declined' || next === 'Withdrawn' ? 'secondary' : null,
				'aria-label': t(key + 'Case', { id: r.case_id }),
				onclick: async () => {
					try {
						await api('PATCH', `/referrals/${r.id}`, { status: next });
						ctx.navigate(box === 'in' ? '#/inbox' : '#/inbox?box=out', t('inbox.changed', { id: r.case_id, status: label('referral_status', next) }));
					} catch (err) {
						status.textContent = errorText(err);
						status.hidden = false;
						status.focus();
					}
				},
			},
			t(key)
		);

	const cols = ['inbox.col.case', box === 'in' ? 'inbox.col.from' : 'inbox.col.to', 'inbox.col.date', 'inbox.col.reason', 'inbox.col.status'];
	cols.push('inbox.col.action');
	root.append(
		h(
			'table',
			{ class: 'list' },
			h('thead', {}, h('tr', {}, cols.map((k) => h('th', { scope: 'col' }, t(k))))),
			h(
				'tbody',
				{},
				refs.map((r) => {
					// a declined or withdrawn referral no longer shows the case to the receiver
					const open = !(box === 'in' && (r.status === 'Declined' || r.status === 'Withdrawn'));
					const next = ((box === 'in' ? NEXT : NEXT_OUT)[r.status || 'Pending'] || []);
					return h(
						'tr',
						{},
						h(
							'td',
							{},
							box === 'in' && r.unread ? [h('strong', { class: 'tag new' }, t('inbox.new')), ' '] : null,
							open
								? h(
										'a',
										{
											href: `#/cases/${r.case_id}`,
											// opening it is reading it: the inbox's count goes down (POST .../read)
											onclick: box === 'in' && r.unread ? (ev) => markRead(ev, r, ctx) : null,
										},
										t('inbox.openCase', { id: r.case_id })
								  )
								: t('case.number', { id: r.case_id })
						),
						h('td', {}, box === 'in' ? r.from_org : r.to_org),
						h('td', {}, fmtDate(r.date)),
						h(
							'td',
							{},
							r.reason ? label('referral_reason', r.reason) : '',
							r.note ? h('p', { class: 'note' }, h('span', { class: 'visually-hidden' }, t('referral.note') + ': '), r.note) : null
						),
						h('td', {}, r.status ? label('referral_status', r.status) : ''),
						r.id ? h('td', { class: 'row-actions' }, next.map(([to, key]) => answer(r, to, key))) : h('td')
					);
				})
			)
		)
	);
}

async function markRead(ev, r, ctx) {
	ev.preventDefault();
	try {
		await api('POST', `/referrals/${r.id}/read`, {});
	} catch (e) {
		/* reading the case matters more than the count */
	}
	refreshBadges();
	ctx.navigate(`#/cases/${r.case_id}`);
}
