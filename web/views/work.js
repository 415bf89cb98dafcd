// views/work.js - the casework of one case (docs/CASEWORK.md; GET /api/cases/{id}/workflow): its
// stage and assigned worker, supervisors' approvals, risk assessments with their trend, the
// follow-up plan and contacts, open alerts; forms to move the stage, assign, assess, plan and
// record a follow-up contact, and to correct a recorded assessment or contact. The owning
// organisation's alone (the server answers 403/404).
import { h } from '../dom.js';
import { t, loadVocabs, options, label, currentLang } from '../i18n.js';
import { api } from '../api.js';
import { Form, errorText, today } from '../forms.js';
import { fmtDate } from '../format.js';

const VOCABS = ['case_stage', 'followup_mode', 'followup_outcome', 'risk_level', 'case_status'];

export const WORK_VOCABS = VOCABS;

export async function workView(root, [id], query, ctx) {
	const [w, inst] = await Promise.all([api('GET', `/cases/${id}/workflow`), api('GET', '/risk/instrument'), loadVocabs(VOCABS)]);
	const reload = (msg) => ctx.navigate(`#/cases/${id}/work?r=${Date.now()}`, msg);
	root.append(
		h('div', { class: 'title-row' }, h('h1', {}, t('work.title', { name: w.src_case_id || w.case_id })), h('a', { class: 'button secondary', href: `#/cases/${id}` }, t('work.toCase'))),
		workFacts(w)
	);
	if ((w.alerts || []).length) root.append(alertList(w));
	const sa = stageParts(w, id, ctx, reload);
	root.append(section('work-stage', t('work.workflow'), sa.content, sa.forms));
	const ra = assessParts(w, inst, id, reload);
	root.append(section('work-risk', t('work.assessments'), ra.content, ra.forms));
	const fa = followupParts(w, id, reload);
	root.append(section('work-followup', t('work.followups'), fa.content, fa.forms));
}

/* The case's casework in a few facts. */
export function workFacts(w, noStatus) {
	return h(
			'dl',
			{ class: 'fields' },
			[
				['work.stage', label('case_stage', w.stage)],
				noStatus ? null : ['work.status', w.cas_Status ? label('case_status', w.cas_Status) : '-'],
				['work.assigned', w.assigned_to || t('work.nobody')],
				['work.plan', t(w.plan_approved ? 'work.planApproved' : 'work.planNot')],
				['work.risk', w.risk.level ? `${label('risk_level', w.risk.level)} (${t('work.trend.' + w.risk.trend)})` : t('work.notAssessed')],
				['work.followup', t('work.fu.' + w.followup)],
			]
				.filter(Boolean)
				.map(([k, v]) => [h('dt', {}, t(k)), h('dd', {}, v)])
		);
}

export function alertList(w) {
	return h('div', { role: 'status' }, h('ul', { class: 'alerts' }, w.alerts.map((a) => h('li', { class: 'alert' }, `${t('alert.' + a.kind)}: ${a.detail}`))));
}

/* The stage and the assignment: the approvals, and the forms that move and assign (each an
   explicit submit; reload(msg) shows the page again with msg). */
