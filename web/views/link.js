// views/link.js - clerical review of record linkage, for supervisors: the uncertain pairs
// (GET /api/link/review, #/link) and one pair side by side (GET /api/link/pair, #/link/A/B),
// field by field with the weight of each comparison, decided Same or Different
// (POST /api/link/decide). A record whose identity the supervisor may not see shows no value,
// only how it compares.
import { h } from '../dom.js';
import { t, loadVocabs, label } from '../i18n.js';
import { api, qs } from '../api.js';
import { errorText } from '../forms.js';

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

export async function linkReviewView(root, params, query) {
	const min = query.get('min') || '';
	const data = await api('GET', '/link/review' + qs({ min, limit: 50 }));
	root.append(h('h1', {}, t('link.title')));
	if (!data.linked) {
		root.append(h('p', { class: 'empty' }, t('link.notRun')));
		return;
	}
	root.append(h('p', {}, t('link.intro', { min: pct(data.min), max: pct(data.threshold) })));
	const pairs = data.pairs || [];
	root.append(h('p', { role: 'status', class: 'count' }, pairs.length ? t('link.count', { n: pairs.length }) : t('link.none')));
	if (!pairs.length) return;
	root.append(
		h(
			'table',
			{ class: 'list' },
			h('thead', {}, h('tr', {}, ['link.col.pair', 'link.col.probability', 'link.col.weight', 'link.col.now'].map((k) => h('th', { scope: 'col' }, t(k))))),
			h(
				'tbody',
				{},
				pairs.map((p) =>
					h(
						'tr',
						{},
						h('td', {}, h('a', { href: `#/link/${p.a}/${p.b}` }, t('link.pairName', { a: p.a, b: p.b }))),
						h('td', {}, pct(p.probability)),
						h('td', {}, signed(p.weight)),
						h('td', {}, t(p.linked ? 'link.linked' : 'link.apart'))
					)
				)
			)
		)
	);
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
