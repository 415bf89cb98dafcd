// views/comms.js - the communications tracker (docs/COMMS.md; /api/comms): the organisation's
// UN letters, government replies, TIP questionnaire items and requests from other countries,
// searchable and filtered by status, overdue ones marked; a form to record one; a communication's
// page with its questions, answers saved with the version read (a save over someone else's newer
// one is refused, 409, and said so), its evidence, and its reply computed from records now as a
// document to print (HTML) or a workbook (XLSX), whose figures can be entered into the ledger.
// Writers add evidence to an answer: a figure of the registry, a statistics table, figures of
// the ledger, a case, a document (each chosen by its label, never its code); saved like an answer.
import { h, clear } from '../dom.js';
import { t, loadVocabs, options, label } from '../i18n.js';
import { api } from '../api.js';
import { Form, errorText, today } from '../forms.js';
import { fmtDate } from '../format.js';

const VOCABS = ['comm_kind', 'comm_status'];
const WRITERS = ['supervisor', 'analyst', 'admin'];
// what evidence can be (docs/COMMS.md), the measures the registry computes
// (lib/stats/figures_registry.c), the counts a table can be and their dimensions (as stats.js)
const EV_KINDS = ['figure', 'stats', 'ledger', 'case', 'document'];
const MEASURES = ['victims_identified', 'victims_detected', 'cases_denounced', 'cases_verified', 'cases_investigated', 'cases_prosecuted', 'cases_tried', 'offenders_investigated', 'defendants_prosecuted', 'defendants_tried', 'defendants_convicted', 'hotline_contacts'];
const TABLE_DIMS = {
	victims: ['gender', 'age_group', 'ethnicity', 'citizenship', 'origin_province', 'destination_country', 'exploitation_type', 'labour_industry', 'recruitment_method', 'control_method', 'article', 'stage', 'trafficking_status', 'org_type', 'company'],
	cases: ['exploitation_type', 'article', 'stage', 'org_type'],
	offenders: ['gender', 'age_group', 'ethnicity', 'citizenship', 'origin_province', 'article', 'stage', 'org_type', 'sentence'],
	referrals: ['org_type', 'referral_reason'],
	assistance: ['gender', 'age_group', 'origin_province', 'exploitation_type', 'trafficking_status', 'org_type', 'assistance_kind'],
};
// a period as the reader reads it: 06/2023 in Vietnamese for 2023-06; quarters and ranges as written
const showPeriod = (p) => (p ? fmtDate(p) : '');

// dates as the reader reads them (format.js: dd/mm/yyyy in Vietnamese); none: a dash
const showDate = (iso) => fmtDate(iso) || '–';

export async function commsView(root, params, query, ctx) {
	const [data] = await Promise.all([api('GET', '/comms'), loadVocabs(VOCABS)]);
	const all = data.communications || [];
	root.append(h('h1', {}, t('comms.title')), h('p', { class: 'hint' }, t('comms.intro')));
	// filter and search in the page: an organisation has tens of communications, not thousands
	const search = h('input', { id: 'comms-q', type: 'search', value: query.get('q') || '' });
	const status = h('select', { id: 'comms-status' }, h('option', { value: '' }, t('comms.allStatuses')), options('comm_status').map((o) => h('option', { value: o.code }, o.label)));
	status.value = query.get('status') || '';
	const overdue = h('input', { id: 'comms-overdue', type: 'checkbox' });
	overdue.checked = query.get('overdue') === '1';
	const count = h('p', { role: 'status', class: 'count' });
	const tbody = h('tbody');
	let sortKey = 'received';
	let sortDir = -1;
	const draw = () => {
		const q = search.value.trim().toLowerCase();
		const rows = all
			.filter((c) => !status.value || c.status === status.value)
			.filter((c) => !overdue.checked || c.overdue)
			.filter((c) => !q || `${c.ref} ${c.sender} ${c.subject}`.toLowerCase().includes(q))
			.sort((a, b) => sortDir * String(a[sortKey] || '').localeCompare(String(b[sortKey] || '')));
		count.textContent = t('comms.count', { n: rows.length, total: all.length });
		clear(tbody).append(
			...rows.map((c) =>
				h(
					'tr',
					{ class: c.overdue ? 'overdue' : null },
					h('td', {}, h('a', { href: `#/comms/${c.id}` }, c.ref)),
					h('td', {}, label('comm_kind', c.kind)),
					h('td', {}, c.sender),
					h('td', {}, showDate(c.received)),
					h('td', {}, showDate(c.due), c.overdue ? h('strong', { class: 'badge' }, ' ' + t('comms.overdue')) : null),
					h('td', {}, label('comm_status', c.status))
				)
			)
		);
	};
	const sortable = (key, text) =>
		h(
			'th',
			{ scope: 'col' },
			h(
				'button',
				{
					type: 'button',
					class: 'sort',
					onclick: () => {
						sortDir = sortKey === key ? -sortDir : 1;
						sortKey = key;
						draw();
					},
				},
				text
			)
		);
	for (const el of [search, status, overdue]) el.addEventListener('input', draw);
	root.append(
		h(
			'div',
			{ class: 'filters' },
			h('div', { class: 'field' }, h('label', { for: 'comms-q' }, t('comms.search')), search),
			h('div', { class: 'field' }, h('label', { for: 'comms-status' }, t('comms.status')), status),
			h('div', { class: 'field check' }, overdue, h('label', { for: 'comms-overdue' }, t('comms.onlyOverdue')))
		),
		count,
		h(
			'div',
			{ class: 'table-scroll', tabindex: '0' },
			h(
				'table',
				{ class: 'list' },
				h('thead', {}, h('tr', {}, sortable('ref', t('comms.ref')), sortable('kind', t('comms.kind')), sortable('sender', t('comms.sender')), sortable('received', t('comms.received')), sortable('due', t('comms.due')), sortable('status', t('comms.status')))),
				tbody
			)
		)
	);
	draw();
	if (WRITERS.includes(ctx.me.role)) root.append(addForm(ctx));
}

