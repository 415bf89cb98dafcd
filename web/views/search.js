// views/search.js - find a person by name, birth year, document or phone, with or without
// diacritics (GET /api/search?q=), among the records the user may see.
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { api, qs } from '../api.js';
import { Form, errorText } from '../forms.js';

export async function searchView(root, params, query, ctx) {
	const q = (query.get('q') || '').trim();
	const form = new Form('search');
	const el = h(
		'form',
		{ class: 'filters', role: 'search', 'aria-label': t('search.title') },
		form.summary,
		form.field('q', t('search.query'), { value: q, hint: t('search.hint'), type: 'search' }),
		h('div', { class: 'actions' }, h('button', { type: 'submit' }, t('search.submit')))
	);
	el.addEventListener('submit', (e) => {
		e.preventDefault();
		const v = form.value('q');
		if (!v) return form.showError(t('search.needText'), 'q');
		ctx.navigate('#/search' + qs({ q: v }));
	});
	root.append(h('h1', {}, t('search.title')), el);
	if (!q) return;
	let data;
	try {
		data = await api('GET', '/search' + qs({ q }));
	} catch (err) {
		form.showError(errorText(err), err.field === 'q' ? 'q' : null);
		return;
	}
	const results = data.results || [];
	const status = h('p', { role: 'status', class: 'count' }, results.length ? t('search.count', { n: results.length, q }) : t('search.none', { q }));
	root.append(status);
	if (!results.length) return;
	root.append(
		h(
			'table',
			{ class: 'list' },
			h('thead', {}, h('tr', {}, ['search.col.name', 'search.col.birth', 'search.col.province', 'search.col.cases'].map((k) => h('th', { scope: 'col' }, t(k))))),
			h(
				'tbody',
				{},
				results.map((r) =>
					h(
						'tr',
						{},
						h('td', {}, r.name ? r.name : h('em', {}, t('person.redacted'))),
						h('td', {}, r.birth || ''),
						h('td', {}, r.province || ''),
						h(
							'td',
							{},
							(r.cases || []).map((id, i) => [i ? ', ' : '', h('a', { href: `#/cases/${id}`, 'aria-label': t('search.openCase', { id }) }, `#${id}`)])
						)
					)
				)
			)
		)
	);
}
