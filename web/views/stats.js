// views/stats.js - statistics (GET /api/stats): a count broken down by one or two dimensions,
// with margins, a bar chart of the first dimension, and the provenance. Small cells come back
// withheld (null) and are shown as "x", never as a value. For analysts, supervisors, admins.
// Analysts and supervisors also get the dark figure (GET /api/estimate, docs/ESTIMATION.md):
// the estimate of all victims, seen and unseen, from the overlaps of the agencies' lists.
import { h } from '../dom.js';
import { t, label, loadVocabs } from '../i18n.js';
import { api, qs } from '../api.js';
import { Form, errorText } from '../forms.js';

const COUNTS = ['victims', 'cases', 'offenders', 'referrals', 'assistance', 'followups', 'assessments', 'contacts'];
// Who sees the dark figure (server/routes.c): not caseworkers, auditors or admins.
const ESTIMATE_ROLES = ['analyst', 'supervisor'];
const METHODS = ['stepwise', 'bic', 'lcm', 'all'];
// Dimensions each count has (as in lib/stats/facts.c), and the vocabulary that labels a dimension.
const DIMS = {
	victims: ['year', 'gender', 'age_group', 'ethnicity', 'citizenship', 'origin_province', 'destination_country', 'exploitation_type', 'labour_industry', 'recruitment_method', 'control_method', 'article', 'stage', 'trafficking_status', 'org', 'org_type', 'event', 'company'],
	cases: ['year', 'exploitation_type', 'article', 'stage', 'org', 'org_type'],
	offenders: ['year', 'gender', 'age_group', 'ethnicity', 'citizenship', 'origin_province', 'article', 'stage', 'org', 'org_type', 'sentence'],
	referrals: ['year', 'org', 'org_type', 'referral_reason'],
	assistance: ['year', 'gender', 'age_group', 'origin_province', 'exploitation_type', 'trafficking_status', 'org', 'org_type', 'assistance_kind'],
	// casework (lib/stats/stats_casework.c)
	followups: ['year', 'org', 'org_type', 'followup_outcome'],
	assessments: ['year', 'org', 'org_type', 'risk_level'],
	contacts: ['year', 'org', 'org_type', 'channel', 'caller_type', 'contact_reason', 'origin_province'],
};
const VOCAB = {
	gender: 'gender', ethnicity: 'ethnicity', exploitation_type: 'exploitation_type', labour_industry: 'labour_industry',
	recruitment_method: 'recruitment_method', control_method: 'control_method', article: 'criminal_article',
	stage: 'proceeding_stage', trafficking_status: 'trafficking_status', org_type: 'org_type',
	assistance_kind: 'assistance_kind', referral_reason: 'referral_reason', citizenship: 'country',
	destination_country: 'country', origin_province: 'province_2025', event: 'event_type',
};

function whole(v) {
	return v === null || v === undefined ? '–' : Math.round(v).toLocaleString();
}

// The dark figure's section: a method to choose, then per stratum the estimate, its interval,
// the number observed (null when withheld, shown "x"), the model and the warnings.
function estimateSection(year, method) {
	const out = h('div', { class: 'estimate-result', 'aria-live': 'polite' });
	const sel = select('method', t('est.method'), METHODS.map((m) => [m, t('est.method.' + m)]), method);
	const btn = h('button', { type: 'button' }, t('est.run'));
	const run = async () => {
		const m = sel.querySelector('select').value;
		btn.disabled = true;
		out.replaceChildren(h('p', { class: 'note', role: 'status' }, t('est.running')));
		try {
			const data = await api('GET', '/estimate' + qs({ year, method: m }));
			out.replaceChildren(...estimateResult(data));
		} catch (err) {
			out.replaceChildren(h('p', { class: 'error', role: 'alert' }, errorText(err)));
		}
		btn.disabled = false;
	};
	btn.addEventListener('click', run);
	return h(
		'section',
		{ class: 'estimate', 'aria-labelledby': 'est-title' },
		h('h2', { id: 'est-title' }, t('est.title')),
		h('p', { class: 'note' }, year ? t('est.introYear', { year }) : t('est.intro')),
		h('div', { class: 'filters' }, sel, h('div', { class: 'actions' }, btn)),
		out
	);
}

