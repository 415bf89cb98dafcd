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
