// views/releases.js - privacy-safe releases (POST/GET /api/releases, docs/RELEASE.md): analysts
// make a k-anonymous microdata release, a protected table or synthetic records, and download
// them; auditors read the ledger (who released what), without the files. The server chooses
// the seed and the path; the page never sees an identity.
import { h, clear } from '../dom.js';
import { t } from '../i18n.js';
import { api } from '../api.js';
import { Form, errorText } from '../forms.js';

const KINDS = ['microdata', 'aggregates', 'synthetic'];

function select(name, text, values, current) {
	const s = h('select', { name, id: 'rel-' + name });
	for (const [v, l] of values) s.append(h('option', { value: v, selected: v === current ? '' : null }, l));
	return h('div', { class: 'field' }, h('label', { for: 'rel-' + name }, text), s);
}

// The file of a release as a download (text, or base64 for XLSX), from a Blob.
function download(rel) {
	let blob;
	if (rel.encoding === 'base64') {
		const bin = atob(rel.content);
		const bytes = new Uint8Array(bin.length);
		for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
		blob = new Blob([bytes], { type: 'application/octet-stream' });
	} else {
		blob = new Blob([rel.content], { type: 'text/csv' });
	}
	const a = h('a', { href: URL.createObjectURL(blob), download: rel.name });
	document.body.append(a);
	a.click();
	a.remove();
	setTimeout(() => URL.revokeObjectURL(a.href), 10000);
}

function ledger(list, analyst, status) {
	if (!list.length) return h('p', {}, t('rel.none'));
	const head = h('tr', {}, ...['rel.id', 'rel.at', 'rel.actor', 'rel.kind', 'rel.params', 'rel.records', 'rel.epsilon', 'rel.sha'].map((k) => h('th', { scope: 'col' }, t(k))), analyst ? h('th', { scope: 'col' }, t('rel.file')) : null);
	const rows = list.map((r) =>
		h(
			'tr',
			{},
			h('td', {}, 'R' + r.id),
			h('td', {}, r.at),
			h('td', {}, r.actor),
			h('td', {}, t('rel.kind.' + r.kind)),
			h('td', {}, h('code', {}, r.params)),
			h('td', {}, String(r.records)),
			h('td', {}, String(r.epsilon)),
			h('td', {}, h('code', { title: r.sha256 }, r.sha256.slice(0, 12) + '…')),
			analyst
				? h(
						'td',
						{},
						h(
							'button',
							{
								type: 'button',
								onclick: async () => {
									try {
										download(await api('GET', '/releases/' + r.id));
										status.textContent = t('rel.downloaded', { id: 'R' + r.id });
									} catch (err) {
										status.textContent = errorText(err);
									}
								},
							},
							t('rel.download', { id: 'R' + r.id })
						)
				  )
				: null
		)
	);
	return h('table', { class: 'list' }, h('thead', {}, head), h('tbody', {}, ...rows));
}

export async function releasesView(root, params, query, ctx) {
	const analyst = ctx.me && ctx.me.role === 'analyst';
	root.append(h('h1', {}, t('rel.title')), h('p', { class: 'note' }, t('rel.intro')));
	const status = h('p', { class: 'note', role: 'status' });
	const listBox = h('div', {});
	async function refresh() {
		try {
			const data = await api('GET', '/releases');
			clear(listBox).append(ledger(data.releases, analyst, status));
		} catch (err) {
			clear(listBox).append(h('p', {}, errorText(err)));
		}
	}
	if (analyst) {
		const form = new Form('rel');
		const el = h(
			'form',
			{ class: 'filters', 'aria-label': t('rel.new'), novalidate: true },
			form.summary,
			select('kind', t('rel.kindLabel'), KINDS.map((k) => [k, t('rel.kind.' + k)]), 'microdata'),
			form.field('k', t('rel.k'), { value: '11', inputmode: 'numeric', hint: t('rel.kHint') }),
			form.field('year', t('rel.year'), { value: '', inputmode: 'numeric' }),
			form.field('by', t('rel.by'), { value: 'yearOfRegistration,gender', hint: t('rel.byHint') }),
			h('div', { class: 'actions' }, h('button', { type: 'submit' }, t('rel.submit')))
		);
		el.addEventListener('submit', async (e) => {
			e.preventDefault();
			const f = new FormData(el);
			const kind = f.get('kind');
			const k = form.value('k'), year = form.value('year');
			if (!/^\d+$/.test(k)) return form.showError(t('rel.badK'), 'k');
			if (year && !/^\d{4}$/.test(year)) return form.showError(t('rel.badYear'), 'year');
			const options = {};
			if (kind === 'aggregates') {
				options.by = form.value('by');
				options.threshold = Number(k);
			} else {
				options.k = Number(k);
			}
			if (year) options.year = Number(year);
			status.textContent = t('rel.working');
			try {
				const r = await api('POST', '/releases', { kind, options });
				status.textContent = t('rel.made', { id: 'R' + r.id, records: r.records, sha: r.sha256.slice(0, 12) });
			} catch (err) {
				status.textContent = '';
				form.showError(errorText(err));
			}
			refresh();
		});
		root.append(h('h2', {}, t('rel.new')), el);
	}
	root.append(status, h('h2', {}, t('rel.ledger')), listBox);
	await refresh();
}