function estimateResult(data) {
	const parts = [];
	for (const e of data.estimates || []) {
		if (e.stratum) parts.push(h('h3', {}, e.stratum));
		parts.push(h('p', { class: 'count' }, t('est.observed'), ' ', e.observed === null ? h('span', { class: 'withheld', title: e.observed_withheld || t('stats.withheld') }, 'x') : whole(e.observed)));
		const rows = (e.methods || []).map((m) =>
			h(
				'tr',
				{},
				h('th', { scope: 'row' }, t('est.method.' + m.method)),
				h('td', {}, m.estimate === null ? t('est.none') : whole(m.estimate)),
				h('td', {}, m.interval ? `${whole(m.interval.lower)} – ${whole(m.interval.upper)}` : '–'),
				h('td', {}, m.estimate === null ? m.reason || '' : m.interactions ? (m.interactions.length ? m.interactions.join(' ') : t('est.mainEffects')) : t('est.latentClasses'))
			)
		);
		parts.push(
			h(
				'table',
				{ class: 'list estimate' },
				h('thead', {}, h('tr', {}, ...['est.col.method', 'est.col.estimate', 'est.col.interval', 'est.col.model'].map((k) => h('th', { scope: 'col' }, t(k))))),
				h('tbody', {}, ...rows)
			)
		);
		if ((e.warnings || []).length) parts.push(h('ul', { class: 'warnings', 'aria-label': t('est.warnings') }, e.warnings.map((w) => h('li', {}, w))));
	}
	if (!(data.estimates || []).length) parts.push(h('p', { class: 'empty' }, t('est.noVictims')));
	const p = data.provenance || {};
	parts.push(h('p', { class: 'note' }, data.disclosure ? t('est.disclosure') : t('stats.raw')));
	parts.push(h('p', { class: 'note', role: 'status' }, t('est.provenance', { at: p.computed_at || '', version: p.ctip_version || '' })));
	return parts;
}

function valueLabel(dim, code) {
	if (code === 'Unknown') return t('stats.unknown');
	return VOCAB[dim] ? label(VOCAB[dim], code) : code;
}

function num(v) {
	return v === null || v === undefined ? h('span', { class: 'withheld', title: t('stats.withheld') }, 'x') : String(v);
}

function select(name, text, values, current, blank) {
	const s = h('select', { name, id: 'stats-' + name });
	if (blank) s.append(h('option', { value: '' }, blank));
	for (const [v, l] of values) s.append(h('option', { value: v, selected: v === current ? '' : null }, l));
	return h('div', { class: 'field' }, h('label', { for: 'stats-' + name }, text), s);
}

// Bars of the first dimension's margin (or the rows of a one-dimension table), as <meter>s:
// no inline style, no SVG namespace needed; a withheld count has no bar and reads "x".
function chart(data, dim) {
	const rows = data.by.length === 1 ? data.rows : data.margins.filter((r) => Object.keys(r).length === 2 && dim in r);
	const max = Math.max(1, ...rows.map((r) => r.count || 0));
	return h(
		'div',
		{ class: 'stats-chart', role: 'img', 'aria-label': t('stats.chart') },
		rows.map((r) =>
			h(
				'div',
				{ class: 'stats-bar' },
				h('span', { class: 'stats-label' }, valueLabel(dim, r[dim])),
				r.count === null ? h('span', { class: 'withheld' }, 'x') : h('meter', { min: '0', max: String(max), value: String(r.count) }),
				h('span', { class: 'stats-value' }, r.count === null ? '' : String(r.count))
			)
		)
	);
}