function addForm(ctx) {
	const f = new Form('comm');
	const form = h(
		'form',
		{ class: 'card', novalidate: true, 'aria-labelledby': 'comm-add-title' },
		h('h2', { id: 'comm-add-title' }, t('comms.add')),
		f.summary,
		f.field('ref', t('comms.ref'), { required: true, hint: t('comms.refHint') }),
		f.field('kind', t('comms.kind'), { options: options('comm_kind'), required: true }),
		f.field('sender', t('comms.sender'), { required: true }),
		f.field('subject', t('comms.subject')),
		f.field('received', t('comms.received'), { type: 'date', required: true, value: today() }),
		f.field('due', t('comms.due'), { type: 'date', hint: t('comms.dueHint') }),
		h('button', { type: 'submit' }, t('comms.submit'))
	);
	form.addEventListener('submit', async (ev) => {
		ev.preventDefault();
		const body = {};
		for (const k of ['ref', 'kind', 'sender', 'subject', 'received', 'due']) if (f.value(k)) body[k] = f.value(k);
		try {
			const r = await api('POST', '/comms', body);
			ctx.navigate(`#/comms/${r.id}`, t('comms.added', { ref: body.ref }));
		} catch (err) {
			f.showError(errorText(err), err.field);
		}
	});
	return form;
}

function evidenceText(ev) {
	const lab = ev.label ? `${ev.label}: ` : '';
	switch (ev.kind) {
		case 'figure':
			return `${lab}${t('comms.measure.' + ev.measure)} (${showPeriod(ev.period)})`;
		case 'stats':
			return `${lab}${t('stats.unit.' + ev.count)}${ev.by && ev.by.length ? ' × ' + ev.by.map((d) => t('stats.dim.' + d)).join(', ') : ''}${ev.year ? ', ' + ev.year : ''}`;
		case 'ledger':
			return `${lab}${t('comms.ev.ledger')}: ${ev.source}${ev.measure ? ' – ' + t('comms.measure.' + ev.measure) : ''}${ev.period ? ' ' + showPeriod(ev.period) : ''}`;
		case 'case':
			return `${lab}${t('comms.ev.case')} C${ev.case}`;
		case 'document':
			return `${lab}${ev.title}${ev.citation ? ' (' + ev.citation + ')' : ''}`;
		default:
			return ev.kind;
	}
}

