// flow.mjs - the web UI in a real browser (Debian's headless Chromium driven by playwright-core).
// A fresh database, organisations A, B, C and a caseworker in each; `ctip serve` on a free port.
// A creates a case with a consenting victim through the UI and refers it to B; B finds it in the
// referral inbox and opens it; C gets "not found" for its URL; `ctip audit log --person` shows
// B's view. Prints one "ok NAME" / "not ok NAME" line per checked step (tests/run.sh counts them)
// and saves screenshots of the main pages to docs/screenshots/.
//
// Environment: CTIP (the binary, required), CHROMIUM (default /usr/bin/chromium),
// CTIP_WEB_DIR (serve the UI from that folder instead of the embedded copy),
// SCREENSHOTS (folder; default build/test-logs/screenshots; "none" to skip; run.sh --docs sets
// docs/screenshots, the ones kept in the repository), CTIP_TEST_DB_URL (postgresql:///...?host=DIR:
// the flow on a new database of that PostgreSQL cluster instead of a SQLite file; run.sh does
// both when tests/run.sh started its cluster).
import { chromium } from 'playwright-core';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { listSteps } from './lists.mjs';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const CTIP = process.env.CTIP;
const SHOTS = process.env.SCREENSHOTS === 'none' ? null : resolve(REPO, process.env.SCREENSHOTS || 'build/test-logs/screenshots');
const PASSWORD = 'correct horse battery staple 42';
// Synthetic people: "Thử Nghiệm" means "test", "Giả Định" means "hypothetical".
const VICTIM = { family: 'Vũ', middle: 'Thị', given: 'Thử Nghiệm' };
const VICTIM_NAME = 'Vũ Thị Thử Nghiệm';
const HIDDEN = { prs_SecondName: 'Đỗ', prs_MiddleName: 'Văn', prs_FirstName: 'Giả Định' };

let failed = 0;
let passed = 0;
function ok(name) {
	passed++;
	console.log(`ok ${name}`);
}
function notok(name, why) {
	failed++;
	console.log(`not ok ${name}`);
	if (why) console.log('  ' + String(why).split('\n').slice(0, 6).join('\n  '));
}
/* step NAME FN: ok when FN resolves (to anything but false), not ok when it throws or is false. */
async function step(name, fn) {
	const t0 = Date.now();
	try {
		const r = await fn();
		if (process.env.VERBOSE) console.log(`# ${Date.now() - t0} ms`);
		if (r === false) notok(name, 'condition false');
		else ok(name);
		return r;
	} catch (e) {
		notok(name, e && e.message ? e.message : e);
		return undefined;
	}
}
function expect(cond, msg) {
	if (!cond) throw new Error(msg);
}