export function stageParts(w, id, ctx, reload) {
	// stage and assignment
	const sf = new Form('stage');
	const stageForm = h(
		'form',
		{ class: 'card', novalidate: true, 'data-guard': '', 'aria-labelledby': 'stage-title' },
		h('h2', { id: 'stage-title' }, t('work.moveTitle')),
		sf.summary,
		sf.field('stage', t('work.stage'), { options: options('case_stage'), required: true, value: w.stage }),
		sf.field('comment', t('work.comment'), { textarea: true }),
		h('p', { class: 'hint' }, t('work.approvalHint')),
		h('button', { type: 'submit' }, t('work.move'))
	);
	stageForm.addEventListener('submit', async (ev) => {
		ev.preventDefault();
		try {
			const r = await api('POST', `/cases/${id}/stage`, { stage: sf.value('stage'), comment: sf.value('comment') || undefined });
			reload(r.approval ? t('work.requested', { id: r.approval }) : t('work.moved'));
		} catch (err) {
			sf.showError(errorText(err), err.field);
		}
	});
	const af = new Form('assign');
	const assignForm = h(
		'form',
		{ class: 'card', novalidate: true, 'data-guard': '', 'aria-labelledby': 'assign-title' },
		h('h2', { id: 'assign-title' }, t('work.assignTitle')),
		af.summary,
		af.field('to', t('work.assignTo'), { required: true, value: w.assigned_to || ctx.me.username, autocomplete: 'username' }),
		h('button', { type: 'submit' }, t('work.assign'))
	);
	assignForm.addEventListener('submit', async (ev) => {
		ev.preventDefault();
		try {
			await api('POST', `/cases/${id}/assign`, { to: af.value('to') });
			reload(t('work.assigned.done', { user: af.value('to') }));
		} catch (err) {
			af.showError(errorText(err), err.field);
		}
	});
	return { content: approvals(w.approvals || []), forms: [stageForm, assignForm] };
}

/* The risk assessments with their trend, the form of a new one and the correction of one
   recorded (version: the case's version read, sent with a correction; the case page has it). */
export function assessParts(w, inst, id, reload, version) {
	const lang = currentLang();
	// risk assessments
	const rf = new Form('assess');
	const qLabel = (o) => (lang === 'vi' ? o.label_vi : o.label_en);
	const assessForm = h(
		'form',
		{ class: 'card', novalidate: true, 'data-guard': '', 'aria-labelledby': 'assess-title' },
		h('h2', { id: 'assess-title' }, t('work.assessTitle')),
		rf.summary,
		rf.date('date', t('work.date'), { value: today() }),
		inst.questions.map((q) => rf.field('q_' + q.code, qLabel(q), { options: q.answers.map((a) => ({ code: a.code, label: qLabel(a) })) })),
		h('button', { type: 'submit' }, t('work.assess'))
	);
	assessForm.addEventListener('submit', async (ev) => {
		ev.preventDefault();
		if (!rf.validate()) return;
		const answers = {};
		for (const q of inst.questions) if (rf.value('q_' + q.code)) answers[q.code] = rf.value('q_' + q.code);
		try {
			const r = await api('POST', `/cases/${id}/assessments`, { date: rf.value('date') || undefined, answers });
			reload(t('work.assessed', { score: r.score, level: label('risk_level', r.level) }));
		} catch (err) {
			rf.showError(errorText(err), err.field && err.field.startsWith('q_') ? err.field : err.field && 'q_' + err.field);
		}
	});
	const as = w.risk.assessments || [];
	const fix = as.length
		? corrector({
				key: 'assessment',
				entries: as,
				describe: (a) => [fmtDate(a.date), label('risk_level', a.level), String(a.score)].join(' · '),
				fill: (form, a) => [
					form.date('date', t('work.date'), { value: a.date, required: true }),
					inst.questions.map((q) => form.field('q_' + q.code, qLabel(q), { options: q.answers.map((x) => ({ code: x.code, label: qLabel(x) })), value: (a.answers || {})[q.code] || '' })),
				],
				diff: (form, a) => {
					const change = {},
						answers = {};
					if (form.value('date') !== a.date) change.date = form.value('date');
					for (const q of inst.questions) {
						const v = form.value('q_' + q.code),
							was = (a.answers || {})[q.code] || '';
						if (v !== was) answers[q.code] = v || null;
					}
					if (Object.keys(answers).length) change.answers = answers;
					return change;
				},
				field: (f) => (f && f !== 'date' && f !== 'answers' && f !== 'version' ? 'q_' + f : f),
				path: `cases/${id}/assessments`,
				saved: (r) => t('work.assessFixed', { score: r.score, level: label('risk_level', r.level) }),
				version,
				reload,
		  })
		: null;
	return {
		content: as.length
			? [list(['work.date', 'work.score', 'work.level', 'work.by', 'work.correctCol'], as.map((a) => [fmtDate(a.date), String(a.score), label('risk_level', a.level), a.created_by, fix.button(a, t('work.correctAssessLabel', { date: fmtDate(a.date) }))])), fix.details]
			: null,
		forms: assessForm,
	};
}