// The form that adds one piece of evidence to question q: the fields of the kind chosen only.
// onAdd(evidence, form) saves it (and shows the server's error at its field when refused).
function evidenceForm(q, onAdd) {
	const f = new Form(`ev${q.num}`);
	const kind = f.field('kind', t('comms.evKind'), { options: EV_KINDS.map((k) => ({ code: k, label: t('comms.evk.' + k) })), required: true, value: 'figure' });
	const measures = MEASURES.map((m) => ({ code: m, label: t('comms.measure.' + m) }));
	const counts = Object.keys(TABLE_DIMS).map((c) => ({ code: c, label: t('stats.unit.' + c) }));
	const dims = (c) => TABLE_DIMS[c].map((d) => ({ code: d, label: t('stats.dim.' + d) }));
	const parts = {
		figure: [f.field('measure', t('comms.evMeasure'), { options: measures, required: true }), f.date('period', t('comms.evPeriod'), { partial: true, required: true, hint: t('comms.evPeriodHint', { example: fmtDate('2023-06') }) })],
		stats: [f.field('count', t('stats.count'), { options: counts, required: true, value: 'victims' }), f.field('by', t('stats.by'), { options: dims('victims'), empty: t('stats.none') }), f.field('year', t('stats.year'), { inputmode: 'numeric', hint: t('comms.evYearHint') })],
		ledger: [f.field('source', t('comms.evSource'), { required: true, hint: t('comms.evSourceHint') }), f.field('lmeasure', t('comms.evMeasure'), { options: measures, empty: t('comms.evAnyMeasure') }), f.date('lperiod', t('comms.evPeriod'), { partial: true })],
		case: [f.field('case', t('comms.evCase'), { required: true, inputmode: 'numeric', hint: t('comms.evCaseHint') })],
		document: [f.field('title', t('comms.evTitle'), { required: true }), f.field('citation', t('comms.evCitation'))],
	};
	const sections = Object.fromEntries(Object.entries(parts).map(([k, els]) => [k, h('div', { class: 'ev-kind', 'data-kind': k }, els)]));
	const show = () => {
		for (const [k, el] of Object.entries(sections)) el.hidden = k !== f.value('kind');
	};
	f.control('kind').addEventListener('change', show);
	// the dimensions follow the count chosen
	f.control('count').addEventListener('change', () => {
		const by = f.control('by');
		by.replaceChildren(h('option', { value: '' }, t('stats.none')), ...dims(f.value('count')).map((o) => h('option', { value: o.code }, o.label)));
	});
	show();
	const add = h('button', { type: 'button', class: 'evidence-submit' }, t('comms.evAdd'));
	const group = h('div', { class: 'evidence-add', role: 'group', 'aria-label': t('comms.evAddFor', { n: q.num }) }, f.summary, kind, Object.values(sections), f.field('label', t('comms.evLabel'), { hint: t('comms.evLabelHint') }), add);
	// Enter in a field adds, as it would submit a form
	group.addEventListener('keydown', (ev) => {
		if (ev.key === 'Enter' && ev.target.tagName === 'INPUT') {
			ev.preventDefault();
			add.click();
		}
	});
	add.addEventListener('click', async () => {
		f.clearErrors();
		const k = f.value('kind');
		const e = { kind: k };
		if (f.value('label')) e.label = f.value('label');
		if (k === 'figure') Object.assign(e, { measure: f.value('measure'), period: f.value('period') });
		else if (k === 'stats') {
			e.count = f.value('count');
			e.by = f.value('by') ? [f.value('by')] : [];
			const y = f.value('year');
			if (y && !/^\d{4}$/.test(y)) return f.showError(t('stats.badYear'), 'year');
			if (y) e.year = +y;
		} else if (k === 'ledger') {
			e.source = f.value('source');
			if (f.value('lmeasure')) e.measure = f.value('lmeasure');
			if (f.value('lperiod')) e.period = f.value('lperiod');
		} else if (k === 'case') {
			const m = /^c?\s*(\d+)$/i.exec(f.value('case'));
			if (!m) return f.showError(t('comms.evCaseHint'), 'case');
			e.case = `C${m[1]}`;
		} else Object.assign(e, { title: f.value('title'), citation: f.value('citation') || undefined });
		for (const [name, v] of [['measure', e.measure], ['period', e.period], ['source', e.source], ['title', e.title]])
			if (v === '' && ((k === 'figure' && (name === 'measure' || name === 'period')) || (k === 'ledger' && name === 'source') || (k === 'document' && name === 'title'))) return f.showError(t('error.code.required'), name);
		add.disabled = true;
		await onAdd(e, f);
		add.disabled = false;
	});
	return h('details', { class: 'evidence-new' }, h('summary', {}, t('comms.evAddFor', { n: q.num })), group);
}

