// views/case.js - one case (GET /api/cases/{id}) in the HTCDS sections: persons, victim context,
// events, referrals, assistance, proceedings, comments; vocabulary codes shown as labels in the
// chosen language. The owner organisation also gets the edit link and the referral form.
import { h } from '../dom.js';
import { t, loadVocabs, options, label } from '../i18n.js';
import { api } from '../api.js';
import { Form, errorText, today } from '../forms.js';
import { fmtDate } from '../format.js';
import { WORK_VOCABS, workFacts, alertList, stageParts, assessParts, followupParts } from './work.js';
import { ALL_VOCABS, CASE_FIELDS, PERSON_FIELDS, VICTIM_FIELDS, GROUPS, fieldLabel, display, countryOptions } from '../fields.js';

// The stages of a case in their order (docs/CASEWORK.md, vocabulary case_stage). The case page shows
// its sections under them in that order, each stage a section that can be folded; the current one
// marked (in the stepper with aria-current="step", and on its heading).
export const STAGES = ['identification', 'assessment', 'case_plan', 'services', 'followup_reintegration', 'closed'];

export async function caseView(root, [id], query, ctx) {
	const [c, orgs] = await Promise.all([
		api('GET', `/cases/${id}`),
		api('GET', '/orgs')
			.then((d) => d.orgs || [])
			.catch(() => []),
		loadVocabs([...ALL_VOCABS, 'province_2025', 'province_2008', ...WORK_VOCABS]),
	]);
	const persons = c.persons || [];
	const own = c.access === 'own';
	// the casework (the owning organisation's alone: a referral reads none of it)
	const [w, inst] = own
		? await Promise.all([api('GET', `/cases/${id}/workflow`).catch(() => null), api('GET', '/risk/instrument').catch(() => null)])
		: [null, null];
	const reload = (msg) => ctx.navigate(`#/cases/${id}?r=${Date.now()}`, msg);
	const current = w ? w.stage : null;

	root.append(
		h(
			'div',
			{ class: 'title-row' },
			h('h1', {}, t('case.title', { name: c.src_CaseId || c.id })),
			own ? h('a', { class: 'button', href: `#/cases/${c.id}/edit` }, t('case.edit')) : null,
			own ? h('a', { class: 'button secondary', href: `#/cases/${c.id}/work` }, t('case.work')) : null
		),
		h('p', { class: 'access ' + (own ? 'own' : 'referral') }, own ? t('case.accessOwn', { org: c.org || '' }) : t('case.accessReferral', { org: c.org || '' })),
		dl([['org', c.org], ...CASE_FIELDS.map((f) => [f, c[f]])])
	);

	// the workflow: the stages in order, the current one marked, what is due, and the forms that
	// move the stage and assign the case
	const sa = w ? stageParts(w, id, ctx, reload) : null;
	if (w) {
		root.append(
			h(
				'section',
				{ class: 'workflow', 'aria-labelledby': 'sec-workflow' },
				h('h2', { id: 'sec-workflow' }, t('flow.title')),
				stepper(current),
				workFacts(w, true),
				h('h3', {}, t('flow.due')),
				dueList(w),
				(w.alerts || []).length ? alertList(w) : null,
				h('details', { class: 'add' }, h('summary', {}, t('flow.change')), sa.forms)
			)
		);
	}

	const block = (stage, parts) => {
		parts = parts.filter(Boolean);
		if (!parts.length) return null;
		const isCurrent = stage === current;
		const head = h('h2', { id: `stage-${stage}` }, label('case_stage', stage), isCurrent ? h('span', { class: 'tag current' }, t('flow.current')) : null);
		return h(
			'section',
			{ class: 'stage-block' + (isCurrent ? ' current' : ''), 'aria-labelledby': `stage-${stage}`, 'data-stage': stage },
			h('details', { open: true }, h('summary', {}, head), parts)
		);
	};

	// identification: the persons (added and edited here), the victim's context, the events
	const victims = persons.filter((p) => VICTIM_FIELDS.some((f) => has(p[f])) || (p.exploitation || []).length);
	const itemSection = (group) => {
		const rows = [];
		persons.forEach((p, i) => (p[group] || []).forEach((r) => rows.push({ ...r, _person: personName(p, i) })));
		for (const r of c[group] || []) rows.push(r); // a server may keep some at case level
		const add = own && persons.length && ITEM_FIELDS[group] ? itemForm(group, c, persons, ctx, orgs) : null;
		const edit = own && rows.length && ITEM_FIELDS[group] ? itemEdit(group, c, persons, orgs, reload) : null;
		return section(group, t('case.' + group), rows.length ? table(rows, ['_person', ...GROUPS[group]]) : null, add && edit ? [edit, add] : add);
	};
	root.append(
		block('identification', [
			section(
				'persons',
				t('case.persons'),
				persons.length ? persons.map((p, i) => personCard(p, i, own && ctx.me.role === 'supervisor', own ? personEdit(p, i, reload) : null)) : null,
				own ? personForm(c, ctx) : null
			),
			section(
				'victim',
				t('case.victim'),
				victims.length
					? victims.map((p) =>
							h(
								'article',
								{ class: 'person' },
								h('h4', {}, personName(p, persons.indexOf(p))),
								dl(VICTIM_FIELDS.map((f) => [f, p[f]])),
								(p.exploitation || []).length ? h('h5', {}, t('case.exploitation')) : null,
								(p.exploitation || []).length ? table(p.exploitation, GROUPS.exploitation) : null
							)
					  )
					: null
			),
			itemSection('events'),
		])
	);

	// assessment: the risk of re-trafficking, assessed here
	if (w && inst) {
		const ra = assessParts(w, inst, id, reload, c.version);
		root.append(block('assessment', [section('assessments', t('work.assessments'), ra.content, h('details', { class: 'add' }, h('summary', {}, t('flow.addAssessment')), ra.forms))]));
	}
	// case plan: its approval
	if (w) {
		root.append(
			block('case_plan', [
				section(
					'plan',
					t('flow.plan'),
					h('div', {}, h('p', {}, t(w.plan_approved ? 'work.planApproved' : 'work.planNot')), sa.content),
					current === 'case_plan' && !w.plan_approved ? h('p', { class: 'hint' }, t('work.approvalHint')) : null
				),
			])
		);
	}

	// services: assistance, referrals, proceedings
	const refs = [...(c.referrals || [])];
	const incoming = c.incoming_referrals || [];
	root.append(
		block('services', [
			itemSection('assistance'),
			section(
				'referrals',
				t('case.referrals'),
				refs.length || incoming.length
					? [
							refs.length ? table(refs, ['to_org', 'from_org', 'date', 'reason', 'status', ...GROUPS.referrals]) : null,
							incoming.length ? h('h4', {}, t('case.incoming')) : null,
							incoming.length ? table(incoming, GROUPS.incoming_referrals) : null,
					  ]
					: null,
				own ? referralForm(c, ctx, orgs) : null
			),
			itemSection('proceedings'),
		])
	);

	// follow-up and reintegration: the plan of contacts, each contact recorded here
	if (w) {
		const fa = followupParts(w, id, reload, c.version);
		root.append(block('followup_reintegration', [section('followups', t('work.followups'), fa.content, h('details', { class: 'add' }, h('summary', {}, t('flow.addFollowup')), fa.forms))]));
	}

	// closed: the closure and the comments
	const comments = c.comments || [];
	root.append(
		block('closed', [
			dl([
				['cas_ReasonForCaseClosure', c.cas_ReasonForCaseClosure],
				['ctip_CaseClosedDate', c.ctip_CaseClosedDate],
			]),
			section(
				'comments',
				t('case.comments'),
				comments.length
					? h(
							'ol',
							{ class: 'comments' },
							comments.map((m) =>
								h(
									'li',
									{},
									h('p', { class: 'meta' }, [m.ctip_CommentDate || m.date, m.author, m.org].filter(Boolean).join(' · ')),
									h('p', {}, m.cco_CaseComment ?? m.text ?? '')
								)
							)
					  )
					: null,
				own ? h('p', {}, h('a', { href: `#/cases/${c.id}/edit` }, t('case.addComment'))) : null
			),
		])
	);
}

