// views/case_edit.js - change a case's status, closure and dates, and add a comment
// (PATCH /api/cases/{id}); only the fields that changed are sent.
import { h } from '../dom.js';
import { t, loadVocabs, options } from '../i18n.js';
import { api } from '../api.js';
import { Form, errorText } from '../forms.js';
import { fieldLabel } from '../fields.js';

const EDITABLE = ['cas_Status', 'cas_ReasonForCaseClosure', 'ctip_CaseClosedDate', 'ctip_CaseReopenedDate'];

export async function caseEditView(root, [id], query, ctx) {
	const [c] = await Promise.all([api('GET', `/cases/${id}`), loadVocabs(['case_status'])]);
	const name = c.src_CaseId || c.id;
	if (c.access !== 'own') {
		root.append(h('h1', {}, t('edit.title', { name })), h('p', { class: 'message' }, t('edit.notOwner')), h('p', {}, h('a', { href: `#/cases/${id}` }, t('edit.back'))));
		return;
	}
	const form = new Form('edit');
	const button = h('button', { type: 'submit' }, t('edit.submit'));
	const el = h(
		'form',
		{ class: 'card', novalidate: true },
		form.summary,
		form.field('cas_Status', fieldLabel('cas_Status'), { options: options('case_status'), value: c.cas_Status || '' }),
		form.field('cas_ReasonForCaseClosure', fieldLabel('cas_ReasonForCaseClosure'), { value: c.cas_ReasonForCaseClosure || '', hint: t('edit.closureHint') }),
		form.date('ctip_CaseClosedDate', fieldLabel('ctip_CaseClosedDate'), { value: c.ctip_CaseClosedDate || '' }),
		form.date('ctip_CaseReopenedDate', fieldLabel('ctip_CaseReopenedDate'), { value: c.ctip_CaseReopenedDate || '' }),
		form.field('comment', t('edit.comment'), { textarea: true, rows: 4, hint: t('edit.commentHint') }),
		h('div', { class: 'actions' }, button, h('a', { href: `#/cases/${id}` }, t('common.cancel')))
	);
	el.addEventListener('submit', async (e) => {
		e.preventDefault();
		form.clearErrors();
		if (!form.validate()) return;
		const body = {};
		for (const f of EDITABLE) {
			const v = form.value(f);
			if (v !== (c[f] || '')) body[f] = v === '' ? null : v;
		}
		if (form.value('comment')) body.comment = form.value('comment');
		if (!Object.keys(body).length) return form.showError(t('edit.nothing'));
		// the version read: a change someone else made meanwhile is refused (409), not overwritten
		if (c.version) body.version = c.version;
		button.disabled = true;
		try {
			await api('PATCH', `/cases/${id}`, body);
			ctx.navigate(`#/cases/${id}`, t('edit.done'));
		} catch (err) {
			button.disabled = false;
			form.showError(errorText(err), err.field);
		}
	});
	root.append(h('h1', {}, t('edit.title', { name })), el);
}
