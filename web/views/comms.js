// views/comms.js - the communications tracker (docs/COMMS.md; /api/comms): the organisation's
// UN letters, government replies, TIP questionnaire items and requests from other countries,
// searchable and filtered by status, overdue ones marked; a form to record one; a communication's
// page with its questions, answers saved with the version read (a save over someone else's newer
// one is refused, 409, and said so), its evidence, and its reply computed from records now as a
// document to print (HTML) or a workbook (XLSX), whose figures can be entered into the ledger.
import { h, clear } from '../dom.js';
import { t, loadVocabs, options, label, currentLang } from '../i18n.js';
import { api } from '../api.js';
import { Form, errorText, today } from '../forms.js';

const VOCABS = ['comm_kind', 'comm_status'];
const WRITERS = ['supervisor', 'analyst', 'admin'];

// dd/mm/yyyy in Vietnamese, the ISO date otherwise; partial dates as they are
function showDate(iso) {
	if (!iso) return '–';
	const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
	return m && currentLang() === 'vi' ? `${m[3]}/${m[2]}/${m[1]}` : iso;
}

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
			return `${lab}${ev.measure} (${ev.period})`;
		case 'stats':
			return `${lab}${ev.count}${ev.by && ev.by.length ? ' × ' + ev.by.join(', ') : ''}${ev.year ? ', ' + ev.year : ''}`;
		case 'ledger':
			return `${lab}${t('comms.ev.ledger')}: ${ev.source}${ev.measure ? ' – ' + ev.measure : ''}${ev.period ? ' ' + ev.period : ''}`;
		case 'case':
			return `${lab}${t('comms.ev.case')} C${ev.case}`;
		case 'document':
			return `${lab}${ev.title}${ev.citation ? ' (' + ev.citation + ')' : ''}`;
		default:
			return ev.kind;
	}
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
			q.evidence && q.evidence.length ? [h('h3', {}, t('comms.evidence')), h('ul', {}, q.evidence.map((ev) => h('li', {}, evidenceText(ev))))] : h('p', { class: 'hint' }, t('comms.noEvidence'))
		);
	});
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