/* The stages in order: those before the current one done, the current one marked
   (aria-current="step"). */
function stepper(current) {
	const at = STAGES.indexOf(current);
	return h(
		'ol',
		{ class: 'stages', 'aria-label': t('flow.stages') },
		STAGES.map((s, i) =>
			h(
				'li',
				{ class: i < at ? 'done' : i === at ? 'current' : 'todo', 'aria-current': i === at ? 'step' : null },
				h('a', { href: `#stage-${s}`, onclick: (e) => jump(e, s) }, label('case_stage', s)),
				i === at ? h('span', { class: 'visually-hidden' }, ' (' + t('flow.current') + ')') : null
			)
		)
	);
}

/* Opens a stage's section and brings it into view (the hash is the route: not changed). */
function jump(e, stage) {
	e.preventDefault();
	const head = document.getElementById(`stage-${stage}`);
	if (!head) return;
	const d = head.closest('details');
	if (d) d.open = true;
	head.scrollIntoView();
	head.setAttribute('tabindex', '-1');
	head.focus();
}

/* What is due in this case now: overdue and next follow-up contacts, approvals waiting, what
   the current stage asks for. */
function dueList(w) {
	const items = [];
	const plan = (w.followups && w.followups.plan) || [];
	const overdue = plan.filter((d) => !d.done && d.overdue);
	const next = plan.find((d) => !d.done && !d.overdue);
	if (overdue.length) items.push(h('li', { class: 'warn' }, t('flow.dueOverdue', { n: overdue.length, date: fmtDate(overdue[0].due) })));
	if (next) items.push(h('li', {}, t('flow.dueNext', { date: fmtDate(next.due) })));
	for (const a of (w.approvals || []).filter((x) => x.status === 'requested')) items.push(h('li', {}, t('flow.dueApproval', { kind: t('work.kind.' + a.kind), by: a.requested_by })));
	if (!w.assigned_to && w.stage !== 'closed') items.push(h('li', {}, t('flow.dueAssign')));
	const assessed = w.risk && (w.risk.assessments || []).length;
	const todo = {
		identification: 'flow.todo.identification',
		assessment: assessed ? 'flow.todo.assessed' : 'flow.todo.assessment',
		case_plan: w.plan_approved ? 'flow.todo.planApproved' : 'flow.todo.case_plan',
		services: 'flow.todo.services',
		followup_reintegration: plan.length ? null : 'flow.todo.followup',
		closed: null,
	}[w.stage];
	if (todo) items.push(h('li', {}, t(todo)));
	return items.length ? h('ul', { class: 'due' }, items) : h('p', { class: 'empty' }, t('flow.nothingDue'));
}

