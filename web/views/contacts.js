// views/contacts.js - hotline contacts (docs/CASEWORK.md; GET and POST /api/contacts): the
// organisation's contacts, a form to record one (anonymous unless a caller is named), and
// "open a case" for a contact not yet attached (POST /api/contacts/{id}/convert).
import { h } from '../dom.js';
import { t, loadVocabs, options, label } from '../i18n.js';
import { api } from '../api.js';
import { Form, errorText } from '../forms.js';

const VOCABS = ['contact_channel', 'caller_type', 'contact_reason', 'province_2025'];

export async function contactsView(root, params, query, ctx) {
	const [data] = await Promise.all([api('GET', '/contacts'), loadVocabs(VOCABS)]);
	const status = h('p', { role: 'alert', class: 'error-summary', hidden: true });
	root.append(h('h1', {}, t('contacts.title')), status);
	const f = new Form('contact');
	const form = h(
		'form',
		{ class: 'card', novalidate: true, 'aria-labelledby': 'contact-title' },
		h('h2', { id: 'contact-title' }, t('contacts.add')),
		f.summary,
		f.field('channel', t('contacts.channel'), { options: options('contact_channel'), required: true }),
		f.field('at', t('contacts.at'), { type: 'datetime-local' }),
		f.field('caller_type', t('contacts.callerType'), { options: options('caller_type') }),
		f.field('reason', t('contacts.reason'), { options: options('contact_reason') }),
		f.field('province', t('contacts.province'), { options: options('province_2025') }),
		f.field('caller', t('contacts.caller'), { hint: t('contacts.callerHint') }),
		f.field('notes', t('work.notes'), { textarea: true }),
		h('button', { type: 'submit' }, t('contacts.submit'))
	);
	form.addEventListener('submit', async (ev) => {
		ev.preventDefault();
		const body = {};
		for (const k of ['channel', 'at', 'caller_type', 'reason', 'province', 'caller', 'notes']) if (f.value(k)) body[k] = f.value(k);
		if (body.at) body.at = body.at.slice(0, 16);
		try {
			const r = await api('POST', '/contacts', body);
			ctx.navigate(`#/contacts?r=${Date.now()}`, t('contacts.added', { id: r.id }));
		} catch (err) {
			f.showError(errorText(err), err.field);
		}
	});
	const convert = (c) =>
		h(
			'button',
			{
				type: 'button',
				'aria-label': t('contacts.convertAria', { id: c.id }),
				onclick: async () => {
					try {
						const r = await api('POST', `/contacts/${c.id}/convert`, {});
						ctx.navigate(`#/cases/${r.case_id}/work`, t('contacts.converted', { id: r.case_id }));
					} catch (err) {
						status.textContent = errorText(err);
						status.hidden = false;
						status.focus();
					}
				},
			},
			t('contacts.convert')
		);
	const rows = data.contacts || [];
	root.append(
		rows.length
			? h(
					'div',
					{ class: 'table-scroll', tabindex: '0' },
					h(
					'table',
					{ class: 'list' },
					h('thead', {}, h('tr', {}, ['contacts.id', 'contacts.at', 'contacts.channel', 'contacts.reason', 'contacts.province', 'due.case'].map((k) => h('th', { scope: 'col' }, t(k))))),
					h(
						'tbody',
						{},
						rows.map((c) =>
							h(
								'tr',
								{},
								h('td', {}, `H${c.id}`),
								h('td', {}, c.at),
								h('td', {}, label('contact_channel', c.channel)),
								h('td', {}, c.reason ? label('contact_reason', c.reason) : '-'),
								h('td', {}, c.province ? label('province_2025', c.province) : '-'),
								h('td', {}, c.case_id ? h('a', { href: `#/cases/${c.case_id}/work` }, `C${c.case_id}`) : convert(c))
							)
						)
					)
					)
			  )
			: h('p', { class: 'empty' }, t('contacts.none')),
		form
	);
}
