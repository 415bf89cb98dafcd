// fields.js - what the UI knows of the HTCDS fields: which vocabulary labels a code, and which
// fields make up each section of the case page. Labels are in i18n/*.json as "f.<field>".
import { label, t, options, vocabEntry } from './i18n.js';
import { fmtDate, fmtNumber } from './format.js';

export const VOCAB = {
	org_Type: 'org_type',
	cas_Status: 'case_status',
	cas_ReasonForOutgoingReferral: 'referral_reason',
	ctip_OutgoingReferralStatus: 'referral_status',
	cas_ReasonForIncomingReferral: 'referral_reason',
	ctip_Role: 'person_role',
	role: 'person_role',
	prs_Gender: 'gender',
	ctip_Ethnicity: 'ethnicity',
	ctip_IdentityType: 'identity_doc_type',
	vic_TraffickingStatus: 'trafficking_status',
	vic_TraffickingStatusDecisionMakingOrg: 'status_decision_org',
	ctip_CertificateKind: 'certificate_kind',
	vic_MethodOfRecruitment: 'recruitment_method',
	vic_RecruitmentWebsitesAndApps: 'websites_apps',
	vic_RelationshipToTrafficker: 'relationship_to_trafficker',
	vic_MethodsOfControl: 'control_method',
	vic_TypeOfExploitation: 'exploitation_type',
	vic_ForcedLabourIndustry: 'labour_industry',
	vic_TypeOfSexExploitation: 'sex_exploitation_type',
	vic_Vulnerabilities: 'vulnerability',
	per_RoleInProcess: 'perpetrator_role',
	hte_Type: 'event_type',
	ctip_AssistanceKind: 'assistance_kind',
	ctip_ConsentScope: 'consent_scope',
	ctip_ProcStage: 'proceeding_stage',
	ctip_ProcArticle: 'criminal_article',
	ctip_ProcSentenceKind: 'sentence_kind',
	ctip_SentenceKind: 'sentence_kind',
	status: 'referral_status',
	reason: 'referral_reason',
	// countries are shown by name, not by their ISO 3166 code
	prs_Citizenship: 'country',
	prs_MailingCountry: 'country',
	ctip_RecruitmentCountry: 'country',
	ctip_ExploitationCountry: 'country',
	hte_Country: 'country',
};

export const ALL_VOCABS = [...new Set(Object.values(VOCAB))];

export const CASE_FIELDS = [
	'src_CaseId',
	'cas_Status',
	'ctip_CaseOpenedDate',
	'ctip_CaseClosedDate',
	'ctip_CaseReopenedDate',
	'cas_ReasonForCaseClosure',
];

export const PERSON_FIELDS = [
	'ctip_Role',
	'prs_SecondName',
	'prs_MiddleName',
	'prs_FirstName',
	'prs_Birthdate',
	'prs_Gender',
	'prs_Citizenship',
	'ctip_Ethnicity',
	'prs_MobilePhone',
	'prs_HomePhone',
	'prs_MailingStreet',
	'ctip_MailingCommune',
	'prs_MailingCity',
	'prs_MailingState',
	'prs_MailingCountry',
	'src_RecordId',
];

export const VICTIM_FIELDS = [
	'vic_TraffickingStatus',
	'vic_TraffickingStatusDecisionMakingOrg',
	'ctip_StatusDecidedBy',
	'ctip_StatusDate',
	'ctip_CertificateKind',
	'vic_AgeWhenTrafficked',
	'vic_MethodOfRecruitment',
	'ctip_RecruitmentCountry',
	'ctip_RecruitmentProvince',
	'vic_RecruitmentWebsitesAndApps',
	'vic_RelationshipToTrafficker',
	'ctip_Recruiter',
	'vic_MethodsOfControl',
	'vic_TypeOfExploitation',
	'vic_ForcedLabourIndustry',
	'vic_TypeOfSexExploitation',
	'vic_Vulnerabilities',
	'per_RoleInProcess',
	'con_Consent',
	'ctip_ConsentScope',
	'ctip_ConsentDate',
];

export const GROUPS = {
	identity_documents: ['ctip_IdentityType', 'prs_IdentityNumber', 'ctip_IdentityIssueDate', 'ctip_IdentityExpiryDate'],
	exploitation: ['ctip_ExploitationCountry', 'ctip_ExploitationPlace', 'ctip_ExploitationStart', 'ctip_ExploitationEnd'],
	events: ['hte_Type', 'hte_Date', 'hte_Country', 'hte_State', 'hte_City'],
	assistance: ['ctip_AssistanceKind', 'ctip_AssistanceDate', 'ctip_AssistanceProvider', 'ctip_AssistanceAmount'],
	proceedings: ['ctip_ProcStage', 'ctip_ProcDate', 'ctip_ProcArticle', 'ctip_ProcSentenceKind', 'ctip_ProcSentenceMonths'],
	referrals: ['cas_ReferredOrganisation', 'cas_OutgoingReferralDate', 'cas_ReasonForOutgoingReferral', 'ctip_OutgoingReferralStatus'],
	incoming_referrals: ['cas_ReferringOrganisation', 'cas_IncomingReferralDate', 'cas_ReasonForIncomingReferral'],
	comments: ['ctip_CommentDate', 'cco_CaseComment'],
};

/* Fields that hold a date (ISO from the API; shown as the UI's language writes dates). */
const DATE_FIELD = /(Date|Birthdate|Start|End|^date|_at|^due|^done)$/;

/* A country's name in the UI's language, from the country vocabulary when it is loaded. */
export function countryName(code) {
	return label('country', code);
}

/* The label of a field: the translation when there is one, else its HTCDS name. */
export function fieldLabel(name) {
	const key = 'f.' + name;
	const s = t(key);
	return s === key ? name : s;
}

/* A field's value for display: vocabulary codes labelled, lists joined, booleans in words. */
export function display(name, value) {
	if (value === undefined || value === null || value === '') return '';
	if (Array.isArray(value)) return value.map((v) => display(name, v)).join('; ');
	if (typeof value === 'boolean') return value ? t('common.yes') : t('common.no');
	if (VOCAB[name]) return label(VOCAB[name], value);
	if (DATE_FIELD.test(name)) return fmtDate(value);
	if (name === 'ctip_AssistanceAmount' && /^\d+(\.\d+)?$/.test(String(value))) return fmtNumber(value) + ' ₫';
	return String(value);
}

/* The provinces for a picker: today's 34 (2025), then the 63 of before 2025-07-01 that are not
   among them, marked as former; the value is the province's name (the server reads names of both
   lists, with or without diacritics). Needs loadVocabs(['province_2025', 'province_2008']). */
export function provinceOptions() {
	const now = options('province_2025').map((o) => ({ code: o.code, label: vocabName('province_2025', o.code) }));
	const names = new Set(now.map((o) => o.label));
	const old = options('province_2008')
		.map((o) => vocabName('province_2008', o.code))
		.filter((n) => !names.has(n))
		.map((n) => ({ code: n, label: n + ' ' + t('province.former') }));
	return [...now.map((o) => ({ code: o.label, label: o.label })), ...old];
}

/* Countries for a picker: ISO code, name in the UI's language (needs loadVocabs(['country'])). */
export function countryOptions() {
	return options('country').sort((a, b) => a.label.localeCompare(b.label));
}

function vocabName(vocab, code) {
	// provinces are Vietnamese proper names: shown with their diacritics in both languages
	return vocabEntry(vocab, code).vi || code;
}