function has(v) {
	return v !== undefined && v !== null && v !== '' && !(Array.isArray(v) && !v.length);
}

export function personName(p, i) {
	const name = [p.prs_SecondName, p.prs_MiddleName, p.prs_FirstName].filter(Boolean).join(' ');
	const role = p.ctip_Role || p.role;
	const roleText = role ? label('person_role', capitalise(role)) : '';
	if (name) return roleText ? `${name} (${roleText})` : name;
	return t('case.personN', { n: i + 1, role: roleText || t('case.person') });
}

function capitalise(s) {
	return s.charAt(0).toUpperCase() + s.slice(1);
}

function personCard(p, i, supervisor, edit) {
	const docs = p.identity_documents || [];
	return h(
		'article',
		{ class: 'person' },
		h('h4', {}, personName(p, i)),
		p.redacted
			? h('p', { class: 'notice redacted', role: 'note' }, h('strong', {}, t('person.redacted')), ' ', t('person.redactedWhy'))
			: null,
		dl(PERSON_FIELDS.map((f) => [f, f === 'ctip_Role' ? capitalise(p.ctip_Role || p.role || '') : p[f]])),
		supervisor && p.id ? h('p', {}, h('a', { href: `#/audit?person=${p.id}` }, t('case.whoSaw'))) : null,
		docs.length ? h('h5', {}, t('case.documents')) : null,
		docs.length ? table(docs, GROUPS.identity_documents) : null,
		p.redacted ? null : edit
	);
}