/* The follow-up plan and contacts, the forms that plan and record, and the correction of a
   recorded contact (version as for assessParts). */
export function followupParts(w, id, reload, version) {
	// follow-up
	const pf = new Form('plan');
	const planForm = h(
		'form',
		{ class: 'card', novalidate: true, 'data-guard': '', 'aria-labelledby': 'plan-title' },
		h('h2', { id: 'plan-title' }, t('work.planTitle')),
		pf.summary,
		pf.date('from', t('work.from'), { value: today() }),
		pf.field('months', t('work.months'), { placeholder: '1,3,6,12,24', hint: t('work.monthsHint') }),
		h('button', { type: 'submit' }, t('work.planSubmit'))
	);
	planForm.addEventListener('submit', async (ev) => {
		ev.preventDefault();
		if (!pf.validate()) return;
		try {
			const r = await api('POST', `/cases/${id}/followups/plan`, { from: pf.value('from') || undefined, months: pf.value('months') || undefined });
			reload(t('work.planned', { n: r.planned }));
		} catch (err) {
			pf.showError(errorText(err), err.field);
		}
	});
	const cf = new Form('contact');
	const recordForm = h(
		'form',
		{ class: 'card', novalidate: true, 'data-guard': '', 'aria-labelledby': 'record-title' },
		h('h2', { id: 'record-title' }, t('work.recordTitle')),
		cf.summary,
		cf.date('date', t('work.date'), { value: today() }),
		cf.field('mode', t('work.mode'), { options: options('followup_mode'), required: true }),
		cf.field('outcome', t('work.outcome'), { options: options('followup_outcome'), required: true }),
		cf.field('notes', t('work.notes'), { textarea: true }),
		h('button', { type: 'submit' }, t('work.record'))
	);
	recordForm.addEventListener('submit', async (ev) => {
		ev.preventDefault();
		if (!cf.validate()) return;
		try {
			const r = await api('POST', `/cases/${id}/followups`, { date: cf.value('date') || undefined, mode: cf.value('mode'), outcome: cf.value('outcome'), notes: cf.value('notes') || undefined });
			reload(t('work.recorded', { state: t('work.fu.' + r.followup) }));
		} catch (err) {
			cf.showError(errorText(err), err.field);
		}
	});
	const plan = w.followups.plan || [],
		contacts = w.followups.contacts || [];
	const FIELDS = ['date', 'mode', 'outcome', 'who', 'notes'];
	const fix = contacts.length
		? corrector({
				key: 'contact',
				entries: contacts,
				describe: (c) => [fmtDate(c.date), label('followup_mode', c.mode), label('followup_outcome', c.outcome)].join(' · '),
				fill: (form, c) => [
					form.date('date', t('work.date'), { value: c.date, required: true }),
					form.field('mode', t('work.mode'), { options: options('followup_mode'), required: true, value: c.mode }),
					form.field('outcome', t('work.outcome'), { options: options('followup_outcome'), required: true, value: c.outcome }),
					form.field('who', t('work.who'), { value: c.who || '' }),
					form.field('notes', t('work.notes'), { textarea: true, value: c.notes || '' }),
				],
				diff: (form, c) => {
					const change = {};
					for (const f of FIELDS) if (form.value(f) !== (c[f] || '')) change[f] = form.value(f);
					return change;
				},
				field: (f) => f,
				path: `cases/${id}/followups`,
				saved: (r) => t('work.contactFixed', { state: t('work.fu.' + r.followup) }),
				version,
				reload,
		  })
		: null;
	return {
		content:
			plan.length || contacts.length
				? [
						plan.length ? list(['work.due', 'work.monthsCol', 'work.state'], plan.map((d) => [fmtDate(d.due), String(d.months), d.done ? t('work.done', { date: fmtDate(d.done) }) : d.overdue ? t('work.overdue') : t('work.open')])) : null,
						contacts.length
							? list(['work.date', 'work.mode', 'work.outcome', 'work.by', 'work.notes', 'work.correctCol'], contacts.map((c) => [fmtDate(c.date), label('followup_mode', c.mode), label('followup_outcome', c.outcome), c.who, c.notes || '', fix.button(c, t('work.correctContactLabel', { date: fmtDate(c.date) }))]))
							: null,
						fix ? fix.details : null,
				  ]
				: null,
		forms: [planForm, recordForm],
	};
}

