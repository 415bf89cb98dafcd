// views/search.js - find a person by name, birth year, document or phone, with or without
// diacritics (GET /api/search?q=), among the records the user may see: a list like the case
// list (issue 14): filtered by province, organisation and birth year on the server, sorted by
// any column, paged with the total ("1–50 of 120"), exported as CSV (every page). Everything
// lives in the URL (#/search?q=lan&sort=birth&page=2).
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { api, qs } from '../api.js';
import { Form, errorText } from '../forms.js';
import { fmtNum, fmtRange } from '../format.js';
import { pager } from './cases.js';

const PER_PAGE = 50;
const FILTERS = ['province', 'org', 'born_from', 'born_to'];
// the columns: key, label, the server's sort name (null: not sortable)
const COLUMNS = [
	['name', 'search.col.name', 'name'],
	['birth', 'search.col.birth', 'birth'],
	['province', 'search.col.province', 'province'],
	['org', 'cases.col.org', 'org'],
	['cases', 'search.col.cases', null],
];

export async function searchView(root, params, query, ctx) {
	const q = (query.get('q') || '').trim();
	const f = {};
	for (const k of FILTERS) f[k] = (query.get(k) || '').trim();
	const sort = query.get('sort') || '';
	const dir = query.get('dir') || '';
	const page = Math.max(1, parseInt(query.get('page') || '1', 10) || 1);
	const form = new Form('search');
	const el = h(
		'form',
		{ class: 'filters', role: 'search', 'aria-label': t('search.title'), novalidate: true },
		form.summary,
		form.field('q', t('search.query'), { value: q, hint: t('search.hint'), type: 'search' }),
		form.field('province', t('search.col.province'), { value: f.province }),
		form.field('org', t('cases.col.org'), { value: f.org }),
		form.field('born_from', t('search.bornFrom'), { value: f.born_from, inputmode: 'numeric', hint: t('search.yearHint') }),
		form.field('born_to', t('search.bornTo'), { value: f.born_to, inputmode: 'numeric' }),
		h('div', { class: 'actions' }, h('button', { type: 'submit' }, t('search.submit')), q ? h('a', { href: '#/search' + qs({ q }) }, t('list.clear')) : null)
	);
	el.addEventListener('submit', (e) => {
		e.preventDefault();
		const v = form.value('q').trim();
		if (!v) return form.showError(t('search.needText'), 'q');
		const next = { q: v, sort, dir };
		for (const k of FILTERS) next[k] = form.value(k).trim();
		for (const k of ['born_from', 'born_to'])
			if (next[k] && !/^(19|20|21)\d\d$/.test(next[k])) return form.showError(t('search.badYear'), k);
		ctx.navigate('#/search' + qs(next));
	});
	root.append(h('h1', {}, t('search.title')), el);
	if (!q) return;
	let data;
	try {
		data = await api('GET', '/search' + qs({ q, ...f, sort, dir, page: page > 1 ? page : '', per_page: PER_PAGE }));
	} catch (err) {
		const fld = ['q', ...FILTERS].includes(err.field) ? err.field : null;
		form.showError(errorText(err), fld);
		return;
	}
	const results = data.results || [];
	const total = data.total || 0;
	const per = data.per_page || PER_PAGE;
	const pages = Math.max(1, Math.ceil(total / per));
	const link = (over) => '#/search' + qs({ q, ...f, sort, dir, ...over });
	const csv = '/api/search' + qs({ q, ...f, sort, dir, format: 'csv' });
	const range = total ? fmtRange(page, per, total, results.length) : t('search.none', { q });
	root.append(
		h(
			'div',
			{ class: 'list-head' },
			h('p', { role: 'status', class: 'count' }, range, data.more ? ' ' + t('search.more', { n: fmtNum(total) }) : ''),
			total ? h('a', { class: 'button secondary', href: csv, download: 'search.csv' }, t('list.csv')) : null
		)
	);
	if (!results.length) return;
	const current = sort || 'name';
	const currentDesc = dir === 'desc';
	const header = ([key, lab, s]) => {
		if (!s) return h('th', { scope: 'col' }, t(lab));
		const on = current === s;
		const nextDir = on && !currentDesc ? 'desc' : 'asc';
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
	const cell = (key, r) => {
		const lab = t(COLUMNS.find((x) => x[0] === key)[1]);
		const td = (...kids) => h('td', { 'data-label': lab }, ...kids);
		switch (key) {
			case 'name':
				return td(r.name ? r.name : h('em', {}, t('person.redacted')));
			case 'birth':
				return td(r.birth || '');
			case 'province':
				return td(r.province || '');
			case 'org':
				return td(r.org || '');
			case 'cases':
				return td((r.cases || []).map((id, i) => [i ? ', ' : '', h('a', { href: `#/cases/${id}`, 'aria-label': t('search.openCase', { id }) }, `#${id}`)]));
		}
		return td('');
	};
	root.append(
		h(
			'table',
			{ class: 'list stack search' },
			h('caption', { class: 'visually-hidden' }, t('search.title') + ': ' + range),
			h('thead', {}, h('tr', {}, COLUMNS.map(header))),
			h(
				'tbody',
				{},
				results.map((r) => h('tr', {}, COLUMNS.map(([key]) => cell(key, r))))
			)
		)
	);
	if (pages > 1) root.append(pager(page, pages, (p) => link({ page: p > 1 ? p : '' })));
}
