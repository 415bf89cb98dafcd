// views/audit.js - the audit log (GET /api/audit): for auditors the whole log, for supervisors
// their organisation's records one at a time; filtered by person record, user, action and
// period, newest first, a page at a time with the total, exported as CSV; actions, records and
// details written out in words (labels, not codes).
import { h } from '../dom.js';
import { t, has } from '../i18n.js';
import { api, qs } from '../api.js';
import { Form, errorText } from '../forms.js';
import { fmtDate, fmtDateTime, fmtRange, parseDate } from '../format.js';
import { pager } from './cases.js';

const PER_PAGE = 50;
// the actions the filter offers (others still show, by their label or code)
const ACTIONS = [
	'view', 'search_hit', 'export_records', 'create', 'update', 'refer', 'referral_status', 'case_assign', 'case_stage',
	'approval_request', 'approval_approve', 'approval_reject', 'assess', 'followup_plan', 'followup_record',
	'contact_add', 'contact_convert', 'link_explain', 'link_decide', 'release-download', 'stats-raw', 'login',
	'login_failed', 'logout',
];

export function actionLabel(a) {
	return has('audit.action.' + a) ? t('audit.action.' + a) : a || '';
}

/* A record named by an entry, as a link where there is a page for it. */
function objectCell(o) {
	const m = /^([PCHR])(\d+)$/.exec(o || '');
	if (!m) return o || '';
	const text = t('audit.obj.' + m[1], { id: m[2] });
	if (m[1] === 'P') return h('a', { href: '#/audit' + qs({ person: m[2] }), title: t('audit.objTitle', { id: m[2] }) }, text);
	if (m[1] === 'C') return h('a', { href: `#/cases/${m[2]}` }, text);
	return text;
}

/* A detail in words: the list a name was shown on, a case, or the text as written. */
function detailCell(d) {
	if (!d) return '';
	if (has('audit.detail.' + d)) return t('audit.detail.' + d);
	const m = /^C(\d+)$/.exec(d);
	if (m) return h('a', { href: `#/cases/${m[1]}` }, t('audit.obj.C', { id: m[1] }));
	return d.split(',').map((x) => (has('audit.field.' + x) ? t('audit.field.' + x) : x)).join(', ');
}

export async function auditView(root, params, query, ctx) {
	const person = (query.get('person') || '').replace(/^P/i, '');
	const user = query.get('user') || '';
	const action = query.get('action') || '';
	const from = query.get('from') || '';
	const to = query.get('to') || '';
	const page = Math.max(1, parseInt(query.get('page') || '1', 10) || 1);
	const form = new Form('audit');
	const actionOpts = ACTIONS.map((a) => ({ code: a, label: actionLabel(a) }));
	if (action && !ACTIONS.includes(action)) actionOpts.push({ code: action, label: actionLabel(action) });
	const el = h(
		'form',
		{ class: 'filters', role: 'search', 'aria-label': t('audit.title'), novalidate: true },
		form.summary,
		form.field('person', t('audit.person'), { value: person, hint: t('audit.personHint'), inputmode: 'numeric' }),
		form.field('user', t('audit.user'), { value: user, hint: t('audit.userHint') }),
		form.field('action', t('audit.col.action'), { options: actionOpts, empty: t('audit.anyAction'), value: action }),
		form.field('from', t('list.from'), { value: fmtDate(from), hint: t('list.dateHint'), inputmode: 'numeric' }),
		form.field('to', t('list.to'), { value: fmtDate(to), hint: t('list.dateHint'), inputmode: 'numeric' }),
		h('div', { class: 'actions' }, h('button', { type: 'submit' }, t('audit.submit')), h('a', { href: '#/audit' }, t('list.clear')))
	);
	el.addEventListener('submit', (e) => {
		e.preventDefault();
		const v = form.value('person').trim().replace(/^P/i, '');
		if (v && !/^\d+$/.test(v)) return form.showError(t('audit.badPerson'), 'person');
		const next = { person: v, user: form.value('user').trim(), action: form.value('action') };
		for (const k of ['from', 'to']) {
			const r = parseDate(form.value(k));
			if (r.error) return form.showError(r.error, k);
			next[k] = r.iso;
		}
		ctx.navigate('#/audit' + qs(next));
	});
	root.append(h('h1', {}, person ? t('audit.titlePerson', { id: person }) : t('audit.title')), el);
	if (!person && ctx.me.role !== 'auditor') {
		root.append(h('p', { class: 'hint' }, t('audit.supervisorHint')));
		return;
	}
	const args = { person, user, action, from, to, page, per_page: PER_PAGE };
	let data;
	try {
		data = await api('GET', '/audit' + qs(args));
	} catch (err) {
		form.showError(errorText(err), ['person', 'user', 'action', 'from', 'to'].includes(err.field) ? err.field : null);
		return;
	}
	const entries = data.entries || [];
	const total = data.total ?? entries.length;
	const range = fmtRange(page, PER_PAGE, total, entries.length);
	const csv = '/api/audit' + qs({ person, user, action, from, to, format: 'csv' });
	root.append(
		h(
			'div',
			{ class: 'list-head' },
			h('p', { role: 'status', class: 'count' }, entries.length ? range : t('audit.none')),
			total ? h('a', { class: 'button secondary', href: csv, download: 'audit.csv' }, t('list.csv')) : null
		)
	);
	if (!entries.length) return;
	const cols = ['audit.col.at', 'audit.col.actor', 'audit.col.action', 'audit.col.object', 'audit.col.detail'];
	root.append(
		h(
			'table',
			{ class: 'list stack audit' },
			h('caption', { class: 'visually-hidden' }, t('audit.title') + ': ' + range),
			h('thead', {}, h('tr', {}, cols.map((k) => h('th', { scope: 'col' }, t(k))))),
			h(
				'tbody',
				{},
				entries.map((e) =>
					h(
						'tr',
						{},
						h('td', { 'data-label': t(cols[0]) }, fmtDateTime(e.at)),
						h('td', { 'data-label': t(cols[1]) }, e.actor ? h('a', { href: '#/audit' + qs({ user: e.actor, person }) }, e.actor) : ''),
						h('td', { 'data-label': t(cols[2]) }, actionLabel(e.action)),
						h('td', { 'data-label': t(cols[3]) }, objectCell(e.object)),
						h('td', { 'data-label': t(cols[4]) }, detailCell(e.detail))
					)
				)
			)
		)
	);
	const pages = Math.max(1, Math.ceil(total / PER_PAGE));
	root.append(pager(page, pages, (p) => '#/audit' + qs({ person, user, action, from, to, page: p > 1 ? p : '' })));
}