function section(id, title, content, extra) {
	return h(
		'section',
		{ class: 'case-section', 'aria-labelledby': `sec-${id}` },
		h('h3', { id: `sec-${id}` }, title),
		content || h('p', { class: 'empty' }, t('case.noneRecorded')),
		extra
	);
}

/* A definition list of the fields that have a value. */
function dl(pairs) {
	const items = pairs.filter(([, v]) => has(v));
	if (!items.length) return null;
	return h('dl', { class: 'fields' }, items.map(([f, v]) => [h('dt', {}, fieldLabel(f)), h('dd', {}, display(f, v))]));
}

/* A table of a group's items: the listed columns that occur, then any others the server sent. */
function table(items, columns) {
	const skip = new Set(['id', 'case_id', 'person_id']);
	const cols = columns.filter((c) => items.some((r) => has(r[c])));
	for (const r of items) for (const k of Object.keys(r)) if (!skip.has(k) && !cols.includes(k) && has(r[k])) cols.push(k);
	return h(
		'table',
		{ class: 'list' },
		h('thead', {}, h('tr', {}, cols.map((c) => h('th', { scope: 'col' }, c === '_person' ? t('case.person') : fieldLabel(c))))),
		h('tbody', {}, items.map((r) => h('tr', {}, cols.map((c) => h('td', {}, display(c, r[c]))))))
	);
}

/* Whether a person's identity goes with a referral (server/access.c, consent_shares_identity):
   consent given, with sharing with referral organisations and sharing identity in its scope. */
export function sharesIdentity(p) {
	const scope = Array.isArray(p.ctip_ConsentScope) ? p.ctip_ConsentScope : String(p.ctip_ConsentScope || '').split(';');
	return (p.con_Consent === true || p.con_Consent === 'true') && scope.includes('ShareWithReferralOrgs') && scope.includes('ShareIdentity');
}

/* The referral form: no organisation chosen in advance, a note for the receiver, and a
   confirmation step that says what the receiving organisation will see before anything is sent. */
function referralForm(c, ctx, allOrgs) {
	const orgs = allOrgs.filter((o) => o.name !== c.org);
	const form = new Form('referral');
	const button = h('button', { type: 'submit' }, t('referral.review'));
	const fields = h(
		'div',
		{},
		form.field('to_org', t('referral.to'), {
			options: orgs.map((o) => ({ code: o.name, label: o.type ? `${o.name} (${label('org_type', o.type)})` : o.name })),
			empty: t('referral.chooseOrg'),
		}),
		form.field('reason', t('referral.reason'), { options: options('referral_reason') }),
		form.date('date', t('referral.date'), { value: today() }),
		form.field('note', t('referral.note'), { textarea: true, rows: 4, hint: t('referral.noteHint') }),
		h('div', { class: 'actions' }, button)
	);
	const confirm = h('div', { class: 'confirm', hidden: true });
	const el = h('form', { class: 'card', 'aria-labelledby': 'referral-title', novalidate: true, 'data-guard': '' }, h('h4', { id: 'referral-title' }, t('referral.title')), form.summary, fields, confirm);
	let body = null;
	const back = () => {
		confirm.hidden = true;
		fields.hidden = false;
		form.control('to_org').focus();
	};
	const send = async (sendButton) => {
		sendButton.disabled = true;
		try {
			await api('POST', '/referrals', body);
			ctx.navigate(`#/cases/${c.id}`, t('referral.done', { org: body.to_org }));
		} catch (err) {
			sendButton.disabled = false;
			back();
			form.showError(errorText(err), err.field);
		}
	};
	el.addEventListener('submit', (e) => {
		e.preventDefault();
		form.clearErrors();
		const to = form.value('to_org');
		if (!to) return form.showError(t('referral.needOrg'), 'to_org');
		if (!form.validate()) return;
		body = { case_id: Number(c.id), to_org: to };
		if (form.value('reason')) body.reason = form.value('reason');
		if (form.value('date')) body.date = form.value('date');
		if (form.value('note')) body.note = form.value('note');
		const persons = c.persons || [];
		const sendButton = h('button', { type: 'button' }, t('referral.send'));
		sendButton.addEventListener('click', () => send(sendButton));
		const backButton = h('button', { type: 'button', class: 'secondary' }, t('referral.back'));
		backButton.addEventListener('click', back);
		const allShown = persons.length && persons.every(sharesIdentity);
		confirm.replaceChildren(
			h('h5', { id: 'referral-confirm-title', tabindex: '-1' }, t('referral.confirmTitle', { org: to })),
			h(
				'dl',
				{ class: 'fields' },
				h('dt', {}, t('referral.to')),
				h('dd', {}, to),
				body.reason ? [h('dt', {}, t('referral.reason')), h('dd', {}, label('referral_reason', body.reason))] : null,
				h('dt', {}, t('referral.date')),
				h('dd', {}, fmtDate(body.date || today())),
				h('dt', {}, t('referral.note')),
				h('dd', {}, body.note || t('referral.noNote'))
			),
			h('p', {}, t('referral.willSee')),
			h(
				'ul',
				{ class: 'shared' },
				persons.map((p, i) =>
					h(
						'li',
						{ class: sharesIdentity(p) ? 'shown' : 'hidden-identity' },
						sharesIdentity(p)
							? t('referral.personShown', { person: personName(p, i) })
							: t('referral.personHidden', { person: t('case.personN', { n: i + 1, role: label('person_role', capitalise(p.ctip_Role || p.role || '')) }) })
					)
				),
				h('li', {}, t('referral.itemsShared')),
				h('li', {}, t('referral.commentsNot')),
				allShown ? null : h('li', {}, t('referral.closureNot'))
			),
			h('div', { class: 'actions' }, sendButton, backButton)
		);
		fields.hidden = true;
		confirm.hidden = false;
		confirm.querySelector('h5').focus();
	});
	return el;
}

