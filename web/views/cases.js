// views/cases.js - the cases the user may see (GET /api/cases): the victim's name where the user may
// see it, the assigned caseworker and the last activity; searched by name, case number or
// organisation and filtered by status, stage, risk, assigned worker and opening period on the
// server; sorted by any column; paged with the total ("1–50 of 1,234"); exported as CSV (every page
// of the filter). Everything lives in the URL (#/cases?risk=high&sort=name&page=2), so a list can
// be linked and reloaded.
import { h } from '../dom.js';
import { t, label, loadVocabs, options } from '../i18n.js';
import { api, qs } from '../api.js';
import { Form } from '../forms.js';
import { fmtDate, fmtDateTime, fmtRange, parseDate } from '../format.js';

const PER_PAGE = 50;
const FILTERS = ['q', 'status', 'stage', 'risk', 'assigned', 'from', 'to'];
// the columns: key, label, the server's sort name (null: not sortable)
const COLUMNS = [
	['case', 'cases.col.case', 'case'],
	['victim', 'list.col.victim', 'name'],
	['status', 'cases.col.status', 'status'],
	['stage', 'list.col.stage', 'stage'],
	['risk', 'list.col.risk', 'risk'],
	['assigned', 'list.col.assigned', 'assigned'],
	['opened', 'cases.col.opened', 'opened'],
	['activity', 'list.col.activity', 'activity'],
	['org', 'cases.col.org', 'org'],
];
// orders that read newest or highest first by default
const DESC_FIRST = ['activity', 'opened', 'risk'];