const tmp = mkdtempSync(join(tmpdir(), 'ctip-browser.'));
const env = { ...process.env, CTIP_DB: join(tmp, 'ctip.db') };
delete env.CTIP_WEB_DIR;
// CTIP_TEST_DB_URL (postgresql:///...?host=SOCKETDIR, tests/run.sh's throwaway cluster): the same
// flow on a new database of that cluster, dropped at the end, as tests/attacks/harness.py does
const PG_BASE = process.env.CTIP_TEST_DB_URL || '';
let pgName = null;
function psql(db, sql) {
	const host = PG_BASE.split('host=')[1].split('&')[0];
	return execFileSync('psql', ['-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', '-h', host, '-d', db, '-c', sql], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}
if (PG_BASE) {
	pgName = `ctip_browser_${process.pid}`;
	psql('postgres', `CREATE DATABASE ${pgName}`);
	env.CTIP_DB = `postgresql:///${pgName}?host=${PG_BASE.split('host=')[1].split('&')[0]}`;
	env.CTIP_KEY = join(tmp, 'ctip.key');
}
function ctip(args, input) {
	return execFileSync(CTIP, args, { env, cwd: tmp, input: input ?? '', encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
}

function freePort() {
	return new Promise((res, rej) => {
		const s = net.createServer();
		s.on('error', rej);
		s.listen(0, '127.0.0.1', () => {
			const { port } = s.address();
			s.close(() => res(port));
		});
	});
}

let server = null;
let serverExit = null;
let serverOut = '';
let stopping = false;
let browser = null;

async function startServer() {
	const port = await freePort();
	// the flow's users are several browsers on one address, each with up to six connections
	// (more while PostgreSQL's answers are slower): past the default 32 per address the server
	// closes new ones, as for an office behind one NAT address (docs/SECURITY.md); as walk.mjs
	const args = ['serve', '--listen', `127.0.0.1:${port}`, '--max-conns-per-ip', '128'];
	if (process.env.CTIP_WEB_DIR) args.push('--web', resolve(process.env.CTIP_WEB_DIR));
	server = spawn(CTIP, args, { env, cwd: tmp, stdio: ['ignore', 'pipe', 'pipe'] });
	serverExit = new Promise((res) =>
		server.on('exit', (code, signal) => {
			// a server that dies mid-flow fails every later step: say why, once, with its log
			if (!stopping) notok('the server runs until the flow stops it', `code ${code} signal ${signal}\n${serverOut.slice(-4000)}`);
			res({ code, signal });
		}),
	);
	server.stdout.on('data', (d) => (serverOut += d));
	server.stderr.on('data', (d) => (serverOut += d));
	const deadline = Date.now() + 20000;
	while (Date.now() < deadline) {
		if (server.exitCode !== null) throw new Error('server exited: ' + serverOut);
		if (/serving http/.test(serverOut)) {
			try {
				const r = await fetch(`http://127.0.0.1:${port}/`);
				if (r.ok) return `http://127.0.0.1:${port}`;
			} catch (e) {
				/* not yet listening */
			}
		}
		await new Promise((r) => setTimeout(r, 100));
	}
	throw new Error('server did not start in 20 s: ' + serverOut);
}

async function shot(page, name, opts = {}) {
	if (!SHOTS) return;
	mkdirSync(SHOTS, { recursive: true });
	await page.mouse.move(0, 0); // no hover effect left from the last click
	await page.screenshot({ path: join(SHOTS, name + '.png'), ...opts });
}

const problems = []; // page errors, CSP violations, requests leaving the server

async function newUser(base, viewport = { width: 1100, height: 780 }) {
	const context = await browser.newContext({ viewport, locale: 'en-GB', acceptDownloads: true });
	await context.route('**/*', (route) => {
		const url = route.request().url();
		if (url.startsWith(base + '/') || url === base) return route.continue();
		problems.push('request outside the server: ' + url);
		return route.abort();
	});
	context.setDefaultTimeout(10000);
	const page = await context.newPage();
	page.on('pageerror', (e) => problems.push('page error: ' + e.message));
	page.on('console', (m) => {
		if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) problems.push('console: ' + m.text());
	});
	return { context, page };
}

async function login(page, base, user, landing = /^Home of /) {
	await page.goto(base + '/');
	await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
	await page.getByLabel('Username').fill(user);
	await page.getByLabel('Password').fill(PASSWORD);
	await page.getByLabel('Password').press('Enter');
	await page.getByRole('heading', { level: 1, name: landing }).waitFor();
}

/* Accessibility of the page as shown: one h1, every control labelled, unique ids, existing
   aria-describedby targets, and text contrast of at least 4.5:1 (3:1 for large text). */
const a11yProblems = [];
async function a11y(page, where) {
	const found = await page.evaluate(() => {
		const out = [];
		const visible = (el) => !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length);
		if (document.querySelectorAll('h1').length !== 1) out.push(`${document.querySelectorAll('h1').length} h1 elements`);
		for (const c of document.querySelectorAll('input, select, textarea')) {
			if (c.type === 'hidden' || !visible(c) || c.closest('[aria-hidden="true"]')) continue;
			if (!(c.labels && c.labels.length) && !c.getAttribute('aria-label')) out.push(`unlabelled ${c.tagName.toLowerCase()} ${c.id || c.name}`);
		}
		const ids = [...document.querySelectorAll('[id]')].map((e) => e.id);
		for (const id of ids) if (ids.indexOf(id) !== ids.lastIndexOf(id)) out.push('duplicate id ' + id);
		for (const e of document.querySelectorAll('[aria-describedby]'))
			for (const id of e.getAttribute('aria-describedby').split(/\s+/)) if (!document.getElementById(id)) out.push('aria-describedby to nothing: ' + id);
		const rgb = (s) => (s.match(/[\d.]+/g) || []).map(Number);
		const lum = ([r, g, b]) => {
			const f = (v) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
			return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
		};
		const bg = (el) => {
			for (; el; el = el.parentElement) {
				const c = rgb(getComputedStyle(el).backgroundColor);
				if (c.length >= 3 && (c.length < 4 || c[3] > 0.5)) return c;
			}
			return [255, 255, 255];
		};
		const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
		const seen = new Set();
		for (let n = walker.nextNode(); n; n = walker.nextNode()) {
			const el = n.parentElement;
			if (!n.textContent.trim() || seen.has(el) || !visible(el)) continue;
			seen.add(el);
			const st = getComputedStyle(el);
			const L1 = lum(rgb(st.color));
			const L2 = lum(bg(el));
			const ratio = (Math.max(L1, L2) + 0.05) / (Math.min(L1, L2) + 0.05);
			const size = parseFloat(st.fontSize);
			const large = size >= 24 || (size >= 18.66 && Number(st.fontWeight) >= 700);
			if (ratio < (large ? 3 : 4.5)) out.push(`contrast ${ratio.toFixed(2)} for "${n.textContent.trim().slice(0, 30)}"`);
		}
		return out;
	});
	for (const f of found) a11yProblems.push(`${where}: ${f}`);
}

/* Presses Tab until the focused element's text matches, as a keyboard user would. */
async function tabTo(page, re, max = 40) {
	for (let i = 0; i < max; i++) {
		await page.keyboard.press('Tab');
		const text = await page.evaluate(() => (document.activeElement ? document.activeElement.textContent.trim() : ''));
		if (re.test(text)) return;
	}
	throw new Error('Tab never reached ' + re);
}

/* A request from inside the page, with the session and CSRF token it already has. */
async function apiFrom(page, method, path, body) {
	return page.evaluate(
		async ([method, path, body]) => {
			const me = await (await fetch('/api/me')).json();
			const r = await fetch('/api' + path, {
				method,
				headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': me.csrf_token },
				body: body ? JSON.stringify(body) : undefined,
			});
			return { status: r.status, body: await r.json().catch(() => null) };
		},
		[method, path, body]
	);
}

async function main() {
	expect(CTIP, 'CTIP is not set');
	await step('setup: init, organisations A, B, C, a caseworker in each and a supervisor in A', () => {
		ctip(['init']);
		ctip(['org', 'add', 'Org A', '--type', 'NGO']);
		ctip(['org', 'add', 'Org B', '--type', 'SocialProtectionCentre']);
		ctip(['org', 'add', 'Org C', '--type', 'Police']);
		for (const [u, o] of [
			['worker_a', 'Org A'],
			['worker_b', 'Org B'],
			['worker_c', 'Org C'],
		])
			ctip(['user', 'add', u, '--org', o, '--role', 'caseworker'], PASSWORD + '\n');
		ctip(['user', 'add', 'supervisor_a', '--org', 'Org A', '--role', 'supervisor'], PASSWORD + '\n');
		ctip(['user', 'add', 'analyst_a', '--org', 'Org A', '--role', 'analyst'], PASSWORD + '\n');
	});
	const base = await step('ctip serve starts on a free port and serves the UI', startServer);
	if (!base) return;
	browser = await chromium.launch({
		executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
		headless: true,
		args: [
			'--headless',
			'--no-sandbox',
			'--disable-gpu',
			'--disable-quic',
			'--no-first-run',
			'--disable-background-networking',
			'--disable-component-update',
			'--disable-sync',
		],
	});

	// --- A: sign in, create a case, refer it to B ------------------------------------------------
	const A = await newUser(base);
	let pa = A.page;
	await step('the login page has labelled fields', async () => {
		await pa.goto(base + '/#/cases');
		await pa.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
		expect(await pa.getByLabel('Username').isVisible(), 'no Username field');
		expect((await pa.getByLabel('Password').getAttribute('type')) === 'password', 'password not masked');
		await shot(pa, 'login');
		await a11y(pa, 'login');
	});
	await step('a wrong password is refused with a message', async () => {
		await pa.getByLabel('Username').fill('worker_a');
		await pa.getByLabel('Password').fill('wrong password');
		await pa.getByRole('button', { name: 'Sign in' }).click();
		await pa.getByText('Wrong username or password.').waitFor();
	});
	await step('A signs in from the keyboard and lands on the case list', async () => {
		await pa.getByLabel('Username').fill('worker_a');
		await pa.getByLabel('Password').fill(PASSWORD);
		await pa.keyboard.press('Enter');
		await pa.getByRole('heading', { level: 1, name: 'Cases' }).waitFor();
		const focused = await pa.evaluate(() => document.activeElement && document.activeElement.tagName);
		expect(focused === 'H1', 'focus is not on the heading but on ' + focused);
	});
	let caseId = null;
	await step('create form: a bad birth date is refused next to the field, saying what was expected', async () => {
		await pa.getByRole('link', { name: 'New case' }).first().click();
		await pa.getByRole('heading', { level: 1, name: 'New case' }).waitFor();
		await pa.getByLabel('Family name').fill(VICTIM.family);
		await pa.getByLabel('Middle name').fill(VICTIM.middle);
		await pa.getByLabel('Given name').fill(VICTIM.given);
		await pa.getByLabel('Date of birth').fill('31/02/2001');
		await pa.getByLabel('Gender').selectOption('Feminine');
		await pa.getByLabel('Province').fill('Ha Giang');
		await pa.getByLabel('Mobile phone').fill('0912 000 111');
		await pa.getByLabel('Forced labour').check();
		await pa.getByLabel('The victim gave consent').check();
		await pa.getByLabel('Processing of personal data').check();
		await pa.getByLabel('Sharing with referral organisations').check();
		await pa.getByLabel('Sharing identifying information').check();
		await pa.getByRole('button', { name: 'Create case' }).click();
		const field = pa.getByLabel('Date of birth');
		await pa.locator('#new-prs_Birthdate-error:not([hidden])').waitFor({ timeout: 5000 });
		expect(/31\/02\/2001.*YYYY-MM-DD/.test(await pa.locator('#new-prs_Birthdate-error').textContent()), 'the error does not say what was expected');
		expect((await field.getAttribute('aria-invalid')) === 'true', 'field not marked invalid');
		expect((await field.getAttribute('aria-describedby')).includes('new-prs_Birthdate-error'), 'error not linked');
		expect(await field.evaluate((el) => el === document.activeElement), 'focus not on the field');
		await shot(pa, 'create-form', { fullPage: true });
		await a11y(pa, 'create form with an error');
	});
	await step('A creates the case with a consenting victim', async () => {
		await pa.getByLabel('Date of birth').fill('15/03/2001'); // day first is read too
		await pa.getByRole('button', { name: 'Create case' }).click();
		await pa.getByText('Case created.').waitFor();
		caseId = Number(new URL(pa.url()).hash.match(/^#\/cases\/(\d+)$/)[1]);
		await pa.getByRole('region', { name: 'Persons' }).getByRole('heading', { level: 4, name: new RegExp(VICTIM_NAME) }).waitFor();
		expect(await pa.getByRole('heading', { level: 3, name: 'Victim context' }).isVisible(), 'no victim context');
		expect(await pa.getByText('Forced labour').first().isVisible(), 'exploitation not labelled');
	});
	if (!caseId) return;
	let personId = null;
	await step('A refers the case to B with the referral form', async () => {
		const form = pa.getByRole('form', { name: 'Refer this case' });
		expect((await form.getByLabel('To organisation').inputValue()) === '', 'a recipient was chosen in advance');
		await form.getByLabel('To organisation').selectOption('Org B');
		await form.getByLabel('Reason').selectOption('AdditionalServicesRequired');
		await form.getByLabel('Note for the receiving organisation').fill('Cần chỗ ở an toàn; gọi trước khi đến.');
		await form.getByRole('button', { name: 'Review before sending' }).click();
		// the confirmation says what B will see before anything is sent
		await form.getByRole('heading', { name: 'Refer this case to Org B?' }).waitFor();
		expect(await form.getByText('with name and identity').isVisible(), 'the confirmation does not say the identity is shared');
		expect(await form.getByText('Cần chỗ ở an toàn; gọi trước khi đến.').isVisible(), 'the note is not shown before sending');
		await form.getByRole('button', { name: 'Confirm and send' }).click();
		await pa.getByText('Case referred to Org B.').waitFor();
		await pa.getByRole('cell', { name: 'Org B' }).first().waitFor();
		await shot(pa, 'case', { fullPage: true });
		await a11y(pa, 'case page');
		const c = await apiFrom(pa, 'GET', `/cases/${caseId}`);
		personId = c.body.persons[0].id;
		expect(Number.isInteger(personId), 'no person id');
	});
	await step('a second case, whose victim gave no consent, is referred to B too', async () => {
		const r = await apiFrom(pa, 'POST', '/cases', { cas_Status: 'Active', persons: [{ role: 'victim', ...HIDDEN, con_Consent: false }] });
		expect(r.status === 201, 'create: ' + r.status + ' ' + JSON.stringify(r.body));
		const f = await apiFrom(pa, 'POST', '/referrals', { case_id: r.body.id, to_org: 'Org B', reason: 'Other' });
		expect(f.status === 201, 'refer: ' + f.status + ' ' + JSON.stringify(f.body));
	});
	await step('A edits the case: a bad date is refused next to its field, then status and a comment', async () => {
		await pa.goto(`${base}/#/cases/${caseId}`);
		await pa.getByRole('link', { name: 'Edit case' }).click();
		await pa.getByRole('heading', { level: 1, name: /^Edit case/ }).waitFor();
		await pa.getByLabel('Case closed').fill('32/01/2020');
		await pa.getByRole('button', { name: 'Save' }).click();
		await pa.locator('#edit-ctip_CaseClosedDate-error:not([hidden])').waitFor();
		expect((await pa.getByLabel('Case closed').getAttribute('aria-invalid')) === 'true', 'field not marked invalid');
		await pa.getByLabel('Case closed').fill('');
		await pa.getByLabel('Case status').selectOption('FollowUp');
		await pa.getByLabel('Add a comment').fill('Hẹn gọi lại sau một tuần.');
		await pa.getByRole('button', { name: 'Save' }).click();
		await pa.getByText('Case saved.').waitFor();
		await pa.getByText('Hẹn gọi lại sau một tuần.').waitFor();
		await pa.getByText('Follow Up', { exact: true }).waitFor();
		await a11y(pa, 'case page after editing');
	});
	await step('a change made meanwhile by someone else: the edit is refused with the conflict message, nothing saved', async () => {
		await pa.goto(`${base}/#/cases/${caseId}/edit`);
		await pa.getByRole('heading', { level: 1, name: /^Edit case/ }).waitFor();
		// another user (another server) changes the case after this form was opened
		const other = await apiFrom(pa, 'PATCH', `/cases/${caseId}`, { comment: 'Changed elsewhere.' });
		expect(other.status === 200, 'the other change: ' + other.status);
		await pa.getByLabel('Case status').selectOption('Closed');
		await pa.getByRole('button', { name: 'Save' }).click();
		await pa.getByText('Someone else changed this case after you opened it.', { exact: false }).waitFor();
		const c = await apiFrom(pa, 'GET', `/cases/${caseId}`);
		expect(c.body.cas_Status === 'FollowUp', 'the stale edit was applied: ' + c.body.cas_Status);
		await pa.goto(`${base}/#/cases/${caseId}`);
		await pa.getByText('Changed elsewhere.').waitFor();
	});
	await step('A adds assistance to the victim from the case page', async () => {
		await pa.getByText('Add assistance').click();
		const form = pa.locator('details.add[open] form');
		await form.getByLabel('Kind of assistance').selectOption('Medical');
		await form.getByLabel('Amount').fill('1500000');
		await form.getByRole('button', { name: 'Add' }).click();
		await pa.getByText('Added to the case.').waitFor();
		await pa.getByRole('cell', { name: 'Medical support' }).waitFor();
		await pa.getByRole('cell', { name: '1,500,000 ₫' }).waitFor();
	});
	await step('A records an event from the case page (only on its explicit Add)', async () => {
		const n0 = (await apiFrom(pa, 'GET', `/events?case_id=${caseId}`)).body.events.length;
		await pa.getByText('Add an event').click();
		const form = pa.locator('form:has(#add-events-hte_Type)');
		await form.locator('#add-events-hte_Type').selectOption('Recruitment');
		await form.getByLabel('City or place').fill('Vinh');
		expect((await apiFrom(pa, 'GET', `/events?case_id=${caseId}`)).body.events.length === n0, 'saved before Add');
		await form.getByRole('button', { name: 'Add' }).click();
		await pa.getByText('Added to the case.').waitFor();
		await pa.locator('[data-stage="identification"]').getByRole('cell', { name: 'Vinh' }).waitFor();
		expect((await apiFrom(pa, 'GET', `/events?case_id=${caseId}`)).body.events.length === n0 + 1, 'not saved');
	});
	await step('A corrects the event: the entry chosen from a list, filled in, changed only on Save; a stale copy is refused', async () => {
		const sec = pa.locator('[data-stage="identification"]');
		await sec.getByText('Correct an entry').click();
		const form = sec.locator('form:has(#edit-events-item)');
		await form.locator('#edit-events-item').waitFor();
		const n = await form.locator('#edit-events-item option').count();
		const last = await form.locator('#edit-events-item option').nth(n - 1).getAttribute('value');
		await form.locator('#edit-events-item').selectOption(last);
		expect((await form.getByLabel('City or place').inputValue()) === 'Vinh', 'the chosen event is not filled in');
		expect((await form.locator('#edit-events-hte_Type').inputValue()) === 'Recruitment', 'the type is not filled in');
		await form.getByLabel('Date', { exact: true }).fill('14/05/2023');
		const before = (await apiFrom(pa, 'GET', `/events/${last}`)).body;
		expect(!before.hte_Date, 'saved before Save: ' + JSON.stringify(before));
		await form.getByRole('button', { name: 'Save the correction' }).click();
		await pa.getByText('The correction is saved.').waitFor();
		await pa.locator('[data-stage="identification"]').getByRole('cell', { name: /^(14\/05\/2023|2023-05-14)$/ }).waitFor();
		const after = (await apiFrom(pa, 'GET', `/events/${last}`)).body;
		expect(after.hte_Date === '2023-05-14' && after.hte_City === 'Vinh' && after.hte_Type === 'Recruitment', 'stored: ' + JSON.stringify(after));
		// another user changes the case while the correction form is open: the correction is refused
		await pa.locator('[data-stage="identification"]').getByText('Correct an entry').click();
		const f2 = pa.locator('[data-stage="identification"] form:has(#edit-events-item)');
		await f2.locator('#edit-events-item').selectOption(last);
		const other = await apiFrom(pa, 'PATCH', `/cases/${caseId}`, { comment: 'Changed by a colleague.' });
		expect(other.status === 200, 'the other change: ' + other.status);
		await f2.getByLabel('City or place').fill('Huế');
		await f2.getByRole('button', { name: 'Save the correction' }).click();
		await pa.getByText('Someone else changed this case after you opened it.', { exact: false }).waitFor();
		expect((await apiFrom(pa, 'GET', `/events/${last}`)).body.hte_City === 'Vinh', 'the stale correction was applied');
		await pa.reload();
		await pa.getByText('Changed by a colleague.').waitFor();
	});
	await step('A adds a perpetrator to the case', async () => {
		await pa.getByText('Add a person').click();
		const form = pa.locator('details.add[open] form');
		await form.getByLabel('Role in the case').selectOption('Perpetrator');
		await form.getByLabel('Family name').fill('Lê');
		await form.getByLabel('Given name').fill('Giả Danh');
		await form.getByRole('button', { name: 'Add' }).click();
		await pa.getByText('Added to the case.').waitFor();
		await pa.getByRole('heading', { level: 4, name: 'Lê Giả Danh (Perpetrator)' }).waitFor();
	});
	// --- the case page organised by workflow (issue 14 item 5) -------------------------------------
	await step('the case page by workflow: the stages in order, the current one marked, what is due', async () => {
		await pa.goto(`${base}/#/cases/${caseId}`);
		const steps = pa.getByRole('list', { name: 'Stages of the case' }).getByRole('listitem');
		await steps.first().waitFor();
		const texts = (await steps.allTextContents()).map((x) => x.replace(/\(current stage\)/, '').trim());
		expect(texts.join('|') === 'Identification|Assessment|Case plan|Services|Follow-up and reintegration|Closed', 'stages: ' + texts.join('|'));
		expect((await pa.locator('ol.stages li[aria-current="step"]').textContent()).startsWith('Identification'), 'the current stage is not marked');
		const order = await pa.locator('section.stage-block').evaluateAll((ss) => ss.map((x) => x.dataset.stage));
		expect(order.join(',') === 'identification,assessment,case_plan,services,followup_reintegration,closed', 'sections: ' + order);
		await pa.getByRole('heading', { level: 2, name: /Identification.*current stage/ }).waitFor();
		await pa.getByRole('heading', { level: 3, name: 'What is due' }).waitFor();
		await pa.getByText('Record the persons and the events, then move the case to assessment.').waitFor();
		await shot(pa, 'case-workflow', { fullPage: true });
		await a11y(pa, 'case page by workflow');
	});
	await step('the case page: a risk assessment saved from the page (explicit save), the trend shown', async () => {
		const n0 = (await apiFrom(pa, 'GET', `/cases/${caseId}/assessments`)).body.assessments.length;
		await pa.getByText('Record a risk assessment').click();
		await pa.locator('#assess-q_debt').selectOption('recruiter');
		const n1 = (await apiFrom(pa, 'GET', `/cases/${caseId}/assessments`)).body.assessments.length;
		expect(n1 === n0, 'choosing an answer saved something');
		await pa.locator('form:has(#assess-q_debt)').getByRole('button', { name: 'Save the assessment' }).click();
		await pa.locator('.flash').first().waitFor();
		const n2 = (await apiFrom(pa, 'GET', `/cases/${caseId}/assessments`)).body.assessments.length;
		expect(n2 === n0 + 1, `assessments ${n0} -> ${n2}`);
		await pa.locator('[data-stage="assessment"] table').first().getByRole('cell', { name: 'High' }).first().waitFor();
	});
	await step('A corrects the assessment from its row: filled in, changed only on Save, with the version (a stale copy is refused)', async () => {
		const sec = pa.locator('[data-stage="assessment"]');
		const as0 = (await apiFrom(pa, 'GET', `/cases/${caseId}/assessments`)).body.assessments;
		const last = as0[as0.length - 1];
		expect(last.answers.debt === 'recruiter', 'set-up: ' + JSON.stringify(last));
		// the row's Correct opens the form with that assessment filled in
		await sec.getByRole('button', { name: /^Correct the assessment of / }).last().click();
		const form = sec.locator('form:has(#correct-assessment-entry)');
		await form.locator('#correct-assessment-q_debt').waitFor();
		expect((await form.locator('#correct-assessment-entry').inputValue()) === String(last.id), 'another assessment chosen');
		expect((await form.locator('#correct-assessment-q_debt').inputValue()) === 'recruiter', 'the answers are not filled in');
		const [y, m, d] = last.date.split('-');
		const shownDate = await form.locator('#correct-assessment-date').inputValue();
		expect([`${d}/${m}/${y}`, last.date].includes(shownDate), 'the date is not filled in: ' + shownDate);
		// a colleague changes the case meanwhile: the correction is refused, nothing stored
		const other = await apiFrom(pa, 'PATCH', `/cases/${caseId}`, { comment: 'Assessment checked by a colleague.' });
		expect(other.status === 200, 'the other change: ' + other.status);
		await form.locator('#correct-assessment-q_debt').selectOption('none');
		await form.getByRole('button', { name: 'Save the correction' }).click();
		await pa.getByText('Someone else changed this case after you opened it.', { exact: false }).waitFor();
		const stale = (await apiFrom(pa, 'GET', `/cases/${caseId}/assessments`)).body.assessments.find((x) => x.id === last.id);
		expect(stale.answers.debt === 'recruiter', 'the stale correction was applied');
		// on the page as it is now (the refused form is left without a question): changed only on Save
		pa.once('dialog', (dl) => dl.accept());
		await pa.reload();
		await pa.waitForFunction(() => !document.getElementById('main').hasAttribute('aria-busy'));
		const sec2 = pa.locator('[data-stage="assessment"]');
		await sec2.getByRole('button', { name: /^Correct the assessment of / }).last().click();
		const f2 = sec2.locator('form:has(#correct-assessment-entry)');
		await f2.locator('#correct-assessment-q_debt').selectOption('none');
		const before = (await apiFrom(pa, 'GET', `/cases/${caseId}/assessments`)).body.assessments.find((x) => x.id === last.id);
		expect(before.answers.debt === 'recruiter', 'saved before Save');
		await f2.getByRole('button', { name: 'Save the correction' }).click();
		await pa.getByText(/^Assessment corrected: score \d+, /).waitFor();
		const after = (await apiFrom(pa, 'GET', `/cases/${caseId}/assessments`)).body.assessments.find((x) => x.id === last.id);
		expect(after.answers.debt === 'none' && after.level !== 'high' && after.date === last.date, 'stored: ' + JSON.stringify(after));
	});
	await step('the case page: a person edited (only on save), unsaved changes warned before leaving', async () => {
		await pa.goto(`${base}/#/cases/${caseId}`);
		await pa.waitForFunction(() => !document.getElementById('main').hasAttribute('aria-busy'));
		await pa.locator('article.person', { hasText: 'Lê Giả Danh' }).waitFor();
		const card = pa.locator('article.person', { hasText: 'Lê Giả Danh' });
		await card.getByText('Edit this person').click();
		await card.getByLabel('Mobile phone').fill('0912 345 678');
		// leaving asks first; staying keeps the page and the typed value, nothing saved
		let asked = null;
		pa.once('dialog', (d) => {
			asked = d.message();
			d.dismiss();
		});
		await pa.locator('#nav a[href="#/cases"]').click();
		await pa.waitForTimeout(300);
		expect(asked && /not saved/.test(asked), 'no warning: ' + asked);
		expect(new URL(pa.url()).hash.startsWith(`#/cases/${caseId}`), 'left the page: ' + pa.url());
		expect((await card.getByLabel('Mobile phone').inputValue()) === '0912 345 678', 'the typed value was lost');
		const before = (await apiFrom(pa, 'GET', `/cases/${caseId}`)).body.persons.find((p) => p.prs_FirstName === 'Giả Danh');
		expect(!before.prs_MobilePhone, 'saved without asking');
		await card.getByRole('button', { name: 'Save the changes' }).click();
		await pa.getByText('Saved: Lê Giả Danh (Perpetrator).').waitFor();
		const after = (await apiFrom(pa, 'GET', `/cases/${caseId}`)).body.persons.find((p) => p.prs_FirstName === 'Giả Danh');
		expect(String(after.prs_MobilePhone).replace(/\D/g, '').endsWith('912345678'), 'phone: ' + JSON.stringify(after.prs_MobilePhone));
		// saved: leaving asks nothing
		let asked2 = null;
		pa.once('dialog', (d) => {
			asked2 = d.message();
			d.accept();
		});
		await pa.locator('#nav a[href="#/cases"]').click();
		await pa.getByRole('heading', { level: 1, name: 'Cases' }).waitFor();
		expect(asked2 === null, 'asked after saving');
	});
	pa.removeAllListeners('dialog');
	// whatever the step above left typed: the next page is left without a question
	pa.once('dialog', (d) => d.accept());
	await step('the case page in Vietnamese at 390 px: no horizontal scrolling, stages labelled', async () => {
		await pa.setViewportSize({ width: 390, height: 844 });
		await pa.goto(`${base}/#/cases/${caseId}`);
		await pa.waitForFunction(() => !document.getElementById('main').hasAttribute('aria-busy'));
		await pa.locator('#lang-select').selectOption('vi');
		await pa.getByRole('list', { name: 'Các giai đoạn của hồ sơ' }).waitFor();
		await pa.getByRole('heading', { level: 3, name: 'Việc cần làm' }).waitFor();
		const w = await pa.evaluate(() => document.documentElement.scrollWidth);
		expect(w <= 390, 'the page is ' + w + ' px wide');
		await shot(pa, 'case-workflow-phone-vi', { fullPage: true });
		await a11y(pa, 'case page by workflow, Vietnamese, 390 px');
		await pa.locator('#lang-select').selectOption('en');
		await pa.setViewportSize({ width: 1100, height: 780 });
	});
	pa.removeAllListeners('dialog');
	await step('correcting an assessment in Vietnamese at 390 px: the form fits, the date as dd/mm/yyyy, nothing saved without Lưu', async () => {
		await pa.setViewportSize({ width: 390, height: 844 });
		await pa.goto(`${base}/#/cases/${caseId}`);
		await pa.waitForFunction(() => !document.getElementById('main').hasAttribute('aria-busy'));
		await pa.locator('#lang-select').selectOption('vi');
		const sec = pa.locator('[data-stage="assessment"]');
		await sec.getByRole('button', { name: /^Sửa lần đánh giá ngày \d\d\/\d\d\/\d{4}$/ }).last().click();
		const form = sec.locator('form:has(#correct-assessment-entry)');
		await form.getByRole('button', { name: 'Lưu chỉnh sửa' }).waitFor();
		expect(/^\d\d\/\d\d\/\d{4}$/.test(await form.locator('#correct-assessment-date').inputValue()), 'the date is not dd/mm/yyyy');
		// the date field as app.css lays it out: the text and the calendar button on one row, the
		// browser's own date input (mm/dd/yyyy in its locale) invisible (an unclosed @media print
		// once put every rule after it out of the screen's reach)
		const row = await form.locator('.date-row').first().evaluate((r) => {
			const [text, pick, native] = [r.querySelector('input[type="text"]'), r.querySelector('.date-pick'), r.querySelector('.date-native')];
			const a = text.getBoundingClientRect(), b = pick.getBoundingClientRect();
			return { flex: getComputedStyle(r).display, opacity: getComputedStyle(native).opacity, oneRow: Math.abs(a.top - b.top) < 4 && b.left > a.left };
		});
		expect(row.flex === 'flex' && row.opacity === '0' && row.oneRow, 'the date field is laid out wrongly: ' + JSON.stringify(row));
		const w = await pa.evaluate(() => document.documentElement.scrollWidth);
		expect(w <= 390, 'the page is ' + w + ' px wide');
		await a11y(pa, 'assessment correction, Vietnamese, 390 px');
		await shot(pa, 'assessment-correct-phone-vi', { fullPage: true });
		pa.once('dialog', (d) => d.accept());
		await pa.locator('#lang-select').selectOption('en');
		await pa.setViewportSize({ width: 1100, height: 780 });
	});
	pa.removeAllListeners('dialog');
	// --- casework (docs/CASEWORK.md): a risk assessment, a follow-up plan, a hotline contact ------
	await step('A works the case: the casework page saves a risk assessment and plans follow-up', async () => {
		await pa.getByRole('link', { name: 'Casework', exact: true }).click();
		await pa.getByRole('heading', { level: 1, name: /^Casework of case/ }).waitFor();
		await pa.getByLabel('Recruiter or trafficker living nearby').selectOption('yes');
		await pa.getByRole('button', { name: 'Save the assessment' }).click();
		await pa.getByText('Assessment saved: score 4, High').waitFor();
		await pa.getByRole('button', { name: 'Plan', exact: true }).click();
		await pa.getByText('5 contacts planned').waitFor();
		await pa.getByText('High risk of re-trafficking', { exact: false }).first().waitFor();
		await shot(pa, 'casework', { fullPage: true });
		await a11y(pa, 'casework');
	});
	await step('A records an anonymous hotline contact and opens a case from it', async () => {
		await pa.getByRole('link', { name: 'Hotline contacts' }).click();
		await pa.getByRole('heading', { level: 1, name: 'Hotline contacts' }).waitFor();
		await pa.getByLabel('Channel').selectOption('call');
		await pa.getByRole('button', { name: 'Save the contact' }).click();
		await pa.getByText(/^Contact H\d+ recorded$/).waitFor();
		await a11y(pa, 'hotline contacts');
		await pa.getByRole('button', { name: /^Open a case from contact H/ }).first().click();
		await pa.getByRole('heading', { level: 1, name: /^Casework of case HL-/ }).waitFor();
		await pa.getByRole('link', { name: 'Follow-up', exact: true }).click();
		await pa.getByRole('heading', { level: 1, name: 'Follow-up and approvals' }).waitFor();
		await a11y(pa, 'follow-up');
	});
	await step('the case list shows the case', async () => {
		await pa.getByRole('link', { name: 'Cases', exact: true }).click();
		await pa.getByRole('heading', { level: 1, name: 'Cases' }).waitFor();
		await pa.locator(`a[href="#/cases/${caseId}"]`).waitFor();
		await shot(pa, 'cases');
		await a11y(pa, 'case list');
	});
	await step('search without diacritics finds the victim', async () => {
		await pa.getByRole('link', { name: 'Search' }).click();
		await pa.getByRole('heading', { level: 1, name: 'Search persons' }).waitFor();
		await pa.getByLabel('Name, birth year, document or phone').fill('vu thi thu nghiem');
		await pa.keyboard.press('Enter');
		await pa.getByRole('cell', { name: VICTIM_NAME }).waitFor();
		await pa.locator(`a[href="#/cases/${caseId}"]`).waitFor();
		await shot(pa, 'search');
		await a11y(pa, 'search');
	});
	await step('the language switch shows Vietnamese labels and messages, and is remembered', async () => {
		await pa.goto(`${base}/#/cases/${caseId}`);
		await pa.getByRole('heading', { level: 1 }).waitFor();
		await pa.getByLabel('Language').selectOption('vi');
		await pa.getByRole('heading', { level: 3, name: 'Bối cảnh của nạn nhân' }).waitFor();
		expect((await pa.getAttribute('html', 'lang')) === 'vi', 'html lang is not vi');
		await pa.getByText('Cưỡng bức lao động').first().waitFor(); // ForcedLabour, from /api/vocab
		await pa.getByText('Nữ', { exact: true }).first().waitFor(); // Feminine
		await pa.reload();
		await pa.getByRole('heading', { level: 3, name: 'Bối cảnh của nạn nhân' }).waitFor();
		await pa.getByRole('link', { name: 'Hồ sơ vụ việc' }).waitFor();
		await shot(pa, 'case-vi', { fullPage: true });
		await a11y(pa, 'case page in Vietnamese');
		// a server error is shown in the interface's language, by its code (docs/API.md, Errors)
		await pa.goto(`${base}/#/search?q=a%3Cb`);
		const qerr = pa.locator('#search-q-error:not([hidden])');
		await qerr.waitFor({ timeout: 5000 });
		const msg = await qerr.textContent();
		expect(msg.includes('Chỉ tìm theo chữ, số'), 'the search error is not in Vietnamese: ' + msg);
		await pa.goto(`${base}/#/cases/${caseId}`);
		await pa.getByRole('heading', { level: 3, name: 'Bối cảnh của nạn nhân' }).waitFor();
		await pa.getByLabel('Ngôn ngữ').selectOption('en');
		await pa.getByRole('heading', { level: 3, name: 'Victim context' }).waitFor();
	});
	await step('the audit log has no view of the person by B yet', () => {
		const log = ctip(['audit', 'log', '--person', `P${personId}`]);
		expect(!/worker_b/.test(log), 'B already in the log:\n' + log);
	});

	// --- B: the inbox, accept, open ----------------------------------------------------------------
	const B = await newUser(base);
	const pb = B.page;
	await step('B signs in and finds the referral in the inbox', async () => {
		await login(pb, base, 'worker_b');
		// the menu counts the referrals B has not opened yet (two: this case and the one without consent)
		await pb.locator('#nav a[href="#/inbox"] .badge').waitFor();
		expect((await pb.locator('#nav a[href="#/inbox"] .badge').textContent()).includes('2 unread'), 'no unread count in the menu');
		await tabTo(pb, /^Referral inbox/); // from the keyboard
		await pb.keyboard.press('Enter');
		await pb.getByRole('heading', { level: 1, name: 'Referral inbox' }).waitFor();
		await pb.getByRole('link', { name: `Open case #${caseId}` }).waitFor();
		await pb.getByRole('cell', { name: 'Org A' }).first().waitFor();
		await pb.getByText('Cần chỗ ở an toàn; gọi trước khi đến.').waitFor(); // A's note
		await shot(pb, 'inbox');
		await a11y(pb, 'inbox');
	});
	await step('B accepts the referral', async () => {
		await pb.getByRole('button', { name: `Accept the referral of case #${caseId}` }).click();
		await pb.getByText(`Referral of case #${caseId}: Accepted.`).waitFor();
	});
	await step("B opens the case from the keyboard and sees the victim's name", async () => {
		await tabTo(pb, new RegExp(`^Open case #${caseId}$`));
		await pb.keyboard.press('Enter');
		await pb.getByRole('region', { name: 'Persons' }).getByRole('heading', { level: 4, name: new RegExp(VICTIM_NAME) }).waitFor();
		await pb.getByText('referred to your organisation').waitFor();
		expect(!(await pb.getByRole('link', { name: 'Edit case' }).count()), 'B is offered to edit');
	});
	await step('B sees "identity not shared" for the victim without consent', async () => {
		await pb.goto(`${base}/#/inbox`);
		const links = pb.getByRole('link', { name: /^Open case #/ });
		await links.first().waitFor();
		const other = (await links.evaluateAll((as) => as.map((a) => a.getAttribute('href')))).find((h) => h !== `#/cases/${caseId}`);
		expect(other, 'the second referral is not in the inbox');
		await pb.goto(base + '/' + other);
		await pb.getByText('Identity not shared (no consent).').waitFor();
		expect(!(await pb.getByText(HIDDEN.prs_FirstName).count()), 'the withheld name is shown');
		await shot(pb, 'case-redacted', { fullPage: true });
		await a11y(pb, 'case page, identity withheld');
	});

	// --- C: no access ---------------------------------------------------------------------------------
	const C = await newUser(base);
	const pc = C.page;
	await step("C cannot open the case's URL: not found", async () => {
		await login(pc, base, 'worker_c');
		await pc.goto(`${base}/#/cases/${caseId}`);
		await pc.getByRole('heading', { level: 1, name: 'Not found' }).waitFor();
		await a11y(pc, 'not found');
		expect(!(await pc.getByText(VICTIM.given).count()), 'the name is shown to C');
		const r = await apiFrom(pc, 'GET', `/cases/${caseId}`);
		expect(r.status === 404, 'API answered ' + r.status);
	});
	await step("C's inbox is empty and a search finds nobody", async () => {
		await pc.goto(`${base}/#/inbox`);
		await pc.getByText('No referrals have been sent to your organisation.').waitFor();
		await pc.goto(`${base}/#/search?q=thu%20nghiem`);
		await pc.getByText('Nobody found for “thu nghiem”.').waitFor();
	});

	await step("ctip audit log --person shows B's view and not C", () => {
		const log = ctip(['audit', 'log', '--person', `P${personId}`]);
		expect(/worker_b.*\bview\b|\bview\b.*worker_b/.test(log), "no view by worker_b:\n" + log);
		expect(!/worker_c/.test(log), 'C is in the log:\n' + log);
	});

	await step("A's supervisor sees B's view on the audit page of the victim's record", async () => {
		const S = await newUser(base);
		await login(S.page, base, 'supervisor_a');
		await S.page.goto(`${base}/#/cases/${caseId}`);
		await S.page.getByRole('region', { name: 'Persons' }).getByRole('link', { name: 'Who saw or changed this record' }).first().click();
		await S.page.getByRole('heading', { level: 1, name: `Who saw or changed record P${personId}` }).waitFor();
		await S.page.getByRole('row', { name: /worker_b viewed/ }).first().waitFor();
		await a11y(S.page, 'audit');
		await shot(S.page, 'audit');
		await S.context.close();
	});
	await step('statistics page: a suppressed table with its margins, chart and provenance', async () => {
		const S = await newUser(base);
		await login(S.page, base, 'supervisor_a');
		await S.page.goto(`${base}/#/stats?count=victims&by1=gender`);
		await S.page.getByRole('heading', { level: 1, name: 'Statistics' }).waitFor();
		await S.page.getByRole('row', { name: /^Total/ }).waitFor();
		await S.page.getByRole('img', { name: 'Bar chart of the first breakdown' }).waitFor();
		const txt = await S.page.locator('main').innerText();
		expect(/withheld \(x\)/.test(txt), 'no suppression note: ' + txt.slice(0, 400));
		expect(/Computed .* from \d+ records by ctip/.test(txt), 'no provenance: ' + txt.slice(0, 400));
		await a11y(S.page, 'statistics');
		await shot(S.page, 'stats');
		const r = await S.page.evaluate(async () => (await fetch('/api/stats?count=victims&raw=1')).status);
		expect(r === 403, 'a supervisor got raw counts: ' + r);
		// stages by year: the column header names the breakdown, the notes say how stages are dated
		// (wait for this table's own text: the last page's rows may still be on screen)
		await S.page.goto(`${base}/#/stats?count=cases&by1=stage&by2=year`);
		await S.page.getByText(/Stages count in the year the proceedings reached them|not loaded/).first().waitFor();
		const notes = await S.page.locator('main').innerText();
		expect(!/not loaded/.test(notes), 'the table failed: ' + notes.slice(0, 600));
		await S.page.getByRole('columnheader', { name: 'Stage of proceedings' }).waitFor();
		// victims can be broken down by the trafficking events recorded
		await S.page.goto(`${base}/#/stats?count=victims&by1=event`);
		await S.page.getByRole('columnheader', { name: 'Trafficking events recorded' }).waitFor();
		await S.context.close();
	});
	await step('statistics page: the dark figure for a supervisor (estimate or the reason), none for a caseworker', async () => {
		const S = await newUser(base);
		await login(S.page, base, 'supervisor_a');
		await S.page.goto(`${base}/#/stats?count=victims&by1=gender`);
		const sec = S.page.getByRole('region', { name: 'The dark figure: victims no agency saw' });
		await sec.waitFor();
		await sec.getByLabel('Method').selectOption('all');
		await sec.getByRole('button', { name: 'Estimate the dark figure' }).click();
		await sec.getByText(/Estimated .* by ctip/).waitFor({ timeout: 60000 });
		const txt = await sec.innerText();
		// the test registry holds a handful of victims: each method says why there is no number
		expect(/Victims observed:/.test(txt) && /Log-linear, stepwise/.test(txt) && /Latent classes/.test(txt), 'no estimate table: ' + txt.slice(0, 600));
		expect(/too few persons to estimate|no estimate|\d/.test(txt), 'neither an estimate nor a reason: ' + txt.slice(0, 600));
		expect(!/\d+ observed/.test(txt), 'a count of persons in a warning: ' + txt.slice(0, 600));
		await a11y(S.page, 'statistics with the dark figure');
		await shot(S.page, 'stats-estimate');
		// Vietnamese labels
		await S.page.getByLabel('Language').selectOption('vi');
		await S.page.getByRole('heading', { level: 2, name: 'Con số ẩn: nạn nhân không cơ quan nào ghi nhận' }).waitFor();
		await S.page.getByRole('button', { name: 'Ước tính con số ẩn' }).waitFor();
		await S.context.close();
		const W = await newUser(base);
		await login(W.page, base, 'worker_a');
		const r = await W.page.evaluate(async () => (await fetch('/api/estimate')).status);
		expect(r === 403, 'a caseworker got the dark figure: ' + r);
		await W.context.close();
	});
	await step('companies: a supervisor registers a company and a sanction; the list searches and sorts; a caseworker reads only', async () => {
		const S = await newUser(base);
		await login(S.page, base, 'supervisor_a');
		await S.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Companies' }).click();
		await S.page.getByRole('heading', { level: 1, name: 'Labour-export companies' }).waitFor();
		const add = S.page.getByRole('form', { name: 'Add a company to the register' });
		await add.getByLabel('Name as registered').fill('Công ty Cung ứng Nhân lực Thử nghiệm Trình duyệt');
		await add.getByLabel('Licence number').fill('909/TN-GP');
		await add.getByLabel('Licence status').selectOption('suspended');
		await add.getByLabel('Province').fill('Hà Nội');
		await add.getByRole('button', { name: 'Add a company to the register' }).click();
		await S.page.getByRole('heading', { level: 1, name: 'Công ty Cung ứng Nhân lực Thử nghiệm Trình duyệt' }).waitFor();
		await S.page.getByText('No sanction recorded.').waitFor();
		const sa = S.page.getByRole('form', { name: 'Record a sanction' });
		await sa.getByLabel('Date').fill('2025-06-01');
		await sa.getByLabel('Authority').fill('Bộ Thử nghiệm');
		await sa.getByLabel('Decision').fill('licence suspended for 12 months');
		await sa.getByRole('button', { name: 'Record a sanction' }).click();
		await S.page.getByRole('cell', { name: 'licence suspended for 12 months' }).waitFor();
		await a11y(S.page, 'company page');
		await shot(S.page, 'company');
		await S.page.goto(`${base}/#/companies?q=trinh%20duyet&sort=cases`);
		await S.page.getByRole('link', { name: 'Công ty Cung ứng Nhân lực Thử nghiệm Trình duyệt' }).waitFor();
		await S.page.getByRole('row', { name: /909\/TN-GP.*Suspended/ }).waitFor();
		await a11y(S.page, 'companies');
		await shot(S.page, 'companies');
		await S.page.goto(`${base}/#/companies?q=khong%20co%20dau`);
		await S.page.getByText('No company in the register matches.').waitFor();
		await S.context.close();
		const W = await newUser(base);
		await login(W.page, base, 'worker_a');
		await W.page.goto(`${base}/#/companies`);
		await W.page.getByRole('heading', { level: 1, name: 'Labour-export companies' }).waitFor();
		const n = await W.page.getByRole('form', { name: 'Add a company to the register' }).count();
		expect(n === 0, 'a caseworker sees the form to add a company');
		const r = await W.page.evaluate(async () => (await fetch('/api/companies', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"name":"x"}' })).status);
		expect(r === 403, 'a caseworker wrote the register: ' + r);
		await W.context.close();
	});
	await step('releases: an analyst makes a k-anonymous release, sees it in the ledger and downloads it', async () => {
		const S = await newUser(base);
		await login(S.page, base, 'analyst_a', 'Statistics');
		await S.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Releases' }).click();
		await S.page.getByRole('heading', { level: 1, name: 'Privacy-safe releases' }).waitFor();
		// the test registry holds a handful of victims: k = 2 so that something is released
		await S.page.getByLabel(/^k \(smallest group/).fill('2');
		await S.page.getByRole('button', { name: 'Make the release' }).click();
		await S.page.getByText(/Release R\d+ made: \d+ records/).waitFor();
		await S.page.getByRole('row', { name: /microdata/i }).first().waitFor();
		await a11y(S.page, 'releases');
		await shot(S.page, 'releases');
		const [dl] = await Promise.all([S.page.waitForEvent('download'), S.page.getByRole('button', { name: /^Download R\d+/ }).first().click()]);
		expect(/\.csv$/.test(dl.suggestedFilename()), 'download name: ' + dl.suggestedFilename());
		const path = await dl.path();
		const text = readFileSync(path, 'utf8');
		expect(/^yearOfRegistration,gender,ageBroad,majorityStatus,citizenship/.test(text), 'not the microdata: ' + text.slice(0, 200));
		expect(!text.includes(VICTIM.family) && !text.includes(VICTIM.given), 'a name in the release');
		// a caseworker has no such page and gets 403 from the API
		const W = await newUser(base);
		await login(W.page, base, 'worker_a');
		const n = await W.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Releases' }).count();
		expect(n === 0, 'a caseworker sees the Releases link');
		const r = await W.page.evaluate(async () => (await fetch('/api/releases')).status);
		expect(r === 403, 'a caseworker read the ledger: ' + r);
		await W.context.close();
		await S.context.close();
	});
	await step('communications: an analyst finds the UN letter, answers a question (saved with its version) and downloads the reply', async () => {
		ctip(['comms', 'import', new URL('../../data/comms/al_vnm_1_2025.json', import.meta.url).pathname, '--as', 'analyst_a']);
		const S = await newUser(base);
		await login(S.page, base, 'analyst_a', 'Statistics');
		await S.page.getByRole('link', { name: 'Communications' }).click();
		await S.page.getByRole('heading', { level: 1, name: 'Communications' }).waitFor();
		await S.page.getByLabel('Search by reference, sender or subject').fill('vnm');
		await S.page.getByText('1 of 1 communications').waitFor();
		await a11y(S.page, 'communications');
		await S.page.getByRole('link', { name: 'AL VNM 1/2025' }).click();
		await S.page.getByRole('heading', { level: 2, name: 'Question 9' }).waitFor();
		await S.page.locator('#answer-1').fill('A test answer.');
		await S.page.getByRole('button', { name: 'Save answers' }).click();
		await S.page.getByText('Saved (version 2).').waitFor();
		await a11y(S.page, 'communication');
		await shot(S.page, 'comms');
		const [dl] = await Promise.all([S.page.waitForEvent('download'), S.page.getByRole('link', { name: /Reply document/ }).click()]);
		expect(/reply-M\d+\.html/.test(dl.suggestedFilename()), 'reply download: ' + dl.suggestedFilename());
		// a save over the newer version (the page still holds version 1's copy) is refused
		const st = await S.page.evaluate(async () => {
			const c = await (await fetch('/api/comms/1')).json();
			return c.version;
		});
		expect(st === 2, 'version after the save: ' + st);
		await S.context.close();
	});
	await step('communications: on a phone (390 px), in Vietnamese, an analyst adds evidence to an answer by its labels, dates as dd/mm/yyyy', async () => {
		const S = await newUser(base, { width: 390, height: 844 });
		await login(S.page, base, 'analyst_a', 'Statistics');
		await S.page.evaluate(() => localStorage.setItem('ctip.lang', 'vi'));
		await S.page.goto(`${base}/#/comms/1`);
		await S.page.reload();
		await S.page.getByRole('heading', { level: 2, name: 'Câu hỏi 1' }).waitFor();
		const before = await (await S.page.evaluate(async () => (await fetch('/api/comms/1')).json())).version;
		await S.page.getByText('Thêm bằng chứng cho câu trả lời câu hỏi 1').first().click();
		const g = S.page.getByRole('group', { name: 'Thêm bằng chứng cho câu trả lời câu hỏi 1' });
		// the kinds and measures are offered by their labels, never their codes
		const kinds = await g.locator('#ev1-kind option').allInnerTexts();
		expect(kinds.includes('Một số liệu của cơ sở dữ liệu') && !kinds.some((k) => /^(figure|stats|ledger)$/.test(k)), 'kinds: ' + kinds);
		await g.locator('#ev1-measure').selectOption({ label: 'Nạn nhân được xác định' });
		await g.locator('#ev1-period').fill('06/2023');
		await g.locator('#ev1-label').fill('Số nạn nhân tháng 6');
		await g.getByRole('button', { name: 'Thêm bằng chứng' }).click();
		await S.page.getByText(`Đã thêm bằng chứng cho câu hỏi 1 (phiên bản ${before + 1}).`).waitFor();
		await S.page.getByText('Số nạn nhân tháng 6: Nạn nhân được xác định (06/2023)').waitFor();
		let c = await S.page.evaluate(async () => (await fetch('/api/comms/1')).json());
		let ev = c.questions[0].evidence;
		expect(ev.some((e) => e.kind === 'figure' && e.measure === 'victims_identified' && e.period === '2023-06' && e.label === 'Số nạn nhân tháng 6'), 'figure not saved: ' + JSON.stringify(ev));
		expect(c.questions[0].answer === 'A test answer.', 'the answer was lost: ' + c.questions[0].answer);
		// a case by its reference; a bad year is refused at its field, nothing saved
		await S.page.getByText('Thêm bằng chứng cho câu trả lời câu hỏi 2').first().click();
		const g2 = S.page.getByRole('group', { name: 'Thêm bằng chứng cho câu trả lời câu hỏi 2' });
		await g2.locator('#ev2-kind').selectOption({ label: 'Một bảng thống kê' });
		await g2.locator('#ev2-by').selectOption({ label: 'Giới tính' });
		await g2.locator('#ev2-year').fill('23');
		await g2.getByRole('button', { name: 'Thêm bằng chứng' }).click();
		await g2.locator('#ev2-year-error').waitFor();
		expect((await g2.locator('#ev2-year').getAttribute('aria-invalid')) === 'true', 'the bad year is not marked');
		await g2.locator('#ev2-year').fill('2023');
		await g2.getByRole('button', { name: 'Thêm bằng chứng' }).click();
		await S.page.getByText('Nạn nhân (số người) × Giới tính, 2023').waitFor();
		await S.page.getByText('Thêm bằng chứng cho câu trả lời câu hỏi 3').first().click();
		const g3 = S.page.getByRole('group', { name: 'Thêm bằng chứng cho câu trả lời câu hỏi 3' });
		await g3.locator('#ev3-kind').selectOption({ label: 'Một hồ sơ' });
		await g3.locator('#ev3-case').fill('c1');
		await g3.locator('#ev3-case').press('Enter');
		await S.page.getByText(/^Hồ sơ C1$/).waitFor();
		c = await S.page.evaluate(async () => (await fetch('/api/comms/1')).json());
		expect(c.questions[1].evidence.some((e) => e.kind === 'stats' && e.count === 'victims' && e.by[0] === 'gender' && e.year === 2023), 'table not saved: ' + JSON.stringify(c.questions[1].evidence));
		expect(c.questions[2].evidence.some((e) => e.kind === 'case' && e.case === 1), 'case not saved: ' + JSON.stringify(c.questions[2].evidence));
		// usable at 390 px: nothing wider than the screen
		const wide = await S.page.evaluate(() => document.documentElement.scrollWidth);
		expect(wide <= 390, 'the page is wider than the phone: ' + wide);
		await a11y(S.page, 'communication with evidence (vi, 390 px)');
		await shot(S.page, 'comms-evidence-vi-phone', { fullPage: true });
		await S.page.evaluate(() => localStorage.setItem('ctip.lang', 'en'));
		await S.context.close();
	});
	await step("linkage review: A's supervisor sees two records side by side and decides Same from the keyboard", async () => {
		const twin = { role: 'victim', prs_SecondName: 'Hồ', prs_MiddleName: 'Thị', prs_FirstName: 'Giả Định', prs_Birthdate: '1995-02-20', prs_Gender: 'Female' };
		const ids = [];
		for (const phone of ['0912 000 111', '0913 000 222']) {
			const r = await apiFrom(pa, 'POST', '/cases', { cas_Status: 'Active', persons: [{ ...twin, prs_MobilePhone: phone }] });
			expect(r.status === 201, 'create: ' + r.status + ' ' + JSON.stringify(r.body));
			ids.push((await apiFrom(pa, 'GET', `/cases/${r.body.id}`)).body.persons[0].id);
		}
		ctip(['link', 'run']);
		const S = await newUser(base);
		await login(S.page, base, 'supervisor_a');
		await S.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Linkage review' }).click();
		await S.page.getByRole('heading', { level: 1, name: 'Review of record linkage' }).waitFor();
		await a11y(S.page, 'linkage review list');
		const [a, b] = ids;
		await S.page.goto(`${base}/#/link/${a}/${b}`);
		await S.page.getByRole('heading', { level: 1, name: `Are P${a} and P${b} one person?` }).waitFor();
		const row = S.page.getByRole('row', { name: /^Given name/ });
		expect(/Giả Định.*Giả Định.*exact/.test(await row.innerText()), 'given names not side by side: ' + (await row.innerText()));
		const phone = await S.page.getByRole('row', { name: /^Phone/ }).innerText();
		expect(/^Phone\s+\S*912\s?000\s?111\s+\S*913\s?000\s?222\s+different\s+[−+]/.test(phone), 'phones not compared: ' + phone);
		await a11y(S.page, 'linkage pair');
		await shot(S.page, 'link-review', { fullPage: true });
		await tabTo(S.page, /^Same person$/);
		await S.page.keyboard.press('Enter');
		await S.page.getByText(`Decided: P${a} and P${b} are the same person.`).waitFor();
		const x = ctip(['link', 'explain', `P${a}`, `P${b}`]);
		expect(/a reviewer decided: same person/.test(x), 'decision not stored: ' + x);
		const log = ctip(['audit', 'log', '--person', `P${a}`]);
		expect(/supervisor_a.*link_explain/.test(log), 'the comparison is not audited: ' + log);
		await S.context.close();
	});
	await step('account page: who, organisation, role; sign out', async () => {
		await pa.goto(`${base}/#/account`);
		await pa.getByRole('heading', { level: 1, name: 'Account' }).waitFor();
		await pa.getByText('Org A').first().waitFor();
		await pa.getByText('Caseworker').waitFor();
		await a11y(pa, 'account');
		await pa.getByRole('button', { name: 'Sign out' }).click();
		await pa.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
		const r = await pa.evaluate(async () => (await fetch('/api/me')).status);
		expect(r === 401, 'still signed in: ' + r);
	});
	await step('keyboard: Tab from the page reaches the navigation with a visible outline', async () => {
		await pb.goto(`${base}/#/cases`);
		await pb.getByRole('heading', { level: 1, name: 'Cases' }).waitFor();
		await pb.keyboard.press('Tab');
		const outline = await pb.evaluate(() => {
			const el = document.activeElement;
			return el && el.tagName !== 'BODY' ? getComputedStyle(el).outlineStyle + ' ' + getComputedStyle(el).outlineWidth : 'none';
		});
		expect(/solid 3px/.test(outline), 'focused element outline: ' + outline);
	});
	// the lists (issue 14: tests/browser/lists.mjs)
	await listSteps({ step, expect, newUser, login, a11y, shot, apiFrom, ctip, base, caseId, victimName: VICTIM_NAME, hiddenName: HIDDEN.prs_FirstName, password: PASSWORD });
	await step('accessibility: one h1, labelled controls, unique ids, contrast 4.5:1, on every page seen', () => {
		expect(!a11yProblems.length, a11yProblems.join('\n'));
	});
	await step('no page errors, no CSP violations, nothing fetched from elsewhere', () => {
		expect(!problems.length, problems.join('\n'));
	});
}

try {
	await main();
} catch (e) {
	notok('the flow ran to its end', e && e.stack ? e.stack : e);
}
if (browser) await browser.close().catch(() => {});
if (server && server.exitCode === null) {
	stopping = true;
	server.kill('SIGTERM');
	const t = setTimeout(() => server.kill('SIGKILL'), 15000);
	const { code, signal } = await serverExit;
	clearTimeout(t);
	if (code === 0) ok('the server stops on SIGTERM with status 0');
	else notok('the server stops on SIGTERM with status 0', `code ${code} signal ${signal}\n${serverOut.slice(-1500)}`);
}
// FLOW_SERVER_LOG=FILE keeps what the server said (to read why a step failed)
if (process.env.FLOW_SERVER_LOG) writeFileSync(process.env.FLOW_SERVER_LOG, serverOut);
rmSync(tmp, { recursive: true, force: true });
if (pgName) {
	try {
		psql('postgres', `DROP DATABASE IF EXISTS ${pgName} WITH (FORCE)`);
		psql('postgres', `DROP ROLE IF EXISTS ${pgName}_app`);
	} catch (e) {
		notok('the test database is dropped', e.message);
	}
}
console.log(`# browser: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