function table(data) {
	const [d0, d1] = data.by;
	if (!d0) return h('p', { class: 'count' }, t('stats.total'), ' ', num(data.total));
	const all = [...data.rows, ...data.margins];
	const levels = (d) => [...new Set(data.rows.map((r) => r[d]))];
	const find = (a, b) => all.find((r) => r[d0] === a && (d1 ? r[d1] === b : true) && (b === undefined ? !(d1 in r) : true) && (a === undefined ? !(d0 in r) : true));
	const rows0 = levels(d0), cols = d1 ? levels(d1) : [];
	// the first header names the breakdown (the rows' labels sit under it, left-aligned)
	const head = h('tr', {}, h('th', { scope: 'col', class: 'dim' }, t('stats.dim.' + d0)), ...(d1 ? cols.map((c) => h('th', { scope: 'col' }, valueLabel(d1, c))) : [h('th', { scope: 'col' }, t('stats.unit.' + data.count))]), d1 ? h('th', { scope: 'col' }, t('stats.total')) : null);
	const body = rows0.map((a) => {
		const cells = d1 ? cols.map((b) => h('td', {}, num((find(a, b) || {}).count))) : [h('td', {}, num((data.rows.find((r) => r[d0] === a) || {}).count))];
		if (d1) cells.push(h('td', { class: 'tot' }, num((find(a, undefined) || {}).count)));
		return h('tr', {}, h('th', { scope: 'row' }, valueLabel(d0, a)), ...cells);
	});
	const foot = h('tr', { class: 'tot' }, h('th', { scope: 'row' }, t('stats.total')), ...(d1 ? cols.map((b) => h('td', {}, num((find(undefined, b) || {}).count))) : []), h('td', {}, num(data.total)));
	return h('table', { class: 'list stats' }, h('thead', {}, head), h('tbody', {}, ...body, foot));
}

export async function statsView(root, params, query, ctx) {
	const count = COUNTS.includes(query.get('count')) ? query.get('count') : 'victims';
	const dims = DIMS[count];
	const by1 = dims.includes(query.get('by1')) ? query.get('by1') : dims[1];
	const by2 = dims.includes(query.get('by2')) && query.get('by2') !== by1 ? query.get('by2') : '';
	const year = /^\d{4}$/.test(query.get('year') || '') ? query.get('year') : '';
	const form = new Form('stats');
	const dimOpts = dims.map((d) => [d, t('stats.dim.' + d)]);
	const el = h(
		'form',
		{ class: 'filters', 'aria-label': t('stats.title'), novalidate: true },
		form.summary,
		select('count', t('stats.count'), COUNTS.map((c) => [c, t('stats.unit.' + c)]), count),
		select('by1', t('stats.by'), dimOpts, by1),
		select('by2', t('stats.by2'), dimOpts, by2, t('stats.none')),
		form.field('year', t('stats.year'), { value: year, inputmode: 'numeric', hint: t('stats.yearHint') }),
		h('div', { class: 'actions' }, h('button', { type: 'submit' }, t('stats.submit')))
	);
	el.addEventListener('submit', (e) => {
		e.preventDefault();
		const y = form.value('year');
		if (y && !/^\d{4}$/.test(y)) return form.showError(t('stats.badYear'), 'year');
		const f = new FormData(el);
		ctx.navigate('#/stats' + qs({ count: f.get('count'), by1: f.get('by1'), by2: f.get('by2'), year: y }));
	});
	// the count select changes the dimensions on offer
	el.querySelector('#stats-count').addEventListener('change', (e) => ctx.navigate('#/stats' + qs({ count: e.target.value })));
	root.append(h('h1', {}, t('stats.title')), el);
	let data;
	try {
		data = await api('GET', '/stats' + qs({ count, by: [by1, by2].filter(Boolean).join(','), year }));
	} catch (err) {
		form.showError(errorText(err));
		return;
	}
	await loadVocabs([by1, by2].filter((d) => VOCAB[d]).map((d) => VOCAB[d]));
	const p = data.provenance || {};
	root.append(
		chart(data, by1),
		table(data),
		h('p', { class: 'note' }, data.notes || ''),
		h('p', { class: 'note' }, data.suppression && data.suppression.applied ? t('stats.suppressed', { n: data.suppression.threshold }) : t('stats.raw')),
		h('p', { class: 'note', role: 'status' }, t('stats.provenance', { at: p.computed_at || '', records: p.records || 0, version: p.ctip_version || '' }))
	);
	if (count === 'victims' && ctx.me && ESTIMATE_ROLES.includes(ctx.me.role)) root.append(estimateSection(year, METHODS.includes(query.get('method')) ? query.get('method') : 'stepwise'));
}