/* Corrects a recorded entry (an assessment, a follow-up contact): PATCH o.path/{id}. Each row's
   "Correct" button opens the form filled in with that entry (another can be chosen in it); only
   the fields that changed are sent, on an explicit Save, with the case's version when known so
   that a change someone made meanwhile is refused (409) rather than overwritten. */
function corrector(o) {
	const body = h('div', {});
	const details = h('details', { class: 'add edit-item', id: `correct-${o.key}` }, h('summary', {}, t(`work.correct.${o.key}`)), body);
	const show = (chosen) => {
		shown = true;
		const form = new Form(`correct-${o.key}`);
		const it = o.entries.find((x) => String(x.id) === String(chosen)) || o.entries[0];
		const button = h('button', { type: 'submit' }, t('case.itemSave'));
		const el = h(
			'form',
			{ novalidate: true, 'data-guard': '' },
			form.summary,
			form.field('entry', t('case.whichItem'), { options: o.entries.map((x) => ({ code: String(x.id), label: o.describe(x) })), value: String(it.id), required: true }),
			o.fill(form, it),
			h('div', { class: 'actions' }, button)
		);
		form.control('entry').addEventListener('change', () => {
			show(form.value('entry'));
			body.querySelector('select').focus();
		});
		el.addEventListener('submit', async (e) => {
			e.preventDefault();
			form.clearErrors();
			if (!form.validate()) return;
			const change = o.diff(form, it);
			if (!Object.keys(change).length) return form.showError(t('edit.nothing'));
			if (o.version) change.version = o.version;
			button.disabled = true;
			try {
				const r = await api('PATCH', `/${o.path}/${it.id}`, change);
				o.reload(o.saved(r));
			} catch (err) {
				button.disabled = false;
				form.showError(errorText(err), o.field(err.field));
			}
		});
		body.replaceChildren(el);
	};
	// filled in when first opened: a closed correction adds no second set of fields to the page
	let shown = false;
	details.addEventListener('toggle', () => {
		if (details.open && !shown) show(o.entries[o.entries.length - 1].id);
	});
	const open = (id) => {
		shown = true;
		details.open = true;
		show(id);
		body.querySelector('select').focus();
	};
	const button = (x, aria) => h('button', { type: 'button', class: 'secondary', 'aria-label': aria, onclick: () => open(x.id) }, t('work.correct'));
	return { details, button };
}

function approvals(list0) {
	if (!list0.length) return null;
	return list(
		['work.approval', 'work.kind', 'work.state', 'work.requestedBy', 'work.comment'],
		list0.map((a) => [String(a.id), t('work.kind.' + a.kind), t('work.ap.' + a.status), a.requested_by, [a.request_comment, a.comment].filter(Boolean).join(' / ')])
	);
}

function section(id, title, content, extra) {
	return h('section', { class: 'case-section', 'aria-labelledby': `sec-${id}` }, h('h2', { id: `sec-${id}` }, title), content || h('p', { class: 'empty' }, t('case.noneRecorded')), extra);
}

function list(cols, rows) {
	// a wide table scrolls by itself, not the page (390 px phones)
	return h(
		'div',
		{ class: 'table-scroll', tabindex: '0' },
		h(
			'table',
			{ class: 'list' },
			h('thead', {}, h('tr', {}, cols.map((c) => h('th', { scope: 'col' }, t(c))))),
			h('tbody', {}, rows.map((r) => h('tr', {}, r.map((v) => h('td', {}, v)))))
		)
	);
}
