// format.js - the one place where dates and numbers are turned into text for the user and back.
// The API speaks ISO 8601 (YYYY, YYYY-MM, YYYY-MM-DD, and YYYY-MM-DDTHH:MM:SSZ for instants);
// the Vietnamese UI shows and accepts dd/mm/yyyy (mm/yyyy and yyyy when only that much is known),
// the English UI shows ISO. Both accept either spelling when a date is typed, so a date pasted from
// another program works whatever the language.
import { currentLang, t } from './i18n.js';

const p2 = (n) => String(n).padStart(2, '0');

/* Whether the UI shows dates day first (dd/mm/yyyy). */
export function dayFirst() {
	return currentLang() === 'vi';
}

/* An ISO date (or date-time) as the user reads it; anything else is returned unchanged. */
export function fmtDate(iso) {
	if (iso === undefined || iso === null || iso === '') return '';
	const s = String(iso);
	let m = s.match(/^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/);
	if (m) {
		const time = m[4] ? ` ${m[4]}:${m[5]}` : '';
		return dayFirst() ? `${m[3]}/${m[2]}/${m[1]}${time}` : `${m[1]}-${m[2]}-${m[3]}${time}`;
	}
	m = s.match(/^(\d{4})-(\d{2})$/);
	if (m) return dayFirst() ? `${m[2]}/${m[1]}` : s;
	return s;
}

function valid(y, mo, d) {
	if (mo < 1 || mo > 12 || y < 1800 || y > 2200) return false;
	if (d === undefined) return true;
	const last = new Date(Date.UTC(y, mo, 0)).getUTCDate();
	return d >= 1 && d <= last;
}

/* Text typed by the user -> {iso} (the API's form; '' for an empty field) or {error} (the words
   for the field's error slot, saying what was expected). partial: YYYY-MM and YYYY are allowed. */
export function parseDate(text, partial) {
	const s = String(text || '').trim();
	if (!s) return { iso: '' };
	let m;
	let y;
	let mo;
	let d;
	if ((m = s.match(/^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/))) [d, mo, y] = [+m[1], +m[2], +m[3]];
	else if ((m = s.match(/^(\d{4})-(\d{1,2})-(\d{1,2})$/))) [y, mo, d] = [+m[1], +m[2], +m[3]];
	else if (partial && (m = s.match(/^(\d{1,2})[/.-](\d{4})$/))) [mo, y] = [+m[1], +m[2]];
	else if (partial && (m = s.match(/^(\d{4})-(\d{1,2})$/))) [y, mo] = [+m[1], +m[2]];
	else if (partial && (m = s.match(/^(\d{4})$/))) y = +m[1];
	if (y === undefined || (mo !== undefined && !valid(y, mo, d)) || (mo === undefined && (y < 1800 || y > 2200)))
		return { error: dateExpected(partial, s) };
	return { iso: mo === undefined ? String(y) : d === undefined ? `${y}-${p2(mo)}` : `${y}-${p2(mo)}-${p2(d)}` };
}

/* The error for a date that could not be read: what was typed and what is expected. */
export function dateExpected(partial, typed) {
	return t(partial ? 'date.expectedPartial' : 'date.expected', { value: typed, example: fmtDate('2024-03-15') });
}

/* The hint under a date field. */
export function dateHint(partial) {
	return t(partial ? 'date.hintPartial' : 'date.hint', { example: fmtDate('2024-03-15') });
}

/* Today as ISO (the user's local day). */
export function todayIso() {
	const d = new Date();
	return `${d.getFullYear()}-${p2(d.getMonth() + 1)}-${p2(d.getDate())}`;
}

/* A number in the UI's language (1.234.567 in Vietnamese, 1,234,567 in English). */
export function fmtNumber(n) {
	if (n === undefined || n === null || n === '' || isNaN(Number(n))) return n === undefined || n === null ? '' : String(n);
	return Number(n).toLocaleString(currentLang() === 'vi' ? 'vi-VN' : 'en-GB');
}

/* Short name kept for the lists' code. */
export const fmtNum = fmtNumber;

/* A timestamp (YYYY-MM-DDTHH:MM[:SS[.fff]]Z) as a date and a time to the minute (UTC). */
export function fmtDateTime(iso) {
	return fmtDate(iso);
}

/* "1–50 of 1,234" for page (from 1) of per_page items out of total. */
export function fmtRange(page, perPage, total, shown) {
	if (!total) return t('list.none');
	const from = (page - 1) * perPage + 1;
	const to = from + Math.max(0, (shown ?? perPage) - 1);
	return t('list.range', { from: fmtNum(from), to: fmtNum(Math.min(to, total)), total: fmtNum(total) });
}
