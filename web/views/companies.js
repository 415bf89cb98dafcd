// views/companies.js - the register of labour-export companies (GET /api/companies,
// docs/COMPANIES.md): a list to search, sort and page, and a company's page with its licence,
// sanctions, provenance and the counts of cases, victims and exploitation types. The counts are
// those of the cases the user's organisation may see (analysts: every organisation's); small
// ones come back withheld (null) and read "x". Every role may read; supervisors and admins
// record companies and sanctions.
import { h } from '../dom.js';
import { t, label, loadVocabs } from '../i18n.js';
import { api, qs } from '../api.js';
import { Form, errorText } from '../forms.js';

const SORTS = ['name', 'licence', 'cases', 'sanctions'];
const WRITERS = ['supervisor', 'admin'];

function num(v) {
	if (v === undefined) return '–';
	return v === null ? h('span', { class: 'withheld', title: t('stats.withheld') }, 'x') : String(v);
}

function status(v) {
	return v ? t('co.status.' + v) : '–';
}

function addForm(ctx) {
	const form = new Form('co');
	const el = h(
		'form',
		{ class: 'filters', 'aria-label': t('co.add'), novalidate: true },
		form.summary,
		form.field('name', t('co.name'), { required: true }),
		form.field('licence_no', t('co.licence')),
		h('div', { class: 'field' }, h('label', { for: 'co-status' }, t('co.statusLabel')), h('select', { id: 'co-status', name: 'licence_status' }, h('option', { value: '' }, '–'), ...['active', 'suspended', 'revoked', 'expired'].map((s) => h('option', { value: s }, t('co.status.' + s))))),
		form.field('province', t('co.province')),
		h('div', { class: 'actions' }, h('button', { type: 'submit' }, t('co.add')))
	);
	el.addEventListener('submit', async (e) => {
		e.preventDefault();
		const body = { name: form.value('name') };
		for (const k of ['licence_no', 'province']) if (form.value(k)) body[k] = form.value(k);
		const st = el.querySelector('#co-status').value;
		if (st) body.licence_status = st;
		try {
			const r = await api('POST', '/companies', body);
			ctx.navigate('#/companies/' + r.id, t('co.added'));
		} catch (err) {
			form.showError(errorText(err), err.field);
		}
	});
	return h('section', { 'aria-labelledby': 'co-add-h' }, h('h2', { id: 'co-add-h' }, t('co.add')), el);
}

export async function companiesView(root, params, query, ctx) {
	const q = query.get('q') || '';
	const sort = SORTS.includes(query.get('sort')) ? query.get('sort') : 'name';
	const page = Math.max(1, parseInt(query.get('page') || '1', 10) || 1);
	const search = h('form', { class: 'filters', role: 'search', 'aria-label': t('co.search') }, h('div', { class: 'field' }, h('label', { for: 'co-q' }, t('co.search')), h('input', { id: 'co-q', name: 'q', value: q, type: 'search' })), h('div', { class: 'actions' }, h('button', { type: 'submit' }, t('co.find'))));
	search.addEventListener('submit', (e) => {
		e.preventDefault();
		ctx.navigate('#/companies' + qs({ q: search.querySelector('#co-q').value, sort }));
	});
	root.append(h('h1', {}, t('co.title')), search);
	const data = await api('GET', '/companies' + qs({ q, sort, page: page > 1 ? page : '' }));
	const sortLink = (s) => h('a', { href: '#/companies' + qs({ q, sort: s }), 'aria-current': s === sort ? 'true' : null }, t('co.col.' + s));
	const head = h('tr', {}, h('th', { scope: 'col' }, sortLink('name')), h('th', { scope: 'col' }, sortLink('licence')), h('th', { scope: 'col' }, t('co.statusLabel')), h('th', { scope: 'col' }, sortLink('cases')), h('th', { scope: 'col' }, t('co.col.victims')), h('th', { scope: 'col' }, sortLink('sanctions')));
	const rows = data.companies.map((c) => h('tr', {}, h('th', { scope: 'row' }, h('a', { href: '#/companies/' + c.id }, c.name)), h('td', {}, c.licence_no || '–'), h('td', {}, status(c.licence_status)), h('td', {}, num(c.cases)), h('td', {}, num(c.victims)), h('td', {}, String(c.sanctions))));
	root.append(data.companies.length ? h('table', { class: 'list' }, h('caption', {}, t('co.caption', { n: data.total })), h('thead', {}, head), h('tbody', {}, ...rows)) : h('p', { class: 'empty' }, t('co.none')));
	const pages = Math.ceil(data.total / data.per_page);
	if (pages > 1)
		root.append(
			h(
				'nav',
				{ class: 'pager', 'aria-label': t('co.pages') },
				page > 1 ? h('a', { href: '#/companies' + qs({ q, sort, page: page - 1 }) }, t('co.prev')) : null,
				h('span', {}, t('co.page', { page, pages })),
				page < pages ? h('a', { href: '#/companies' + qs({ q, sort, page: page + 1 }) }, t('co.next')) : null
			)
		);
	if (data.forced_labour_without_sanction && data.forced_labour_without_sanction.length)
		root.append(h('section', { 'aria-labelledby': 'co-fl' }, h('h2', { id: 'co-fl' }, t('co.unsanctioned')), h('ul', {}, data.forced_labour_without_sanction.map((c) => h('li', {}, h('a', { href: '#/companies/' + c.id }, c.name), c.licence_no ? ` (${c.licence_no})` : '')))));
	root.append(h('p', { class: 'note' }, t('co.scope', { scope: data.scope })));
	if (ctx.me && WRITERS.includes(ctx.me.role)) root.append(addForm(ctx));
}

