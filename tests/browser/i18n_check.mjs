// i18n_check.mjs - the web UI's translations and its CSP-friendliness, without a browser:
// en.json and vi.json have the same keys and no empty string; every key the code names exists;
// index.html has no inline script or inline event handler. One "ok"/"not ok" line per check.
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const WEB = resolve(dirname(fileURLToPath(import.meta.url)), '../../web');
let failed = 0;
function check(name, problems) {
	if (!problems.length) return console.log(`ok ${name}`);
	failed++;
	console.log(`not ok ${name}`);
	for (const p of problems.slice(0, 10)) console.log('  ' + p);
}

const en = JSON.parse(readFileSync(join(WEB, 'i18n/en.json'), 'utf8'));
const vi = JSON.parse(readFileSync(join(WEB, 'i18n/vi.json'), 'utf8'));
check('i18n: en.json and vi.json have the same keys', [
	...Object.keys(en).filter((k) => !(k in vi)).map((k) => 'missing in vi: ' + k),
	...Object.keys(vi).filter((k) => !(k in en)).map((k) => 'missing in en: ' + k),
]);
check('i18n: no empty translation', Object.keys({ ...en, ...vi }).filter((k) => !en[k] || !vi[k]));
// Vietnamese is written with its diacritics ("Trang sau" needs none, so: nearly all strings).
const plain = Object.entries(vi).filter(([k, v]) => en[k] !== v && !/[^\x00-\x7f]/.test(v));
check('i18n: the Vietnamese strings carry diacritics', plain.length * 20 > Object.keys(vi).length ? plain.map(([k, v]) => `${k}: ${v}`) : []);
check(
	'i18n: placeholders agree between the languages',
	Object.keys(en).filter((k) => k in vi && (en[k].match(/\{\w+\}/g) || []).sort().join() !== (vi[k].match(/\{\w+\}/g) || []).sort().join())
);

const sources = ['.', 'views'].flatMap((d) =>
	readdirSync(join(WEB, d))
		.filter((f) => f.endsWith('.js'))
		.map((f) => join(WEB, d, f))
);
const used = new Set();
for (const f of sources) for (const m of readFileSync(f, 'utf8').matchAll(/\bt\(\s*'([a-zA-Z.]+)'/g)) used.add(m[1]);
check('i18n: every key the code uses is translated', [...used].filter((k) => !k.endsWith('.') && !(k in en)));

// Every error code the server can answer (docs/API.md, Errors) is translated: the codes of
// server/http.c's table (error_codes), the codes by status of error_code() and the fixed one of
// srv_send_json, each needs error.code.<code> in both languages.
const http = readFileSync(resolve(WEB, '../server/http.c'), 'utf8');
const codes = new Set();
const table = http.slice(http.indexOf('error_codes[] = {'), http.indexOf('};', http.indexOf('error_codes[] = {')));
for (const m of table.matchAll(/,\s*"([a-z][a-z0-9_]*)"\s*\}/g)) codes.add(m[1]);
const fn = http.slice(http.indexOf('static const char *error_code('), http.indexOf('int srv_error('));
for (const m of fn.matchAll(/return\s+(?:[^;"]*\?\s*)?"([a-z][a-z0-9_]*)"(?:\s*:\s*"([a-z][a-z0-9_]*)")?/g)) {
	codes.add(m[1]);
	if (m[2]) codes.add(m[2]);
}
for (const m of http.matchAll(/\\"code\\":\\"([a-z_]+)\\"/g)) codes.add(m[1]);
check(`i18n: every error code of the server (${codes.size}) has an English and a Vietnamese text`, [
	...(codes.size < 30 ? [`only ${codes.size} codes found in server/http.c: has its table moved?`] : []),
	...[...codes].filter((c) => !en['error.code.' + c]).map((c) => 'no en: error.code.' + c),
	...[...codes].filter((c) => !vi['error.code.' + c]).map((c) => 'no vi: error.code.' + c),
]);

const html = readFileSync(join(WEB, 'index.html'), 'utf8');
check('web: no inline script or event handler (CSP default-src self)', [
	...[...html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>/g)].map((m) => 'inline script: ' + m[0]),
	...[...html.matchAll(/\son[a-z]+\s*=/g)].map((m) => 'inline handler: ' + m[0]),
	...(/(https?:)?\/\/[a-z]/i.test(html.replace(/xmlns="[^"]*"/g, '')) ? ['a URL to another site'] : []),
]);
const js = sources.map((f) => readFileSync(f, 'utf8')).join('\n');
check('web: no innerHTML, eval or remote URL in the code', [
	...(/\.innerHTML\s*=|insertAdjacentHTML|\beval\(|new Function\(/.test(js) ? ['markup or code built from strings'] : []),
	...(/https?:\/\//.test(js) ? ['a remote URL'] : []),
]);
process.exit(failed ? 1 : 0);