/* The fields of the forms that add an item to a person in the case (POST /api/events,
   POST /api/assistance, POST /api/proceedings); a select for picklists, numbers sent as numbers. */
const ITEM_FIELDS = {
	events: [
		['hte_Type', { vocab: 'event_type', required: true }],
		['hte_Date', { date: true }],
		['hte_Country', { country: true }],
		['hte_State', {}],
		['hte_City', {}],
	],
	assistance: [
		['ctip_AssistanceKind', { vocab: 'assistance_kind', required: true }],
		['ctip_AssistanceDate', { date: true }],
		['ctip_AssistanceAmount', { number: true, hint: 'case.amountHint' }],
		['ctip_AssistanceProvider', { org: true }],
	],
	proceedings: [
		['ctip_ProcStage', { vocab: 'proceeding_stage', required: true }],
		['ctip_ProcDate', { date: true }],
		['ctip_ProcArticle', { vocab: 'criminal_article' }],
		['ctip_ProcSentenceKind', { vocab: 'sentence_kind' }],
		['ctip_ProcSentenceMonths', { number: true }],
	],
};

/* The controls of an item's fields in form, filled from values (an item as the API gives it). */
function itemFields(form, fields, orgs, values) {
	return fields.map(([name, o]) => {
		const value = values[name] === undefined || values[name] === null ? '' : String(values[name]);
		return o.date
			? form.date(name, fieldLabel(name), { partial: true, value })
			: o.country
			? form.picker(name, fieldLabel(name), { options: countryOptions(), value })
			: o.org
			? form.picker(name, fieldLabel(name), { options: orgs.map((g) => ({ code: g.name, label: g.name })), free: true, hint: t('case.providerHint'), value })
			: form.field(name, fieldLabel(name), {
					options: o.vocab ? options(o.vocab) : undefined,
					required: o.required,
					hint: o.hint ? t(o.hint) : undefined,
					inputmode: o.number ? 'numeric' : undefined,
					value,
			  });
	});
}

/* Corrects one item already recorded (PATCH /api/events|assistance|proceedings/{id}): the entry is
   chosen from a list that says whose it is, what and when; its fields come filled in; only the
   fields that changed are sent, on an explicit save, with the version of the case read, so that a
   change someone else made meanwhile is refused (409) rather than overwritten. The items (with
   their ids) are read when the section is opened. */