export async function commView(root, params, query, ctx) {
	const id = params[0];
	const [c] = await Promise.all([api('GET', `/comms/${id}`), loadVocabs(VOCABS)]);
	const writer = WRITERS.includes(ctx.me.role);
	const status = h('p', { role: 'status', class: 'flash', hidden: true });
	const alert = h('p', { role: 'alert', class: 'error-summary', tabindex: '-1', hidden: true });
	root.append(
		h('h1', {}, c.ref),
		h(
			'dl',
			{ class: 'meta' },
			h('dt', {}, t('comms.kind')),
			h('dd', {}, label('comm_kind', c.kind)),
			h('dt', {}, t('comms.sender')),
			h('dd', {}, c.sender),
			c.subject ? [h('dt', {}, t('comms.subject')), h('dd', {}, c.subject)] : null,
			h('dt', {}, t('comms.received')),
			h('dd', {}, showDate(c.received)),
			h('dt', {}, t('comms.due')),
			h('dd', {}, showDate(c.due), c.overdue ? h('strong', { class: 'badge' }, ' ' + t('comms.overdue')) : null),
			c.in_reply_to ? [h('dt', {}, t('comms.inReplyTo')), h('dd', {}, c.in_reply_to)] : null,
			c.citation ? [h('dt', {}, t('comms.citation')), h('dd', {}, c.citation)] : null
		),
		status,
		alert
	);
	const f = new Form('commedit');
	const statusField = f.field('status', t('comms.status'), { options: options('comm_status'), required: true, value: c.status });
	const answers = new Map();
	const qs = (c.questions || []).map((q) => {
		const ta = h('textarea', { id: `answer-${q.num}`, rows: 5, readonly: !writer });
		ta.value = q.answer || '';
		answers.set(q.num, ta);
		return h(
			'section',
			{ class: 'card question' },
			h('h2', {}, t('comms.question', { n: q.num })),
			h('blockquote', {}, q.text),
			h('label', { for: `answer-${q.num}` }, t('comms.answer')),
			ta,
			q.evidence && q.evidence.length ? [h('h3', {}, t('comms.evidence')), h('ul', {}, q.evidence.map((ev) => h('li', {}, evidenceText(ev))))] : h('p', { class: 'hint' }, t(writer ? 'comms.noEvidenceYet' : 'comms.noEvidence'))
		);
	});
	// evidence: saved with the answers as they are now, over the version read (409 otherwise)
	const addEvidence = async (q, e, ef) => {
		const body = {
			...c,
			status: f.value('status') || c.status,
			questions: (c.questions || []).map((x) => ({ ...x, answer: answers.get(x.num).value, evidence: x.num === q.num ? [...(x.evidence || []), e] : x.evidence || [] })),
		};
		try {
			const r = await api('PATCH', `/comms/${id}`, body);
			ctx.navigate(`#/comms/${id}?v=${r.version}`, t('comms.evAdded', { n: q.num, v: r.version }));
		} catch (err) {
			if (err.status === 409) ef.showError(t('comms.conflict'));
			else ef.showError(errorText(err), err.field);
		}
	};
	const save = async (ev) => {
		ev.preventDefault();
		alert.hidden = true;
		const body = { ...c, status: f.value('status'), questions: (c.questions || []).map((q) => ({ ...q, answer: answers.get(q.num).value })) };
		try {
			const r = await api('PATCH', `/comms/${id}`, body);
			ctx.navigate(`#/comms/${id}?v=${r.version}`, t('comms.saved', { v: r.version }));
		} catch (err) {
			alert.textContent = err.status === 409 ? t('comms.conflict') : errorText(err);
			alert.hidden = false;
			alert.focus();
		}
	};
	// (a group with its own button, not a form: forms do not nest)
	if (writer) (c.questions || []).forEach((q, i) => qs[i].append(evidenceForm(q, (e, ef) => addEvidence(q, e, ef))));
	const form = h('form', { novalidate: true }, writer ? statusField : null, qs, writer ? h('button', { type: 'submit' }, t('comms.save')) : null);
	form.addEventListener('submit', save);
	// the reply: documents computed from records when asked (downloads, audited)
	const record = h(
		'button',
		{
			type: 'button',
			onclick: async () => {
				if (!window.confirm(t('comms.recordConfirm'))) return;
				try {
					const r = await api('POST', `/comms/${id}/record`, {});
					status.textContent = t('comms.recorded', { n: r.figures });
					status.hidden = false;
				} catch (err) {
					alert.textContent = errorText(err);
					alert.hidden = false;
					alert.focus();
				}
			},
		},
		t('comms.record')
	);
	root.append(
		h(
			'section',
			{ class: 'card', 'aria-labelledby': 'reply-title' },
			h('h2', { id: 'reply-title' }, t('comms.reply')),
			h('p', { class: 'hint' }, t('comms.replyHint')),
			h(
				'p',
				{ class: 'actions' },
				h('a', { href: `/api/comms/${id}/reply?format=html`, download: `reply-M${id}.html`, class: 'button' }, t('comms.replyHtml')),
				' ',
				h('a', { href: `/api/comms/${id}/reply?format=xlsx`, download: `reply-M${id}.xlsx`, class: 'button' }, t('comms.replyXlsx')),
				' ',
				writer ? record : null
			)
		),
		form,
		h('p', {}, h('a', { href: '#/comms' }, t('comms.back')))
	);
}
