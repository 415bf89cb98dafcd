/*
 * fields.h - the columns of ctip's import/export format, in one table.
 *
 * A "row" is one person in one case, as in the HTCDS flat CSV. Every column
 * is declared once here, with its type, the level it belongs to, the
 * vocabulary of a picklist, and the repeating group of a parallel `;` list.
 * The CSV and JSON readers, the validator, the exporter and `ctip help
 * columns` are all driven by this table, so adding a column is one line here
 * plus its place in the store.
 *
 * Level: CASE columns repeat on every row of a case and must agree; PERSON
 * columns describe an organisation's record of a person (src_RecordId) and
 * must agree on every row of that record; LINK columns describe the person in
 * this case (role, victim context, events, assistance, consent, proceedings).
 */
#ifndef CTIP_FIELDS_H
#define CTIP_FIELDS_H

enum ctip_ftype {
	FT_TEXT,      /* free text, NFC-normalised and trimmed */
	FT_ID,        /* an identifier: trimmed, no newlines */
	FT_ORGTYPE,   /* picklist org_type */
	FT_PICK,      /* one code of a vocabulary */
	FT_MULTI,     /* `;`-separated codes of a vocabulary */
	FT_DATE,      /* ISO 8601, partial allowed */
	FT_INT,       /* non-negative integer */
	FT_AMOUNT,    /* non-negative amount, up to 2 decimals */
	FT_BOOL,      /* true/false (yes/no/1/0/có/không) */
	FT_COUNTRY,   /* ISO 3166 alpha-2 (names and alpha-3 accepted) */
	FT_COUNTRIES, /* `;` list of countries */
	FT_PROVINCE,  /* a Vietnamese province (name or code, with or without diacritics) */
	FT_ERA,       /* 2008 or 2025: which list of provinces a province column refers to */
	FT_ORG,       /* an organisation name (created when unknown) */
	FT_PHONE,     /* `;` list of phone numbers, normalised to E.164 */
	FT_DOCNO      /* identity-document number */
};

enum ctip_flevel { FL_CASE, FL_PERSON, FL_LINK };

/* Repeating groups: the columns of a group are parallel `;` lists. */
enum ctip_fgroup {
	G_NONE,
	G_OUTREF,  /* outgoing referrals */
	G_INREF,   /* incoming referrals */
	G_COMMENT, /* case comments */
	G_IDDOC,   /* identity documents */
	G_EXPLOIT, /* countries and places of exploitation */
	G_EVENT,   /* trafficking events */
	G_ASSIST,  /* assistance given */
	G_PROC,    /* criminal-justice proceedings */
	G_COUNT
};

#define CTIP_F_REQUIRED 1u
#define CTIP_F_LIST     2u /* multi-valued, `;`-separated */