function itemEdit(group, c, persons, orgs, reload) {
	const fields = ITEM_FIELDS[group];
	const [first, firstOpts] = fields[0];
	const dateField = fields.find(([, o]) => o.date);
	const body = h('div', {});
	const details = h('details', { class: 'add edit-item' }, h('summary', {}, t('case.editItem')), body);
	const describe = (it) => {
		const pi = persons.findIndex((p) => String(p.id) === String(it.person_id));
		const when = dateField && it[dateField[0]] ? fmtDate(it[dateField[0]]) : t('case.noDate');
		return [pi >= 0 ? personName(persons[pi], pi) : '', label(firstOpts.vocab, it[first]), when].filter(Boolean).join(' · ');
	};
	const show = (items, chosen) => {
		const form = new Form(`edit-${group}`);
		const it = items.find((x) => String(x.id) === chosen) || items[0];
		const button = h('button', { type: 'submit' }, t('case.itemSave'));
		const el = h(
			'form',
			{ novalidate: true, 'data-guard': '' },
			form.summary,
			form.field('item', t('case.whichItem'), { options: items.map((x) => ({ code: String(x.id), label: describe(x) })), value: String(it.id), required: true }),
			itemFields(form, fields, orgs, it),
			h('div', { class: 'actions' }, button)
		);
		form.control('item').addEventListener('change', () => {
			show(items, form.value('item'));
			body.querySelector('select').focus();
		});
		el.addEventListener('submit', async (e) => {
			e.preventDefault();
			form.clearErrors();
			if (!form.validate()) return;
			const change = {};
			for (const [name, o] of fields) {
				const v = form.value(name);
				const was = it[name] === undefined || it[name] === null ? '' : String(it[name]);
				if (v === was) continue;
				change[name] = v === '' ? null : o.number && /^\d+$/.test(v) ? Number(v) : v;
			}
			if (!Object.keys(change).length) return form.showError(t('edit.nothing'));
			if (change[first] === null) return form.showError(t('case.itemNeed', { field: fieldLabel(first) }), first);
			if (c.version) change.version = c.version;
			button.disabled = true;
			try {
				await api('PATCH', `/${group}/${it.id}`, change);
				reload(t('case.itemSaved'));
			} catch (err) {
				button.disabled = false;
				form.showError(errorText(err), err.field);
			}
		});
		body.replaceChildren(el);
	};
	let loaded = false;
	details.addEventListener('toggle', async () => {
		if (!details.open || loaded) return;
		loaded = true;
		body.replaceChildren(h('p', { class: 'hint' }, t('app.loading')));
		try {
			const items = (await api('GET', `/${group}?case_id=${c.id}`))[group] || [];
			if (!items.length) body.replaceChildren(h('p', {}, t('case.noItems')));
			else show(items, String(items[0].id));
		} catch (err) {
			loaded = false;
			body.replaceChildren(h('p', { class: 'message', role: 'alert' }, errorText(err)));
		}
	});
	return details;
}

function itemForm(group, c, persons, ctx, orgs) {
	const form = new Form('add-' + group);
	const button = h('button', { type: 'submit' }, t('case.itemSubmit'));
	const fields = ITEM_FIELDS[group];
	const el = h(
		'form',
		{ novalidate: true, 'data-guard': '' },
		form.summary,
		form.field('person_id', t('case.person'), {
			options: persons.map((p, i) => ({ code: String(p.id), label: personName(p, i) })),
			required: true,
			value: String(persons[0].id),
		}),
		itemFields(form, fields, orgs, {}),
		h('div', { class: 'actions' }, button)
	);
	el.addEventListener('submit', async (e) => {
		e.preventDefault();
		form.clearErrors();
		if (!form.validate()) return;
		const body = { case_id: Number(c.id), person_id: Number(form.value('person_id')) };
		for (const [name, o] of fields) {
			const v = form.value(name);
			if (!v) continue;
			body[name] = o.number && /^\d+$/.test(v) ? Number(v) : v;
		}
		const [first] = fields[0];
		if (!body[first]) return form.showError(t('case.itemNeed', { field: fieldLabel(first) }), first);
		button.disabled = true;
		try {
			await api('POST', '/' + group, body);
			ctx.navigate(`#/cases/${c.id}`, t('case.itemDone'));
		} catch (err) {
			button.disabled = false;
			form.showError(errorText(err), err.field);
		}
	});
	const summary = { assistance: 'case.addAssistance', proceedings: 'case.addProceeding', events: 'case.addEvent' }[group];
	return h('details', { class: 'add' }, h('summary', {}, t(summary)), el);
}

