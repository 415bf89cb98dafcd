// i18n.js - the interface language (English or Vietnamese), kept in localStorage, and the labels of
// HTCDS vocabulary codes in that language (GET /api/vocab/NAME, fetched once per vocabulary).
import { api } from './api.js';

const STORE_KEY = 'ctip.lang';
export const LANGS = ['en', 'vi'];
let lang = 'en';
let dict = {};
const vocabs = new Map(); // name -> Map(code -> {en, vi})
const pending = new Map();

export function currentLang() {
	return lang;
}

/* The stored choice, else the browser's preference. */
export function preferredLang() {
	let stored = null;
	try {
		stored = localStorage.getItem(STORE_KEY);
	} catch (e) {
		stored = null;
	}
	if (LANGS.includes(stored)) return stored;
	return (navigator.language || '').toLowerCase().startsWith('vi') ? 'vi' : 'en';
}

export async function setLang(l) {
	if (!LANGS.includes(l)) l = 'en';
	const res = await fetch(`i18n/${l}.json`, { cache: 'no-cache' });
	dict = await res.json();
	lang = l;
	try {
		localStorage.setItem(STORE_KEY, l);
	} catch (e) {
		/* private mode: the choice lasts for this page only */
	}
	document.documentElement.lang = l;
}

/* t('cases.page', {page: 2}) -> "Page 2"; a missing key shows itself, so it is noticed. */
export function t(key, vars) {
	let s = Object.prototype.hasOwnProperty.call(dict, key) ? dict[key] : key;
	if (vars) s = s.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m));
	return s;
}

export function has(key) {
	return Object.prototype.hasOwnProperty.call(dict, key);
}

/* Loads vocabularies (in parallel); a vocabulary the server does not know stays empty. */
export async function loadVocabs(names) {
	await Promise.all(
		names.map((name) => {
			if (vocabs.has(name)) return null;
			if (!pending.has(name)) {
				const p = api('GET', '/vocab/' + encodeURIComponent(name))
					.then((data) => {
						const m = new Map();
						for (const v of (data && data.values) || []) m.set(v.code, v);
						vocabs.set(name, m);
					})
					.catch(() => vocabs.set(name, new Map()))
					.finally(() => pending.delete(name));
				pending.set(name, p);
			}
			return pending.get(name);
		})
	);
}

/* The label of a code in the current language, or the code itself when unknown. */
export function label(vocab, code) {
	const v = vocabs.get(vocab);
	const e = v && v.get(code);
	if (!e) return String(code);
	return e[lang] || e.en || String(code);
}

/* [{code, label}] of a loaded vocabulary, in the server's order. */
export function options(vocab) {
	const v = vocabs.get(vocab);
	return v ? [...v.values()].map((e) => ({ code: e.code, label: e[lang] || e.en || e.code })) : [];
}

/* The entry {code, en, vi} of a code in a loaded vocabulary ({} when unknown). */
export function vocabEntry(vocab, code) {
	const v = vocabs.get(vocab);
	return (v && v.get(code)) || {};
}
