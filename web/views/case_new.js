// views/case_new.js - a new case with its victim (POST /api/cases). The server checks everything;
// its error {"error", "field"} is shown next to the field it names.
import { h } from '../dom.js';
import { t, loadVocabs, options } from '../i18n.js';
import { api } from '../api.js';
import { Form, errorText, today } from '../forms.js';
import { fieldLabel, provinceOptions, countryOptions } from '../fields.js';

export async function caseNewView(root, params, query, ctx) {
	await loadVocabs(['gender', 'exploitation_type', 'consent_scope', 'case_status', 'identity_doc_type', 'province_2025', 'province_2008', 'country']);
	const form = new Form('new');
	const button = h('button', { type: 'submit' }, t('new.submit'));
	const consentBox = form.checkbox('con_Consent', t('new.consent'));
	const scope = form.checkboxes('ctip_ConsentScope', fieldLabel('ctip_ConsentScope'), options('consent_scope'));
	const el = h(
		'form',
		{ class: 'card', novalidate: true },
		h('p', { class: 'hint' }, t('form.required')),
		form.summary,
		h(
			'fieldset',
			{},
			h('legend', {}, t('new.case')),
			form.field('cas_Status', fieldLabel('cas_Status'), { options: options('case_status'), value: 'Active', required: true }),
			form.date('ctip_CaseOpenedDate', fieldLabel('ctip_CaseOpenedDate'), { value: today() }),
			form.field('src_CaseId', fieldLabel('src_CaseId'), { hint: t('new.caseIdHint') })
		),
		h(
			'fieldset',
			{},
			h('legend', {}, t('new.victim')),
			form.field('prs_SecondName', fieldLabel('prs_SecondName'), { required: true }),
			form.field('prs_MiddleName', fieldLabel('prs_MiddleName')),
			form.field('prs_FirstName', fieldLabel('prs_FirstName'), { required: true }),
			form.date('prs_Birthdate', fieldLabel('prs_Birthdate'), { partial: true }),
			form.field('prs_Gender', fieldLabel('prs_Gender'), { options: options('gender') }),
			form.picker('prs_MailingState', fieldLabel('prs_MailingState'), { options: provinceOptions(), hint: t('new.provinceHint') }),
			form.picker('prs_Citizenship', fieldLabel('prs_Citizenship'), { options: countryOptions(), hint: t('new.countryHint') }),
			form.field('ctip_IdentityType', fieldLabel('ctip_IdentityType'), { options: options('identity_doc_type') }),
			form.field('prs_IdentityNumber', fieldLabel('prs_IdentityNumber'), { inputmode: 'numeric' }),
			form.field('prs_MobilePhone', fieldLabel('prs_MobilePhone'), { type: 'tel', hint: t('new.phoneHint') }),
			form.checkboxes('vic_TypeOfExploitation', fieldLabel('vic_TypeOfExploitation'), options('exploitation_type'))
		),
		h(
			'fieldset',
			{},
			h('legend', {}, t('new.consentTitle')),
			h('p', { class: 'hint' }, t('new.consentHint')),
			consentBox,
			scope,
			form.date('ctip_ConsentDate', fieldLabel('ctip_ConsentDate'), { value: today() })
		),
		h('div', { class: 'actions' }, button, h('a', { href: '#/cases' }, t('common.cancel')))
	);

	el.addEventListener('submit', async (e) => {
		e.preventDefault();
		form.clearErrors();
		if (!form.value('prs_SecondName')) return form.showError(t('new.needFamily'), 'prs_SecondName');
		if (!form.value('prs_FirstName')) return form.showError(t('new.needGiven'), 'prs_FirstName');
		if (!form.validate()) return;
		const consent = form.value('con_Consent');
		if (!consent && form.value('ctip_ConsentScope').length) return form.showError(t('new.scopeWithoutConsent'), 'ctip_ConsentScope');
		if (form.value('prs_IdentityNumber') && !form.value('ctip_IdentityType')) return form.showError(t('new.needDocType'), 'ctip_IdentityType');

		const victim = { role: 'victim' };
		for (const f of ['prs_SecondName', 'prs_MiddleName', 'prs_FirstName', 'prs_Birthdate', 'prs_Gender', 'prs_MailingState', 'prs_Citizenship', 'prs_MobilePhone']) {
			const v = form.value(f);
			if (v) victim[f] = v;
		}
		const exploitation = form.value('vic_TypeOfExploitation');
		if (exploitation.length) victim.vic_TypeOfExploitation = exploitation;
		if (form.value('prs_IdentityNumber'))
			victim.identity_documents = [{ ctip_IdentityType: form.value('ctip_IdentityType'), prs_IdentityNumber: form.value('prs_IdentityNumber') }];
		victim.con_Consent = consent;
		if (consent) {
			const s = form.value('ctip_ConsentScope');
			if (s.length) victim.ctip_ConsentScope = s;
			if (form.value('ctip_ConsentDate')) victim.ctip_ConsentDate = form.value('ctip_ConsentDate');
		}
		const body = { cas_Status: form.value('cas_Status'), persons: [victim] };
		if (form.value('ctip_CaseOpenedDate')) body.ctip_CaseOpenedDate = form.value('ctip_CaseOpenedDate');
		if (form.value('src_CaseId')) body.src_CaseId = form.value('src_CaseId');

		button.disabled = true;
		try {
			const res = await api('POST', '/cases', body);
			ctx.navigate(`#/cases/${res.id}`, t('new.done'));
		} catch (err) {
			button.disabled = false;
			form.showError(errorText(err), err.field);
		}
	});
	root.append(h('h1', {}, t('new.title')), el);
}
