// views/link.js - clerical review of record linkage, for supervisors: the uncertain pairs
// (GET /api/link/review, #/link) and one pair side by side (GET /api/link/pair, #/link/A/B),
// field by field with the weight of each comparison, decided Same or Different
// (POST /api/link/decide). A record whose identity the supervisor may not see shows no value,
// only how it compares.
import { h } from '../dom.js';
import { t, loadVocabs, label } from '../i18n.js';
import { api, qs } from '../api.js';
import { Form, errorText } from '../forms.js';
import { fmtRange } from '../format.js';
import { pager } from './cases.js';

// The record's values each comparison looks at.
const VALUES = {
	family_name: (p) => p.prs_SecondName,
	given_name: (p) => p.prs_FirstName,
	middle_name: (p) => p.prs_MiddleName,
	birth_date: (p) => p.prs_Birthdate,
	document: (p) => (p.identity_documents || []).map((d) => d.prs_IdentityNumber).filter(Boolean).join(', '),
	phone: (p) => [p.prs_MobilePhone, p.prs_HomePhone].filter(Boolean).join(', '),
	province: (p) => p.prs_MailingState,
	gender: (p) => (p.prs_Gender ? label('gender', p.prs_Gender) : ''),
	place: (p) => [p.ctip_MailingCommune, p.prs_MailingCity].filter(Boolean).join(', '),
	exploitation: (p) =>
		(p.exploitation || [])
			.map((x) => [x.ctip_ExploitationStart, x.ctip_ExploitationEnd].filter(Boolean).join(' – '))
			.filter(Boolean)
			.join('; '),
};

const pct = (p) => (100 * p).toFixed(1) + ' %';
const signed = (w) => (w >= 0 ? '+' : '−') + Math.abs(w).toFixed(2);

const PER_PAGE = 50;
// the columns: key, label, the server's sort name (null: not sortable)
const COLUMNS = [
	['pair', 'link.col.pair', 'record'],
	['probability', 'link.col.probability', 'probability'],
	['weight', 'link.col.weight', 'weight'],
	['now', 'link.col.now', null],
];

// The review queue (issue 14: like the case list): filtered by record and by the last run's
// decision, sorted, paged with the total, exported as CSV. Everything lives in the URL.
export async function linkReviewView(root, params, query, ctx) {
	const f = { min: query.get('min') || '', record: (query.get('record') || '').replace(/^P/i, ''), linked: query.get('linked') || '' };
	const sort = query.get('sort') || '';
	const dir = query.get('dir') || '';
	const page = Math.max(1, parseInt(query.get('page') || '1', 10) || 1);
	const data = await api('GET', '/link/review' + qs({ ...f, sort, dir, page: page > 1 ? page : '', per_page: PER_PAGE }));
	root.append(h('h1', {}, t('link.title')));
	if (!data.linked) {
		root.append(h('p', { class: 'empty' }, t('link.notRun')));
		return;
	}
	root.append(h('p', {}, t('link.intro', { min: pct(data.min), max: pct(data.threshold) })));
	const form = new Form('review');
	const filter = h(
		'form',
		{ class: 'filters', role: 'search', 'aria-label': t('link.filters'), novalidate: true },
		form.summary,
		form.field('record', t('link.filterRecord'), { value: f.record, inputmode: 'numeric', hint: t('link.filterRecordHint') }),
		form.field('linked', t('link.col.now'), {
			options: [
				{ code: 'yes', label: t('link.linked') },
				{ code: 'no', label: t('link.apart') },
			],
			empty: t('link.anyNow'),
			value: f.linked,
		}),
		h('div', { class: 'actions' }, h('button', { type: 'submit' }, t('cases.apply')), h('a', { href: '#/link' }, t('list.clear')))
	);
	filter.addEventListener('submit', (e) => {
		e.preventDefault();
		const record = form.value('record').trim().replace(/^P/i, '');
		if (record && !/^\d{1,15}$/.test(record)) return form.showError(t('link.badRecord'), 'record');
		ctx.navigate('#/link' + qs({ min: f.min, record, linked: form.value('linked'), sort, dir }));
	});
	root.append(filter);
	const pairs = data.pairs || [];
	const total = data.total || 0;
	const per = data.per_page || PER_PAGE;
	const pages = Math.max(1, Math.ceil(total / per));
	const link = (over) => '#/link' + qs({ ...f, sort, dir, ...over });
	const csv = '/api/link/review' + qs({ ...f, sort, dir, format: 'csv' });
	const range = total ? fmtRange(page, per, total, pairs.length) : t('link.none');
	root.append(
		h(
			'div',
			{ class: 'list-head' },
			h('p', { role: 'status', class: 'count' }, range, data.more ? ' ' + t('link.more') : ''),
			total ? h('a', { class: 'button secondary', href: csv, download: 'review.csv' }, t('list.csv')) : null
		)
	);
	if (!pairs.length) return;
	const current = sort || 'probability';
	const descFirst = (s) => s !== 'record';
	const currentDesc = dir ? dir === 'desc' : descFirst(current);
	const header = ([key, lab, s]) => {
		if (!s) return h('th', { scope: 'col' }, t(lab));
		const on = current === s;
		const nextDir = on ? (currentDesc ? 'asc' : 'desc') : descFirst(s) ? 'desc' : 'asc';
		return h(
			'th',
			{ scope: 'col', 'aria-sort': on ? (currentDesc ? 'descending' : 'ascending') : null, 'data-col': key },
			h(
				'a',
				{ href: link({ sort: s, dir: nextDir, page: '' }), class: 'sort', title: t('list.sortBy', { col: t(lab) }) },
				t(lab),
				on ? h('span', { 'aria-hidden': 'true' }, currentDesc ? ' ▼' : ' ▲') : null
			)
		);
	};
	const td = (key, ...kids) => h('td', { 'data-label': t(COLUMNS.find((x) => x[0] === key)[1]) }, ...kids);
	root.append(
		h(
			'table',
			{ class: 'list stack review' },
			h('caption', { class: 'visually-hidden' }, t('link.title') + ': ' + range),
			h('thead', {}, h('tr', {}, COLUMNS.map(header))),
			h(
				'tbody',
				{},
				pairs.map((p) =>
					h(
						'tr',
						{},
						td('pair', h('a', { href: `#/link/${p.a}/${p.b}` }, t('link.pairName', { a: p.a, b: p.b }))),
						td('probability', pct(p.probability)),
						td('weight', signed(p.weight)),
						td('now', t(p.linked ? 'link.linked' : 'link.apart'))
					)
				)
			)
		)
	);
	if (pages > 1) root.append(pager(page, pages, (p) => link({ page: p > 1 ? p : '' })));
}

