// views/home.js - the caseworker's home page (GET /api/home, one request): my open cases,
// follow-up contacts overdue and due within two weeks, new referrals, high-risk cases and
// approvals waiting, each with its count and a link to the whole list.
import { h } from '../dom.js';
import { t, label, loadVocabs } from '../i18n.js';
import { api } from '../api.js';
import { fmtDate, fmtDateTime, fmtNum } from '../format.js';

export async function homeView(root, params, query, ctx) {
	await loadVocabs(['case_stage', 'risk_level', 'case_status']);
	const data = await api('GET', '/home');
	const c = data.counts || {};
	root.append(h('h1', {}, t('home.title', { user: ctx.me.username })));
	root.append(
		h(
			'ul',
			{ class: 'tiles', 'aria-label': t('home.summary') },
			tile('#/cases?assigned=me', c.my_cases, 'home.myCases'),
			tile('#/followups?overdue=1', c.followups_overdue, 'home.overdue', c.followups_overdue > 0),
			tile('#/followups', c.followups_due, 'home.due'),
			tile('#/inbox', c.referrals_new, 'home.referrals', c.referrals_new > 0),
			tile('#/cases?risk=high', c.high_risk, 'home.highRisk', c.high_risk > 0),
			tile('#/cases', c.approvals, ctx.me.role === 'supervisor' ? 'home.approvalsSup' : 'home.approvals')
		)
	);
	const caseRow = (x) =>
		h(
			'li',
			{},
			h('a', { href: `#/cases/${x.id}` }, x.src_CaseId || t('case.number', { id: x.id })),
			' · ',
			x.victim && x.victim.name ? x.victim.name : h('span', { class: 'hidden-value' }, x.victim ? t('list.identityHidden') : t('list.noVictim')),
			h('span', { class: 'meta' }, ' · ', label('case_stage', x.stage), x.risk ? ' · ' + label('risk_level', x.risk) : '', x.activity ? ' · ' + fmtDateTime(x.activity) : '')
		);
	const section = (titleKey, count, items, render, more) =>
		h(
			'section',
			{ class: 'home-section card' },
			h('h2', {}, t(titleKey), ' ', h('span', { class: 'count-badge' }, fmtNum(count || 0))),
			items && items.length ? h('ul', { class: 'plain' }, items.map(render)) : h('p', { class: 'empty' }, t('home.nothing')),
			more && count > (items ? items.length : 0) ? h('p', {}, h('a', { href: more }, t('home.all', { n: fmtNum(count) }))) : null
		);
	root.append(
		h(
			'div',
			{ class: 'home-grid' },
			section('home.myCases', c.my_cases, data.my_cases, caseRow, '#/cases?assigned=me'),
			section(
				'home.followups',
				(c.followups_overdue || 0) + (c.followups_due || 0),
				data.followups,
				(d) =>
					h(
						'li',
						{ class: d.due < data.today ? 'overdue' : null },
						h('a', { href: `#/cases/${d.case_id}/work` }, d.src_CaseId || t('case.number', { id: d.case_id })),
						' · ',
						t('home.dueOn', { date: fmtDate(d.due) }),
						d.due < data.today ? h('strong', {}, ' · ', t('home.isOverdue')) : null
					),
				'#/followups'
			),
			section(
				'home.referrals',
				c.referrals_new,
				data.referrals,
				(r) => h('li', {}, h('a', { href: '#/inbox' }, t('home.referralFrom', { org: r.from_org })), h('span', { class: 'meta' }, ' · ', fmtDate(r.date))),
				'#/inbox'
			),
			section('home.highRisk', c.high_risk, data.high_risk, caseRow, '#/cases?risk=high'),
			section(
				ctx.me.role === 'supervisor' ? 'home.approvalsSup' : 'home.approvals',
				c.approvals,
				data.approvals,
				(a) =>
					h(
						'li',
						{},
						h('a', { href: `#/cases/${a.case_id}/work` }, t('case.number', { id: a.case_id })),
						' · ',
						t('home.kind.' + (a.kind === 'close' ? 'close' : 'plan')),
						h('span', { class: 'meta' }, ' · ', a.requested_by, ' · ', fmtDateTime(a.requested_at))
					)
			)
		)
	);
}

function tile(href, n, key, alert) {
	return h(
		'li',
		{ class: alert ? 'tile alert' : 'tile' },
		h('a', { href }, h('span', { class: 'tile-n' }, fmtNum(n || 0)), h('span', { class: 'tile-label' }, t(key)))
	);
}
