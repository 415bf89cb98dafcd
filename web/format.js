// format.js - the one place that writes dates and numbers for people: dd/mm/yyyy in Vietnamese
// (the server speaks ISO 8601: YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ), numbers with
// the language's grouping (1,234 / 1.234), and the range of a page ("1–50 of 1,234").
import { currentLang, t } from './i18n.js';

/* An ISO date (any precision) as the language writes it: 05/03/2024, 03/2024 or 2024 in
   Vietnamese; 2024-03-05 in English. Anything else is returned as it is. */
export function fmtDate(iso) {
	if (!iso) return '';
	const m = /^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?/.exec(String(iso));
	if (!m) return String(iso);
	if (currentLang() !== 'vi') return m[0];
	return [m[3], m[2], m[1]].filter(Boolean).join('/');
}

/* A timestamp (YYYY-MM-DDTHH:MM[:SS[.fff]]Z) as a date and a time to the minute, in UTC. */
export function fmtDateTime(iso) {
	if (!iso) return '';
	const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})/.exec(String(iso));
	return m ? `${fmtDate(m[1])} ${m[2]}` : fmtDate(iso);
}

/* A date typed as dd/mm/yyyy (or ISO) as YYYY-MM-DD; '' when empty; null when not a date. */
export function parseDate(text) {
	const s = String(text || '').trim();
	if (!s) return '';
	let m = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(s);
	const iso = m ? `${m[3]}-${m[2].padStart(2, '0')}-${m[1].padStart(2, '0')}` : /^\d{4}-\d{2}-\d{2}$/.test(s) ? s : null;
	if (!iso) return null;
	m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
	const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
	return d.getUTCFullYear() === +m[1] && d.getUTCMonth() === +m[2] - 1 && d.getUTCDate() === +m[3] ? iso : null;
}

export function fmtNum(n) {
	return Number(n || 0).toLocaleString(currentLang() === 'vi' ? 'vi-VN' : 'en-GB');
}

/* "1–50 of 1,234" for page (from 1) of per_page items out of total. */
export function fmtRange(page, perPage, total, shown) {
	if (!total) return t('list.none');
	const from = (page - 1) * perPage + 1;
	const to = from + Math.max(0, (shown ?? perPage) - 1);
	return t('list.range', { from: fmtNum(from), to: fmtNum(Math.min(to, total)), total: fmtNum(total) });
}