function sideHeading(s) {
	return t('link.record', { id: s.id });
}

function sideValue(s, name) {
	if (!s.record) return h('span', { class: 'hidden-value' }, t('link.hidden'));
	const v = name === 'organisation' ? s.organisation : VALUES[name] ? VALUES[name](s.record) : '';
	return v || h('span', { class: 'missing' }, '—');
}

export async function linkPairView(root, params, query, ctx) {
	const [a, b] = params;
	const [x] = await Promise.all([api('GET', '/link/pair' + qs({ a, b })), loadVocabs(['gender'])]);
	const status = h('p', { role: 'alert', class: 'error-summary', tabindex: '-1', hidden: true });
	root.append(
		h('h1', {}, t('link.pairTitle', { a: x.a.id, b: x.b.id })),
		h('p', {}, h('a', { href: '#/link' }, t('link.back'))),
		status,
		h(
			'p',
			{ class: 'link-summary' },
			t('link.summary', { p: pct(x.probability), w: signed(x.total), thr: pct(x.threshold) }),
			' ',
			t(x.linked ? 'link.nowLinked' : 'link.nowApart'),
			x.decision ? ' ' + t(x.decision === 'same' ? 'link.decidedSame' : 'link.decidedDifferent') : '',
			x.swapped ? ' ' + t('link.swapped') : ''
		)
	);
	for (const s of [x.a, x.b])
		if (!s.identity) root.append(h('p', { class: 'note' }, t('link.noIdentity', { id: s.id })));
	const rows = [
		h('tr', {}, h('th', { scope: 'row' }, t('link.prior')), h('td'), h('td'), h('td'), h('td', { class: 'num' }, signed(x.prior))),
		...x.comparisons.map((c) =>
			h(
				'tr',
				{},
				h('th', { scope: 'row' }, t('link.cmp.' + c.name)),
				h('td', {}, sideValue(x.a, c.name)),
				h('td', {}, sideValue(x.b, c.name)),
				h('td', {}, t('link.level.' + c.level.replace(/ /g, '_'))),
				h('td', { class: 'num' }, signed(c.weight))
			)
		),
	];
	if (x.full_name) rows.push(h('tr', {}, h('th', { scope: 'row' }, t('link.fullName')), h('td'), h('td'), h('td'), h('td', { class: 'num' }, signed(x.full_name))));
	rows.push(h('tr', { class: 'total' }, h('th', { scope: 'row' }, t('link.total')), h('td'), h('td'), h('td'), h('td', { class: 'num' }, signed(x.total))));
	root.append(
		h(
			'table',
			{ class: 'list side-by-side' },
			h('caption', {}, t('link.caption')),
			h(
				'thead',
				{},
				h(
					'tr',
					{},
					h('th', { scope: 'col' }, t('link.col.comparison')),
					h('th', { scope: 'col' }, sideHeading(x.a)),
					h('th', { scope: 'col' }, sideHeading(x.b)),
					h('th', { scope: 'col' }, t('link.col.level')),
					h('th', { scope: 'col' }, t('link.col.weight'))
				)
			),
			h('tbody', {}, rows)
		)
	);
	const decide = (decision) => async () => {
		try {
			await api('POST', '/link/decide', { a: x.a.id, b: x.b.id, decision });
			ctx.navigate('#/link', t(decision === 'same' ? 'link.doneSame' : 'link.doneDifferent', { a: x.a.id, b: x.b.id }));
		} catch (err) {
			status.textContent = errorText(err);
			status.hidden = false;
			status.focus();
		}
	};
	root.append(
		h(
			'div',
			{ class: 'actions', role: 'group', 'aria-label': t('link.decide') },
			h('button', { type: 'button', 'aria-label': t('link.sameLabel', { a: x.a.id, b: x.b.id }), onclick: decide('same') }, t('link.same')),
			h('button', { type: 'button', class: 'secondary', 'aria-label': t('link.differentLabel', { a: x.a.id, b: x.b.id }), onclick: decide('different') }, t('link.different'))
		),
		h('p', { class: 'hint' }, t('link.applies'))
	);
}