/* Adds a person (perpetrator, witness, family member, another victim) to the case: POST /api/persons. */
function personForm(c, ctx) {
	const form = new Form('add-person');
	const button = h('button', { type: 'submit' }, t('case.itemSubmit'));
	const text = ['prs_SecondName', 'prs_MiddleName', 'prs_FirstName', 'prs_Birthdate'];
	const el = h(
		'form',
		{ novalidate: true, 'data-guard': '' },
		form.summary,
		form.field('role', fieldLabel('ctip_Role'), { options: options('person_role'), required: true }),
		text.map((f) => (f === 'prs_Birthdate' ? form.date(f, fieldLabel(f), { partial: true }) : form.field(f, fieldLabel(f)))),
		form.field('prs_Gender', fieldLabel('prs_Gender'), { options: options('gender') }),
		form.picker('prs_Citizenship', fieldLabel('prs_Citizenship'), { options: countryOptions() }),
		h('div', { class: 'actions' }, button)
	);
	el.addEventListener('submit', async (e) => {
		e.preventDefault();
		form.clearErrors();
		if (!form.validate()) return;
		if (!form.value('role')) return form.showError(t('case.itemNeed', { field: fieldLabel('ctip_Role') }), 'role');
		const body = { case_id: Number(c.id), role: form.value('role') };
		for (const f of [...text, 'prs_Gender', 'prs_Citizenship']) if (form.value(f)) body[f] = form.value(f);
		button.disabled = true;
		try {
			await api('POST', '/persons', body);
			ctx.navigate(`#/cases/${c.id}`, t('case.itemDone'));
		} catch (err) {
			button.disabled = false;
			form.showError(errorText(err), err.field === 'ctip_Role' ? 'role' : err.field);
		}
	});
	return h('details', { class: 'add' }, h('summary', {}, t('case.addPerson')), el);
}

/* Edits a person record's identity (PATCH /api/persons/{id}): only the fields that changed are
   sent, on an explicit save; the owner organisation's only. */
const EDIT_TEXT = ['prs_SecondName', 'prs_MiddleName', 'prs_FirstName', 'prs_MobilePhone', 'prs_MailingStreet', 'ctip_MailingCommune'];
function personEdit(p, i, reload) {
	if (!p.id) return null;
	const form = new Form('edit-person-' + p.id);
	const button = h('button', { type: 'submit' }, t('flow.savePerson'));
	const el = h(
		'form',
		{ novalidate: true, 'data-guard': '' },
		form.summary,
		EDIT_TEXT.map((f) => form.field(f, fieldLabel(f), { value: p[f] || '' })),
		form.date('prs_Birthdate', fieldLabel('prs_Birthdate'), { partial: true, value: p.prs_Birthdate || '' }),
		form.field('prs_Gender', fieldLabel('prs_Gender'), { options: options('gender'), value: p.prs_Gender || '' }),
		h('div', { class: 'actions' }, button)
	);
	el.addEventListener('submit', async (e) => {
		e.preventDefault();
		form.clearErrors();
		if (!form.validate()) return;
		const body = {};
		for (const f of [...EDIT_TEXT, 'prs_Birthdate', 'prs_Gender']) {
			const v = form.value(f);
			if (v !== (p[f] || '')) body[f] = v === '' ? null : v;
		}
		if (!Object.keys(body).length) return form.showError(t('edit.nothing'));
		button.disabled = true;
		try {
			await api('PATCH', `/persons/${p.id}`, body);
			reload(t('flow.personSaved', { person: personName(p, i) }));
		} catch (err) {
			button.disabled = false;
			form.showError(errorText(err), err.field);
		}
	});
	return h('details', { class: 'add' }, h('summary', {}, t('flow.editPerson')), el);
}
