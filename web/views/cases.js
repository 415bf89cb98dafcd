// views/cases.js - the cases the user may see (GET /api/cases), filtered by status and text, a page
// at a time. The filters live in the URL (#/cases?status=Active&q=HN&page=2) so a list can be linked.
import { h } from '../dom.js';
import { t, label, loadVocabs, options } from '../i18n.js';
import { api, qs } from '../api.js';
import { Form } from '../forms.js';

const PER_PAGE = 25;

export async function casesView(root, params, query, ctx) {
	const status = query.get('status') || '';
	const text = (query.get('q') || '').trim();
	const page = Math.max(1, parseInt(query.get('page') || '1', 10) || 1);
	await loadVocabs(['case_status']);
	const data = await api('GET', '/cases' + qs({ status, q: text, page, per_page: PER_PAGE }));

	const form = new Form('filter');
	const filter = h(
		'form',
		{ class: 'filters', role: 'search', 'aria-label': t('cases.filters') },
		form.field('status', t('cases.status'), { options: options('case_status'), empty: t('cases.anyStatus'), value: status }),
		form.field('q', t('cases.text'), { value: text, hint: t('cases.textHint') }),
		h('div', { class: 'actions' }, h('button', { type: 'submit' }, t('cases.apply')))
	);
	filter.addEventListener('submit', (e) => {
		e.preventDefault();
		ctx.navigate('#/cases' + qs({ status: form.value('status'), q: form.value('q') }));
	});

	// The text filter narrows the page on the case id and organisation; the server is sent it too.
	const needle = fold(text);
	const cases = (data.cases || []).filter(
		(c) => !needle || fold(`${c.id} ${c.src_CaseId || ''} ${c.org || ''}`).includes(needle)
	);
	const total = data.total || 0;
	const pages = Math.max(1, Math.ceil(total / (data.per_page || PER_PAGE)));

	root.append(
		h('div', { class: 'title-row' }, h('h1', {}, t('cases.title')), h('a', { class: 'button', href: '#/cases/new' }, t('nav.new'))),
		filter
	);
	if (!cases.length) {
		root.append(h('p', { class: 'empty' }, t('cases.none')));
	} else {
		root.append(
			h(
				'table',
				{ class: 'list' },
				h('caption', {}, t('cases.count', { total })),
				h(
					'thead',
					{},
					h(
						'tr',
						{},
						['cases.col.case', 'cases.col.org', 'cases.col.status', 'cases.col.opened', 'cases.col.persons', 'cases.col.access'].map((k) =>
							h('th', { scope: 'col' }, t(k))
						)
					)
				),
				h(
					'tbody',
					{},
					cases.map((c) =>
						h(
							'tr',
							{},
							h('td', {}, h('a', { href: `#/cases/${c.id}` }, c.src_CaseId || t('case.number', { id: c.id }))),
							h('td', {}, c.org || ''),
							h('td', {}, c.cas_Status ? label('case_status', c.cas_Status) : ''),
							h('td', {}, c.ctip_CaseOpenedDate || ''),
							h('td', { class: 'num' }, c.persons ?? ''),
							h('td', {}, c.access ? t('access.' + c.access) : '')
						)
					)
				)
			)
		);
	}
	const link = (p) => '#/cases' + qs({ status, q: text, page: p > 1 ? p : '' });
	root.append(
		h(
			'nav',
			{ class: 'pager', 'aria-label': t('pager.label') },
			page > 1 ? h('a', { href: link(page - 1), rel: 'prev' }, t('pager.prev')) : null,
			h('span', {}, t('pager.page', { page, pages })),
			page < pages ? h('a', { href: link(page + 1), rel: 'next' }, t('pager.next')) : null
		)
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