export async function companyView(root, params, query, ctx) {
	const c = await api('GET', '/companies/' + params[0]);
	await loadVocabs(['exploitation_type', 'province_2025']);
	const dl = h('dl', { class: 'facts' });
	const fact = (k, v) => dl.append(h('dt', {}, t(k)), h('dd', {}, v || '–'));
	fact('co.licence', c.licence_no);
	fact('co.statusLabel', status(c.licence_status));
	fact('co.from', c.licence_from);
	fact('co.to', c.licence_to);
	fact('co.address', c.address);
	fact('co.province', c.province ? label('province_2025', c.province) : '');
	fact('co.recorded', c.recorded ? `${c.recorded.organisation} (${c.recorded.by}, ${c.recorded.at})${c.recorded.source ? ' – ' + c.recorded.source : ''}` : '');
	root.append(h('h1', {}, c.name), dl);
	if ('cases' in c) {
		const types = Object.entries(c.exploitation_types || {});
		root.append(
			h('section', { 'aria-labelledby': 'co-counts' }, h('h2', { id: 'co-counts' }, t('co.counts')), h('p', {}, t('co.col.cases'), ': ', num(c.cases), ' · ', t('co.col.victims'), ': ', num(c.victims)), types.length ? h('table', { class: 'list' }, h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('stats.dim.exploitation_type')), h('th', { scope: 'col' }, t('co.col.victims')))), h('tbody', {}, ...types.map(([k, v]) => h('tr', {}, h('th', { scope: 'row' }, label('exploitation_type', k)), h('td', {}, num(v)))))) : null, h('p', { class: 'note' }, t('co.scope', { scope: c.scope })))
		);
	}
	const sanctions = c.sanctions || [];
	root.append(
		h(
			'section',
			{ 'aria-labelledby': 'co-sanctions' },
			h('h2', { id: 'co-sanctions' }, t('co.sanctions')),
			sanctions.length ? h('table', { class: 'list' }, h('thead', {}, h('tr', {}, ...['co.date', 'co.authority', 'co.decision'].map((k) => h('th', { scope: 'col' }, t(k))))), h('tbody', {}, ...sanctions.map((s) => h('tr', {}, h('td', {}, s.date), h('td', {}, s.authority), h('td', {}, s.decision))))) : h('p', { class: 'empty' }, t('co.noSanctions'))
		)
	);
	if (ctx.me && WRITERS.includes(ctx.me.role)) {
		const form = new Form('sa');
		const el = h('form', { class: 'filters', 'aria-label': t('co.addSanction'), novalidate: true }, form.summary, form.field('date', t('co.date'), { required: true, hint: 'YYYY-MM-DD' }), form.field('authority', t('co.authority'), { required: true }), form.field('decision', t('co.decision'), { required: true }), h('div', { class: 'actions' }, h('button', { type: 'submit' }, t('co.addSanction'))));
		el.addEventListener('submit', async (e) => {
			e.preventDefault();
			try {
				await api('POST', `/companies/${c.id}/sanctions`, { date: form.value('date'), authority: form.value('authority'), decision: form.value('decision') });
				ctx.navigate('#/companies/' + c.id + '?s=' + Date.now(), t('co.sanctionAdded'));
			} catch (err) {
				form.showError(errorText(err), err.field);
			}
		});
		root.append(el);
	}
}
