// views/audit.js - who saw or changed a person's record, and when (GET /api/audit?person=12):
// for auditors (any record, or the newest entries of the whole log) and supervisors (their
// organisation's records).
import { h } from '../dom.js';
import { t, has } from '../i18n.js';
import { api, qs } from '../api.js';
import { Form, errorText } from '../forms.js';

export async function auditView(root, params, query, ctx) {
	const person = (query.get('person') || '').replace(/^P/i, '');
	const form = new Form('audit');
	const el = h(
		'form',
		{ class: 'filters', role: 'search', 'aria-label': t('audit.title'), novalidate: true },
		form.summary,
		form.field('person', t('audit.person'), { value: person, hint: t('audit.personHint'), inputmode: 'numeric' }),
		h('div', { class: 'actions' }, h('button', { type: 'submit' }, t('audit.submit')))
	);
	el.addEventListener('submit', (e) => {
		e.preventDefault();
		const v = form.value('person').replace(/^P/i, '');
		if (v && !/^\d+$/.test(v)) return form.showError(t('audit.badPerson'), 'person');
		ctx.navigate('#/audit' + qs({ person: v }));
	});
	root.append(h('h1', {}, person ? t('audit.titlePerson', { id: person }) : t('audit.title')), el);
	if (!person && ctx.me.role !== 'auditor') return;
	let data;
	try {
		data = await api('GET', '/audit' + qs({ person }));
	} catch (err) {
		form.showError(errorText(err), err.field === 'person' ? 'person' : null);
		return;
	}
	const entries = (data.entries || []).slice().sort((a, b) => (b.id || 0) - (a.id || 0)); // newest first
	root.append(h('p', { role: 'status', class: 'count' }, entries.length ? t('audit.count', { n: entries.length }) : t('audit.none')));
	if (!entries.length) return;
	root.append(
		h(
			'table',
			{ class: 'list' },
			h('thead', {}, h('tr', {}, ['audit.col.at', 'audit.col.actor', 'audit.col.action', 'audit.col.object', 'audit.col.detail'].map((k) => h('th', { scope: 'col' }, t(k))))),
			h(
				'tbody',
				{},
				entries.map((e) =>
					h(
						'tr',
						{},
						h('td', {}, e.at || ''),
						h('td', {}, e.actor || ''),
						h('td', {}, has('audit.action.' + e.action) ? t('audit.action.' + e.action) : e.action || ''),
						h('td', {}, e.object || ''),
						h('td', {}, e.detail || '')
					)
				)
			)
		)
	);
}