/*   X(ENUM, "column", type, level, group, "vocabulary", flags, "description") */
/* clang-format off */
#define CTIP_FIELDS(X)                                                                             \
	X(SRC_ORG, "src_Organisation", FT_ORG, FL_CASE, G_NONE, NULL, CTIP_F_REQUIRED,             \
	  "reporting organisation (created when not yet known)")                                   \
	X(ORG_TYPE, "org_Type", FT_ORGTYPE, FL_CASE, G_NONE, "org_type", 0,                        \
	  "type of the reporting organisation")                                                    \
	X(SRC_CASE, "src_CaseId", FT_ID, FL_CASE, G_NONE, NULL, 0,                                 \
	  "case id (the organisation's; rows with the same id form one case; default: src_RecordId)") \
	X(CAS_STATUS, "cas_Status", FT_PICK, FL_CASE, G_NONE, "case_status", 0, "case status")     \
	X(CAS_CLOSURE, "cas_ReasonForCaseClosure", FT_TEXT, FL_CASE, G_NONE, NULL, 0,              \
	  "reason for closing the case")                                                           \
	X(CAS_OPENED, "ctip_CaseOpenedDate", FT_DATE, FL_CASE, G_NONE, NULL, 0, "case opened")     \
	X(CAS_CLOSED, "ctip_CaseClosedDate", FT_DATE, FL_CASE, G_NONE, NULL, 0, "case closed")     \
	X(CAS_REOPENED, "ctip_CaseReopenedDate", FT_DATE, FL_CASE, G_NONE, NULL, 0,                \
	  "case re-opened after closure")                                                          \
	X(REF_TO, "cas_ReferredOrganisation", FT_ORG, FL_CASE, G_OUTREF, NULL, CTIP_F_LIST,        \
	  "outgoing referral: receiving organisation")                                             \
	X(REF_DATE, "cas_OutgoingReferralDate", FT_DATE, FL_CASE, G_OUTREF, NULL, CTIP_F_LIST,     \
	  "outgoing referral: date")                                                               \
	X(REF_REASON, "cas_ReasonForOutgoingReferral", FT_PICK, FL_CASE, G_OUTREF,                 \
	  "referral_reason", CTIP_F_LIST, "outgoing referral: reason")                             \
	X(REF_STATUS, "ctip_OutgoingReferralStatus", FT_PICK, FL_CASE, G_OUTREF, "referral_status", \
	  CTIP_F_LIST, "outgoing referral: status")                                                \
	X(INREF_FROM, "cas_ReferringOrganisation", FT_ORG, FL_CASE, G_INREF, NULL, CTIP_F_LIST,    \
	  "incoming referral: referring organisation")                                             \
	X(INREF_DATE, "cas_IncomingReferralDate", FT_DATE, FL_CASE, G_INREF, NULL, CTIP_F_LIST,    \
	  "incoming referral: date")                                                               \
	X(INREF_REASON, "cas_ReasonForIncomingReferral", FT_PICK, FL_CASE, G_INREF,                \
	  "referral_reason", CTIP_F_LIST, "incoming referral: reason")                             \
	X(COMMENT, "cco_CaseComment", FT_TEXT, FL_CASE, G_COMMENT, NULL, CTIP_F_LIST,              \
	  "case comments")                                                                         \
	X(COMMENT_DATE, "ctip_CommentDate", FT_DATE, FL_CASE, G_COMMENT, NULL, CTIP_F_LIST,        \
	  "date of each case comment")                                                             \
	X(SRC_RECORD, "src_RecordId", FT_ID, FL_PERSON, G_NONE, NULL, CTIP_F_REQUIRED,             \
	  "record id (the organisation's id for this person record)")                                          \
	X(ROLE, "ctip_Role", FT_PICK, FL_LINK, G_NONE, "person_role", 0,                           \
	  "role in the case (default Victim)")                                       \
	X(FAMILY, "prs_SecondName", FT_TEXT, FL_PERSON, G_NONE, NULL, 0, "family name")            \
	X(MIDDLE, "prs_MiddleName", FT_TEXT, FL_PERSON, G_NONE, NULL, 0, "middle name(s)")         \
	X(GIVEN, "prs_FirstName", FT_TEXT, FL_PERSON, G_NONE, NULL, 0, "given name")               \
	X(BIRTH, "prs_Birthdate", FT_DATE, FL_PERSON, G_NONE, NULL, 0,                             \
	  "date of birth (YYYY-MM-DD, YYYY-MM or YYYY)")                                            \
	X(GENDER, "prs_Gender", FT_PICK, FL_PERSON, G_NONE, "gender", 0, "gender")                 \
	X(CITIZENSHIP, "prs_Citizenship", FT_COUNTRIES, FL_PERSON, G_NONE, NULL, CTIP_F_LIST,      \
	  "citizenship(s), ISO 3166")                                                              \
	X(ETHNICITY, "ctip_Ethnicity", FT_PICK, FL_PERSON, G_NONE, "ethnicity", 0, "ethnic group") \
	X(DOC_TYPE, "ctip_IdentityType", FT_PICK, FL_PERSON, G_IDDOC, "identity_doc_type",         \
	  CTIP_F_LIST, "identity document: type")                                                  \
	X(DOC_NUMBER, "prs_IdentityNumber", FT_DOCNO, FL_PERSON, G_IDDOC, NULL, CTIP_F_LIST,       \
	  "identity document: number")                                                             \
	X(DOC_ISSUED, "ctip_IdentityIssueDate", FT_DATE, FL_PERSON, G_IDDOC, NULL, CTIP_F_LIST,    \
	  "identity document: issue date")                                                         \
	X(DOC_EXPIRES, "ctip_IdentityExpiryDate", FT_DATE, FL_PERSON, G_IDDOC, NULL, CTIP_F_LIST,  \
	  "identity document: expiry date")                                                        \
	X(MOBILE, "prs_MobilePhone", FT_PHONE, FL_PERSON, G_NONE, NULL, CTIP_F_LIST,               \
	  "mobile phone number(s)")                                                                \
	X(HOMEPHONE, "prs_HomePhone", FT_PHONE, FL_PERSON, G_NONE, NULL, CTIP_F_LIST,              \
	  "home phone number(s)")                                                                  \
	X(STREET, "prs_MailingStreet", FT_TEXT, FL_PERSON, G_NONE, NULL, 0,                        \
	  "home address: street, village or hamlet")                                               \
	X(COMMUNE, "ctip_MailingCommune", FT_TEXT, FL_PERSON, G_NONE, NULL, 0,                     \
	  "home address: commune or ward")                                                         \
	X(COMMUNE_CODE, "ctip_MailingCommuneCode", FT_ID, FL_PERSON, G_NONE, NULL, 0,              \
	  "home address: official commune/ward code")                                              \
	X(DISTRICT, "prs_MailingCity", FT_TEXT, FL_PERSON, G_NONE, NULL, 0,                        \
	  "home address: district (pre-2025) or city")                                             \
	X(DISTRICT_CODE, "ctip_MailingDistrictCode", FT_ID, FL_PERSON, G_NONE, NULL, 0,            \
	  "home address: official district code")                                                  \
	X(PROVINCE, "prs_MailingState", FT_PROVINCE, FL_PERSON, G_NONE, NULL, 0,                   \
	  "home address: province (name or official code)")                                        \
	X(PROVINCE_ERA, "ctip_MailingStateEra", FT_ERA, FL_PERSON, G_NONE, NULL, 0,                \
	  "province list (2008: 63 provinces, 2025: 34; default: 2008, then 2025)")             \
	X(HOME_COUNTRY, "prs_MailingCountry", FT_COUNTRY, FL_PERSON, G_NONE, NULL, 0,              \
	  "home address: country")                                                                 \
	X(TR_STATUS, "vic_TraffickingStatus", FT_PICK, FL_LINK, G_NONE, "trafficking_status", 0,   \
	  "trafficking status")                                                                    \
	X(TR_DECIDER_TYPE, "vic_TraffickingStatusDecisionMakingOrg", FT_PICK, FL_LINK, G_NONE,     \
	  "status_decision_org", 0, "kind of organisation that decided the status")                \
	X(TR_DECIDED_BY, "ctip_StatusDecidedBy", FT_ORG, FL_LINK, G_NONE, NULL, 0,                 \
	  "organisation that decided the status")                                                  \
	X(TR_DATE, "ctip_StatusDate", FT_DATE, FL_LINK, G_NONE, NULL, 0, "date of the decision")   \
	X(CERTIFICATE, "ctip_CertificateKind", FT_PICK, FL_LINK, G_NONE, "certificate_kind", 0,    \
	  "certificate of victim status (Law 66/2011 art. 28)")                                    \
	X(AGE_TRAFFICKED, "vic_AgeWhenTrafficked", FT_INT, FL_LINK, G_NONE, NULL, 0,               \
	  "age when trafficked")                                                                   \
	X(RECRUIT_METHOD, "vic_MethodOfRecruitment", FT_MULTI, FL_LINK, G_NONE,                    \
	  "recruitment_method", CTIP_F_LIST, "methods of recruitment")                             \
	X(RECRUIT_COUNTRY, "ctip_RecruitmentCountry", FT_COUNTRY, FL_LINK, G_NONE, NULL, 0,        \
	  "country of recruitment")                                                                \
	X(RECRUIT_PROVINCE, "ctip_RecruitmentProvince", FT_PROVINCE, FL_LINK, G_NONE, NULL, 0,     \
	  "province of recruitment")                                                               \
	X(RECRUIT_APPS, "vic_RecruitmentWebsitesAndApps", FT_MULTI, FL_LINK, G_NONE,               \
	  "websites_apps", CTIP_F_LIST, "websites and apps used to recruit")                       \
	X(RELATIONSHIP, "vic_RelationshipToTrafficker", FT_PICK, FL_LINK, G_NONE,                  \
	  "relationship_to_trafficker", 0, "relationship to the recruiter")                        \
	X(RECRUITER, "ctip_Recruiter", FT_ORG, FL_LINK, G_NONE, NULL, 0,                           \
	  "recruiting company (e.g. labour-export company)")                                       \
	X(CONTROL, "vic_MethodsOfControl", FT_MULTI, FL_LINK, G_NONE, "control_method",            \
	  CTIP_F_LIST, "methods of control")                                                       \
	X(EXPLOITATION, "vic_TypeOfExploitation", FT_MULTI, FL_LINK, G_NONE, "exploitation_type",  \
	  CTIP_F_LIST, "types of exploitation")                                                    \
	X(INDUSTRY, "vic_ForcedLabourIndustry", FT_PICK, FL_LINK, G_NONE, "labour_industry", 0,    \
	  "forced-labour industry (ISIC tier 1)")                                                  \
	X(SEX_TYPE, "vic_TypeOfSexExploitation", FT_MULTI, FL_LINK, G_NONE,                        \
	  "sex_exploitation_type", CTIP_F_LIST, "types of sexual exploitation")                    \
	X(VULNERABILITY, "vic_Vulnerabilities", FT_MULTI, FL_LINK, G_NONE, "vulnerability",        \
	  CTIP_F_LIST, "vulnerabilities")                                                          \
	X(EXPL_COUNTRY, "ctip_ExploitationCountry", FT_COUNTRY, FL_LINK, G_EXPLOIT, NULL,          \
	  CTIP_F_LIST, "exploitation: country")                                                    \
	X(EXPL_PLACE, "ctip_ExploitationPlace", FT_TEXT, FL_LINK, G_EXPLOIT, NULL, CTIP_F_LIST,    \
	  "exploitation: place")                                                                   \
	X(EXPL_START, "ctip_ExploitationStart", FT_DATE, FL_LINK, G_EXPLOIT, NULL, CTIP_F_LIST,    \
	  "exploitation: from")                                                                    \
	X(EXPL_END, "ctip_ExploitationEnd", FT_DATE, FL_LINK, G_EXPLOIT, NULL, CTIP_F_LIST,        \
	  "exploitation: until")                                                                   \
	X(PERP_ROLE, "per_RoleInProcess", FT_MULTI, FL_LINK, G_NONE, "perpetrator_role",           \
	  CTIP_F_LIST, "perpetrator's roles in the process")                                       \
	X(EV_TYPE, "hte_Type", FT_PICK, FL_LINK, G_EVENT, "event_type", CTIP_F_LIST,               \
	  "trafficking event: type")                                                               \
	X(EV_DATE, "hte_Date", FT_DATE, FL_LINK, G_EVENT, NULL, CTIP_F_LIST,                       \
	  "trafficking event: date")                                                               \
	X(EV_COUNTRY, "hte_Country", FT_COUNTRY, FL_LINK, G_EVENT, NULL, CTIP_F_LIST,              \
	  "trafficking event: country")                                                            \
	X(EV_STATE, "hte_State", FT_TEXT, FL_LINK, G_EVENT, NULL, CTIP_F_LIST,                     \
	  "trafficking event: province or state")                                                  \
	X(EV_CITY, "hte_City", FT_TEXT, FL_LINK, G_EVENT, NULL, CTIP_F_LIST,                       \
	  "trafficking event: city or place")                                                      \
	X(AS_KIND, "ctip_AssistanceKind", FT_PICK, FL_LINK, G_ASSIST, "assistance_kind",           \
	  CTIP_F_LIST, "assistance: kind")                                                         \
	X(AS_DATE, "ctip_AssistanceDate", FT_DATE, FL_LINK, G_ASSIST, NULL, CTIP_F_LIST,           \
	  "assistance: date")                                                                      \
	X(AS_PROVIDER, "ctip_AssistanceProvider", FT_ORG, FL_LINK, G_ASSIST, NULL, CTIP_F_LIST,    \
	  "assistance: provider")                                                                  \
	X(AS_AMOUNT, "ctip_AssistanceAmount", FT_AMOUNT, FL_LINK, G_ASSIST, NULL, CTIP_F_LIST,     \
	  "assistance: amount in VND")                                                             \
	X(CONSENT, "con_Consent", FT_BOOL, FL_LINK, G_NONE, NULL, 0, "consent given")              \
	X(CONSENT_SCOPE, "ctip_ConsentScope", FT_MULTI, FL_LINK, G_NONE, "consent_scope",          \
	  CTIP_F_LIST, "what the consent covers")                                                  \
	X(CONSENT_DATE, "ctip_ConsentDate", FT_DATE, FL_LINK, G_NONE, NULL, 0, "date of consent")  \
	X(PR_STAGE, "ctip_ProcStage", FT_PICK, FL_LINK, G_PROC, "proceeding_stage", CTIP_F_LIST,   \
	  "proceedings: stage reached (on a perpetrator's row, that defendant's)")                 \
	X(PR_DATE, "ctip_ProcDate", FT_DATE, FL_LINK, G_PROC, NULL, CTIP_F_LIST,                   \
	  "proceedings: date")                                                                     \
	X(PR_ARTICLE, "ctip_ProcArticle", FT_PICK, FL_LINK, G_PROC, "criminal_article",            \
	  CTIP_F_LIST, "proceedings: Criminal Code article")                                       \
	X(PR_SENTENCE_KIND, "ctip_ProcSentenceKind", FT_PICK, FL_LINK, G_PROC, "sentence_kind",    \
	  CTIP_F_LIST, "proceedings: sentence")                                                    \
	X(PR_SENTENCE_MONTHS, "ctip_ProcSentenceMonths", FT_INT, FL_LINK, G_PROC, NULL,            \
	  CTIP_F_LIST, "proceedings: prison term in months")

/* clang-format on */
#define CTIP_FIELD_ENUM(e, ...) CF_##e,
enum ctip_field { CTIP_FIELDS(CTIP_FIELD_ENUM) CTIP_NFIELDS };
#undef CTIP_FIELD_ENUM

struct ctip_field_def {
	const char *name;
	enum ctip_ftype type;
	enum ctip_flevel level;
	enum ctip_fgroup group;
	const char *vocab;
	unsigned flags;
	const char *help;
};

extern const struct ctip_field_def ctip_fields[CTIP_NFIELDS];
/* JSON key of a repeating group inside a case or person object ("events", ...). */
extern const char *const ctip_group_names[G_COUNT];

/* Index of the column named name (exact match), or -1. */
int ctip_field_find(const char *name);

#endif