export async function casesView(root, params, query, ctx) {
	const f = {};
	for (const k of FILTERS) f[k] = (query.get(k) || '').trim();
	const sort = query.get('sort') || '';
	const dir = query.get('dir') || '';
	const page = Math.max(1, parseInt(query.get('page') || '1', 10) || 1);
	await loadVocabs(['case_status', 'case_stage', 'risk_level']);
	const args = { ...f, sort, dir, page: page > 1 ? page : '', per_page: PER_PAGE };
	const data = await api('GET', '/cases' + qs(args));

	const form = new Form('filter');
	const assignedOpts = [
		{ code: 'me', label: t('list.assigned.me') },
		{ code: 'none', label: t('list.assigned.none') },
	];
	if (f.assigned && !['me', 'none'].includes(f.assigned)) assignedOpts.push({ code: f.assigned, label: f.assigned });
	const filter = h(
		'form',
		{ class: 'filters', role: 'search', 'aria-label': t('cases.filters'), novalidate: true },
		form.summary,
		form.field('q', t('list.search'), { value: f.q, hint: t('list.searchHint'), type: 'search' }),
		form.field('status', t('cases.status'), { options: options('case_status'), empty: t('cases.anyStatus'), value: f.status }),
		form.field('stage', t('list.col.stage'), { options: options('case_stage'), empty: t('list.anyStage'), value: f.stage }),
		form.field('risk', t('list.col.risk'), {
			options: [...options('risk_level').reverse(), { code: 'none', label: t('list.risk.none') }],
			empty: t('list.anyRisk'),
			value: f.risk,
		}),
		form.field('assigned', t('list.col.assigned'), { options: assignedOpts, empty: t('list.assigned.any'), value: f.assigned }),
		form.field('from', t('list.from'), { value: fmtDate(f.from), hint: t('list.dateHint'), inputmode: 'numeric' }),
		form.field('to', t('list.to'), { value: fmtDate(f.to), hint: t('list.dateHint'), inputmode: 'numeric' }),
		h(
			'div',
			{ class: 'actions' },
			h('button', { type: 'submit' }, t('cases.apply')),
			h('a', { href: '#/cases' }, t('list.clear'))
		)
	);
	filter.addEventListener('submit', (e) => {
		e.preventDefault();
		const next = { sort, dir };
		for (const k of FILTERS) next[k] = form.value(k).trim();
		for (const k of ['from', 'to']) {
			const r = parseDate(next[k]);
			if (r.error) return form.showError(r.error, k);
			next[k] = r.iso;
		}
		ctx.navigate('#/cases' + qs(next));
	});

	const cases = data.cases || [];
	const total = data.total || 0;
	const pages = Math.max(1, Math.ceil(total / (data.per_page || PER_PAGE)));
	const link = (over) => '#/cases' + qs({ ...f, sort, dir, ...over });
	const csv = '/api/cases' + qs({ ...f, sort, dir, format: 'csv' });

	root.append(
		h(
			'div',
			{ class: 'title-row' },
			h('h1', {}, t('cases.title')),
			h('div', { class: 'row-actions' }, h('a', { class: 'button', href: '#/cases/new' }, t('nav.new')))
		),
		filter
	);
	const range = fmtRange(page, data.per_page || PER_PAGE, total, cases.length);
	root.append(
		h(
			'div',
			{ class: 'list-head' },
			h('p', { class: 'count', role: 'status' }, range),
			total ? h('a', { class: 'button secondary', href: csv, download: 'cases.csv' }, t('list.csv')) : null
		)
	);
	if (!cases.length) {
		root.append(h('p', { class: 'empty' }, t('cases.none')));
		return;
	}
	const current = sort || 'activity';
	const currentDesc = dir ? dir === 'desc' : DESC_FIRST.includes(current);
	const header = ([key, lab, s]) => {
		if (!s) return h('th', { scope: 'col' }, t(lab));
		const on = current === s;
		const nextDir = on ? (currentDesc ? 'asc' : 'desc') : DESC_FIRST.includes(s) ? 'desc' : 'asc';
		return h(
			'th',
			{ scope: 'col', 'aria-sort': on ? (currentDesc ? 'descending' : 'ascending') : null, 'data-col': key },
			h(
				'a',
				{ href: link({ sort: s, dir: nextDir, page: '' }), class: 'sort', title: t('list.sortBy', { col: t(lab) }) },
				t(lab),
				on ? h('span', { 'aria-hidden': 'true' }, currentDesc ? ' ▼' : ' ▲') : null
			)
		);
	};
	const cell = (key, c) => {
		const lab = t(COLUMNS.find((x) => x[0] === key)[1]);
		const td = (...kids) => h('td', { 'data-label': lab }, ...kids);
		switch (key) {
			case 'case':
				return td(h('a', { href: `#/cases/${c.id}` }, c.src_CaseId || t('case.number', { id: c.id })));
			case 'victim':
				if (c.victim && c.victim.name) return td(c.victim.name);
				if (c.victim && c.victim.redacted) return td(h('span', { class: 'hidden-value' }, t('list.identityHidden')));
				return td(h('span', { class: 'missing' }, t('list.noVictim')));
			case 'status':
				return td(c.cas_Status ? label('case_status', c.cas_Status) : '');
			case 'stage':
				return td(c.stage ? label('case_stage', c.stage) : '');
			case 'risk':
				return td(c.risk ? h('span', { class: 'risk risk-' + c.risk }, label('risk_level', c.risk)) : '', c.followup_overdue ? h('span', { class: 'tag warn' }, t('list.overdue', { n: c.followup_overdue })) : null);
			case 'assigned':
				return td(c.assigned || '');
			case 'opened':
				return td(fmtDate(c.ctip_CaseOpenedDate));
			case 'activity':
				return td(fmtDateTime(c.activity));
			case 'org':
				return td(c.org || '', c.access === 'referral' ? h('span', { class: 'tag' }, t('access.referral')) : null);
		}
		return td('');
	};
	root.append(
		h(
			'table',
			{ class: 'list stack cases' },
			h('caption', { class: 'visually-hidden' }, t('cases.title') + ': ' + range),
			h('thead', {}, h('tr', {}, COLUMNS.map(header))),
			h(
				'tbody',
				{},
				cases.map((c) => h('tr', {}, COLUMNS.map(([key]) => cell(key, c))))
			)
		)
	);
	root.append(pager(page, pages, (p) => link({ page: p > 1 ? p : '' })));
}

export function pager(page, pages, link) {
	return h(
		'nav',
		{ class: 'pager', 'aria-label': t('pager.label') },
		page > 1 ? h('a', { href: link(page - 1), rel: 'prev' }, t('pager.prev')) : null,
		h('span', {}, t('pager.page', { page, pages })),
		page < pages ? h('a', { href: link(page + 1), rel: 'next' }, t('pager.next')) : null
	);
}

/* Lower case without diacritics (đ too), for matching. */
export function fold(s) {
	return String(s)
		.normalize('NFD')
		.replace(/[\u0300-\u036f]/g, '')
		.replace(/đ/g, 'd')
		.replace(/Đ/g, 'd')
		.toLowerCase();
}
