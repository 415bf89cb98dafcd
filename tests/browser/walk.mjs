// walk.mjs - every workflow of the web UI walked in Debian's headless Chromium (issue 14 item 6):
// sign in, case create and edit, a person, assistance with a provider that is no organisation,
// a risk assessment, a follow-up plan and contact, a hotline contact that becomes a case, a
// referral sent (with its confirmation), accepted and declined, an approval, search, the
// linkage review, statistics, the audit log, accounts (create, disable, enable, reset), one's
// own password and releases. Then every page, for every role that has it, in English and
// Vietnamese, at 1280×800 and 390×844: axe-core (from npm) finds no serious or critical
// violation, form pages have no horizontal scrolling, and a screenshot goes to
// docs/screenshots/ (page-lang-width.jpg; phone width for the key pages only, JPEG to keep the
// folder small). Prints "ok NAME" / "not ok NAME" lines (tests/run.sh counts them).
//
// Environment: CTIP (the binary), CHROMIUM (default /usr/bin/chromium), SCREENSHOTS (folder;
// default build/test-logs/screenshots; "none" to skip; run.sh --docs sets docs/screenshots).
import { chromium } from 'playwright-core';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(HERE, '../..');
const CTIP = process.env.CTIP;
const SHOTS = process.env.SCREENSHOTS === 'none' ? null : resolve(REPO, process.env.SCREENSHOTS || 'build/test-logs/screenshots');
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const PW = 'correct horse battery staple 42';

let failed = 0;
let passed = 0;
function ok(name) {
	passed++;
	console.log(`ok ${name}`);
}
function notok(name, why) {
	failed++;
	console.log(`not ok ${name}`);
	if (why) console.log('  ' + String(why).split('\n').slice(0, 8).join('\n  '));
}
async function step(name, fn) {
	try {
		const r = await fn();
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

const tmp = mkdtempSync(join(tmpdir(), 'ctip-walk.'));
const env = { ...process.env, CTIP_DB: join(tmp, 'ctip.db') };
delete env.CTIP_WEB_DIR;
const ctip = (args, input) => execFileSync(CTIP, args, { env, cwd: tmp, input: input ?? '', encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });

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
let serverOut = '';
let serverExit = null;
async function startServer() {
	const port = await freePort();
	// the walk keeps a browser context per user open (seven at once, each with its own pool of
	// keep-alive connections), all from 127.0.0.1: above serve's default of 32 per address
	server = spawn(CTIP, ['serve', '--listen', `127.0.0.1:${port}`, '--max-conns-per-ip', '128'], { env, cwd: tmp, stdio: ['ignore', 'pipe', 'pipe'] });
	serverExit = new Promise((res) => server.on('exit', (code) => res(code)));
	server.stdout.on('data', (d) => (serverOut += d));
	server.stderr.on('data', (d) => (serverOut += d));
	const deadline = Date.now() + 30000;
	while (Date.now() < deadline) {
		if (/serving http/.test(serverOut)) {
			try {
				if ((await fetch(`http://127.0.0.1:${port}/`)).ok) return `http://127.0.0.1:${port}`;
			} catch (e) {
				/* not yet */
			}
		}
		await new Promise((r) => setTimeout(r, 100));
	}
	throw new Error('server did not start: ' + serverOut);
}

const problems = [];
let browser = null;
const WIDTHS = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } };

async function newPage(base, lang = 'en', width = 'desktop') {
	const context = await browser.newContext({ viewport: WIDTHS[width], locale: lang === 'vi' ? 'vi-VN' : 'en-GB', acceptDownloads: true });
	await context.addInitScript((l) => localStorage.setItem('ctip.lang', l), lang);
	await context.route('**/*', (route) => {
		const url = route.request().url();
		if (url.startsWith(base + '/') || url === base) return route.continue();
		problems.push('request outside the server: ' + url);
		return route.abort();
	});
	context.setDefaultTimeout(15000);
	const page = await context.newPage();
	page.on('pageerror', (e) => problems.push('page error: ' + e.message));
	return { context, page };
}

async function login(page, base, user, password = PW) {
	await page.goto(base + '/#/login');
	await page.locator('#login-username, input[name="username"]').first().fill(user);
	await page.locator('input[type="password"]').first().fill(password);
	await page.locator('input[type="password"]').first().press('Enter');
	await page.waitForFunction(() => !location.hash.startsWith('#/login'));
	await page.locator('main h1').first().waitFor();
}

async function api(page, method, path, body) {
	return page.evaluate(
		async ([method, path, body]) => {
			const me = await (await fetch('/api/me')).json();
			const r = await fetch('/api' + path, {
				method,
				headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': me.csrf_token },
				body: body === undefined ? undefined : JSON.stringify(body),
			});
			const text = await r.text();
			let json = null;
			try {
				json = text ? JSON.parse(text) : null;
			} catch (e) {
				json = null;
			}
			return { status: r.status, body: json };
		},
		[method, path, body]
	);
}

/* axe-core on the page as shown (injected through the DevTools protocol, so the page's CSP
   stays as it is): the serious and critical violations. */
async function axe(page) {
	const res = await page.evaluate(async (src) => {
		if (!window.axe) (0, eval)(src);
		const r = await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, resultTypes: ['violations'] });
		return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
	}, AXE);
	return res;
}

async function shot(page, name) {
	if (!SHOTS) return;
	mkdirSync(SHOTS, { recursive: true });
	await page.mouse.move(0, 0);
	await page.screenshot({ path: join(SHOTS, name + '.jpg'), type: 'jpeg', quality: 55 });
}

async function main() {
	// ---- data: two organisations, one account per role, a small synthetic data set -----------
	await step('setup: init, organisations, one account per role, data set, linkage, figures', () => {
		ctip(['init']);
		ctip(['org', 'add', 'Org A', '--type', 'NGO']);
		ctip(['org', 'add', 'Org B', '--type', 'Police']);
		const users = [
			['worker_a', 'Org A', 'caseworker'],
			['boss_a', 'Org A', 'supervisor'],
			['analyst', 'Org A', 'analyst'],
			['auditor', 'Org A', 'auditor'],
			['admin', 'Org A', 'admin'],
			['worker_b', 'Org B', 'caseworker'],
			['changer', 'Org B', 'caseworker'],
		];
		for (const [u, o, r] of users) ctip(['user', 'add', u, '--org', o, '--role', r], PW + '\n');
		ctip(['demo', 'generate', '--persons', '400', '--seed', '7', '-o', join(tmp, 'demo.csv')]);
		ctip(['import', join(tmp, 'demo.csv')]);
		ctip(['link', 'run']);
		ctip(['figures', 'import', join(REPO, 'data/figures/vietnam.csv')]);
	});
	const base = await step('ctip serve starts', startServer);
	if (!base) return;
	browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: ['--no-sandbox'] });

	// ---- the workflows, in English at desktop width -------------------------------------------
	const { page: a } = await newPage(base);
	let caseId = null;
	let personId = null;
	await step('caseworker signs in', () => login(a, base, 'worker_a'));
	await step('case create: a victim with a birth date typed dd/mm/yyyy and a province picked', async () => {
		await a.goto(base + '/#/cases/new');
		await a.locator('#new-prs_SecondName').fill('Lý');
		await a.locator('#new-prs_FirstName').fill('Thử Đi');
		await a.locator('#new-prs_Birthdate').fill('15/03/2001');
		await a.locator('#new-prs_MailingState').fill('Lào Cai');
		await a.locator('#new-prs_Citizenship').fill('Viet Nam');
		await a.locator('#new-con_Consent').check();
		for (const box of await a.locator('#new-ctip_ConsentScope input').all()) await box.check();
		await a.locator('form button[type="submit"]').first().click();
		await a.waitForFunction(() => /^#\/cases\/\d+$/.test(location.hash));
		caseId = Number(a.url().match(/#\/cases\/(\d+)$/)[1]);
		const c = await api(a, 'GET', `/cases/${caseId}`);
		personId = c.body.persons[0].id;
		expect(c.body.persons[0].prs_Birthdate === '2001-03-15', 'birth date sent as ' + c.body.persons[0].prs_Birthdate);
	});
	await step('case edit: status changed, a comment', async () => {
		await a.goto(`${base}/#/cases/${caseId}/edit`);
		await a.locator('#edit-cas_Status').selectOption('FollowUp');
		await a.locator('#edit-comment').fill('Gọi lại tuần sau.');
		await a.locator('form button[type="submit"]').first().click();
		await a.waitForFunction((id) => location.hash === `#/cases/${id}`, caseId);
		await a.getByText('Gọi lại tuần sau.').waitFor();
	});
	await step('person: a perpetrator added from the case page', async () => {
		await a.locator('details.add summary').filter({ hasText: /add a person|thêm người/i }).first().click();
		await a.locator('#add-person-role').selectOption({ index: 1 });
		await a.locator('#add-person-prs_SecondName').fill('Trịnh');
		await a.locator('#add-person-prs_FirstName').fill('Giả Định');
		await a.locator('#add-person form, form:has(#add-person-role)').first().locator('button[type="submit"]').click();
		await a.getByText('Trịnh Giả Định').first().waitFor();
	});
	await step('assistance: a provider typed that is no organisation stays text', async () => {
		await a.goto(`${base}/#/cases/${caseId}`);
		await a.locator('details.add summary').filter({ hasText: /assistance/i }).first().click();
		await a.locator('#add-assistance-ctip_AssistanceKind').selectOption('Medical');
		await a.locator('#add-assistance-ctip_AssistanceProvider').fill('Phòng khám Thử Nghiệm');
		await a.locator('form:has(#add-assistance-ctip_AssistanceKind) button[type="submit"]').click();
		await a.getByRole('cell', { name: 'Phòng khám Thử Nghiệm' }).waitFor();
		const orgs = await api(a, 'GET', '/orgs');
		expect(!JSON.stringify(orgs.body).includes('Phòng khám Thử Nghiệm'), 'the provider became an organisation');
	});
	await step('assessment: a risk assessment from the casework page', async () => {
		await a.goto(`${base}/#/cases/${caseId}/work`);
		await a.locator('#assess-q_debt').selectOption('recruiter');
		await a.locator('form:has(#assess-q_debt) button[type="submit"]').click();
		await a.locator('.flash').first().waitFor();
	});
	await step('follow-up: a plan and a contact recorded', async () => {
		await a.locator('form:has(#plan-months) button[type="submit"]').click();
		await a.locator('.flash').first().waitFor();
		await a.locator('#contact-mode').selectOption('phone');
		await a.locator('#contact-outcome').selectOption('reached_stable');
		await a.locator('form:has(#contact-mode) button[type="submit"]').click();
		await a.locator('.flash').first().waitFor();
		const f = await api(a, 'GET', `/cases/${caseId}/followups`);
		expect(f.status === 200 && JSON.stringify(f.body).includes('reached_stable'), 'no contact recorded');
	});
	await step('approval requested: the case plan goes to the supervisor', async () => {
		const r1 = await api(a, 'POST', `/cases/${caseId}/stage`, { stage: 'case_plan' });
		const r2 = await api(a, 'POST', `/cases/${caseId}/stage`, { stage: 'services', comment: 'Kế hoạch hỗ trợ.' });
		expect(r1.status < 300 && r2.status === 202, `stage: ${r1.status} ${r2.status} ${JSON.stringify(r2.body)}`);
	});
	await step('contact → case: a hotline contact recorded and opened as a case', async () => {
		const r = await api(a, 'POST', '/contacts', { channel: 'call', reason: 'request_help' });
		expect(r.status === 201, 'contact: ' + r.status + JSON.stringify(r.body));
		await a.goto(`${base}/#/contacts`);
		await a.locator('main button').filter({ hasText: /case/i }).first().click();
		await a.waitForFunction(() => /^#\/cases\/\d+/.test(location.hash) || document.querySelector('.flash'));
	});
	await step('referral: sent to Org B with a note, after the confirmation step', async () => {
		await a.goto(`${base}/#/cases/${caseId}`);
		const form = a.locator('form[aria-labelledby="referral-title"]');
		expect((await form.locator('#referral-to_org').inputValue()) === '', 'a recipient was chosen in advance');
		await form.locator('#referral-to_org').selectOption('Org B');
		await form.locator('#referral-note').fill('Cần hỗ trợ pháp lý.');
		await form.locator('button[type="submit"]').click();
		await form.locator('#referral-confirm-title').waitFor();
		await form.getByRole('button', { name: 'Confirm and send' }).click();
		await a.getByText('Case referred to Org B.').waitFor();
		// a second one, for B to decline
		const c2 = await api(a, 'POST', '/cases', { cas_Status: 'Active', persons: [{ role: 'victim', prs_SecondName: 'Hà', prs_FirstName: 'Thử Hai', con_Consent: false }] });
		await api(a, 'POST', '/referrals', { case_id: c2.body.id, to_org: 'Org B', note: 'Chỉ để thử.' });
	});
	await step('search: the victim found without diacritics', async () => {
		await a.goto(`${base}/#/search?q=ly%20thu%20di`);
		await a.getByText(/Lý Thử Đi/).first().waitFor();
	});
	const { page: b } = await newPage(base);
	await step('referral: B sees 2 unread in the menu, accepts one and declines the other', async () => {
		await login(b, base, 'worker_b');
		await b.locator('#nav a[href="#/inbox"] .badge').waitFor();
		await b.goto(`${base}/#/inbox`);
		const accept = b.getByRole('button', { name: new RegExp(`^Accept the referral of case #${caseId}$`) });
		await accept.click();
		await b.locator('.flash').first().waitFor();
		await b.getByRole('button', { name: /^Decline the referral/ }).first().click();
		await b.locator('.flash').first().waitFor();
	});
	const { page: s } = await newPage(base);
	await step('approvals: the supervisor approves the case plan', async () => {
		await login(s, base, 'boss_a');
		const list = await api(s, 'GET', '/approvals');
		const ap = (list.body.approvals || []).find((x) => x.case_id === caseId);
		expect(ap, 'no approval waiting: ' + JSON.stringify(list.body));
		await s.goto(`${base}/#/followups`);
		const r = await api(s, 'POST', `/approvals/${ap.id}`, { decision: 'approved', comment: 'Đồng ý.' });
		expect(r.status === 200, 'approve: ' + r.status + JSON.stringify(r.body));
	});
	await step('link review: the supervisor opens the queue', async () => {
		await s.goto(`${base}/#/link`);
		await s.locator('main h1').waitFor();
	});
	const { page: ad } = await newPage(base);
	await step('accounts: the admin creates, disables, enables an account and resets its password', async () => {
		await login(ad, base, 'admin');
		await ad.goto(`${base}/#/admin/accounts`);
		await ad.locator('#acc-username').fill('new.worker');
		await ad.locator('#acc-org').selectOption('Org A');
		await ad.locator('#acc-role').selectOption('caseworker');
		await ad.locator('#acc-password').fill('a first password 11');
		await ad.locator('form:has(#acc-username) button[type="submit"]').click();
		await ad.getByText('Account new.worker created.').waitFor();
		await ad.getByRole('button', { name: 'Disable the account new.worker' }).click();
		await ad.getByText('Account new.worker disabled; its sessions ended.').waitFor();
		await ad.getByRole('button', { name: 'Enable the account new.worker' }).click();
		await ad.getByText('Account new.worker enabled.').waitFor();
		await ad.locator('li.account', { hasText: 'new.worker' }).locator('summary').click();
		await ad.locator('li.account', { hasText: 'new.worker' }).locator('input[type="password"]').fill('a reset password 22');
		await ad.locator('li.account', { hasText: 'new.worker' }).locator('button[type="submit"]').click();
		await ad.getByText('Password of new.worker reset; their sessions ended.').waitFor();
	});
	const { page: ch } = await newPage(base);
	await step('own password: changed with the old one, a wrong old one refused', async () => {
		await login(ch, base, 'changer');
		await ch.goto(`${base}/#/account`);
		await ch.locator('#pw-old_password').fill('not the password');
		await ch.locator('#pw-new_password').fill('my new password 33');
		await ch.locator('#pw-again').fill('my new password 33');
		await ch.locator('form:has(#pw-old_password) button[type="submit"]').click();
		await ch.locator('#pw-old_password-error:not([hidden])').waitFor();
		await ch.locator('#pw-old_password').fill(PW);
		await ch.locator('form:has(#pw-old_password) button[type="submit"]').click();
		await ch.getByText(/Password changed/).waitFor();
	});
	const { page: an } = await newPage(base);
	await step('stats and releases: the analyst', async () => {
		await login(an, base, 'analyst');
		await an.goto(`${base}/#/stats`);
		await an.locator('main h1').waitFor();
		await an.goto(`${base}/#/releases`);
		await an.locator('main h1').waitFor();
	});
	const { page: au } = await newPage(base);
	await step('audit: the auditor reads the log', async () => {
		await login(au, base, 'auditor');
		await au.goto(`${base}/#/audit`);
		await au.locator('main table, main .empty').first().waitFor();
	});

	// the workflows' browsers are done with: one browser context at a time from here on
	for (const p of [a, b, s, ad, ch, an, au]) await p.context().close();

	// ---- every page, both languages, both widths: axe, overflow, screenshots -------------------
	// [name, user, route, form page (no horizontal scroll allowed), key page (phone screenshot)]
	const PAGES = [
		['home', 'worker_a', '#/home', false, true],
		['cases', 'worker_a', '#/cases', false, true],
		['case-new', 'worker_a', '#/cases/new', true, true],
		['case', 'worker_a', `#/cases/${caseId}`, true, true],
		['case-edit', 'worker_a', `#/cases/${caseId}/edit`, true, false],
		['casework', 'worker_a', `#/cases/${caseId}/work`, true, true],
		['followups', 'worker_a', '#/followups', false, false],
		['contacts', 'worker_a', '#/contacts', true, false],
		['search', 'worker_a', '#/search?q=ly%20thu', false, false],
		['inbox', 'worker_b', '#/inbox', false, true],
		['approvals', 'boss_a', '#/followups', false, false],
		['link-review', 'boss_a', '#/link', false, false],
		['audit-person', 'boss_a', `#/audit?person=${personId}`, false, false],
		['stats', 'analyst', '#/stats', false, false],
		['releases', 'analyst', '#/releases', true, false],
		['audit', 'auditor', '#/audit', false, false],
		['accounts', 'admin', '#/admin/accounts', true, true],
		['account', 'worker_a', '#/account', true, true],
		['login', null, '#/login', true, true],
	];
	for (const lang of ['en', 'vi']) {
		for (const width of ['desktop', 'phone']) {
			const pages = new Map();
			const seen = [];
			const axeProblems = [];
			const overflow = [];
			try {
				for (const [name, user, route, form, key] of PAGES) {
					if (width === 'phone' && !key) continue;
					let pg = user ? pages.get(user) : null;
					if (user && !pg) {
						pg = (await newPage(base, lang, width)).page;
						await login(pg, base, user);
						pages.set(user, pg);
					}
					if (!user) {
						pg = (await newPage(base, lang, width)).page;
						pages.set('anonymous', pg);
					}
					await pg.goto(`${base}/${route}`);
					await pg.locator('main h1').first().waitFor();
					await pg.waitForFunction(() => !document.getElementById('main').hasAttribute('aria-busy'));
					if (name === 'home' && (await pg.locator('main h1').first().textContent()) === (lang === 'vi' ? 'Không tìm thấy' : 'Not found')) continue; // no home page yet
					seen.push(name);
					for (const v of await axe(pg)) axeProblems.push(`${name}: ${v}`);
					const wide = await pg.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
					if (wide > 1 && (form || width === 'phone')) overflow.push(`${name}: ${wide} px wider than the screen`);
					await shot(pg, `${name}-${lang}-${width}`);
				}
			} catch (e) {
				axeProblems.push('walk stopped: ' + e.message);
			}
			const label = `${lang} ${width} (${WIDTHS[width].width} px, ${seen.length} pages)`;
			if (axeProblems.length) notok(`axe-core: no serious or critical violation, ${label}`, axeProblems.join('\n'));
			else ok(`axe-core: no serious or critical violation, ${label}`);
			if (overflow.length) notok(`no horizontal scrolling, ${label}`, overflow.join('\n'));
			else ok(`no horizontal scrolling, ${label}`);
			for (const p of pages.values()) await p.context().close();
		}
	}
	await step('vi: dates shown dd/mm/yyyy and a bad date says what was expected', async () => {
		const { page } = await newPage(base, 'vi');
		await login(page, base, 'worker_a');
		await page.goto(`${base}/#/cases/${caseId}`);
		await page.getByText('15/03/2001').first().waitFor();
		await page.goto(`${base}/#/cases/new`);
		await page.locator('#new-ctip_CaseOpenedDate').fill('2024-13-01');
		await page.locator('#new-prs_SecondName').fill('Lý');
		await page.locator('#new-prs_FirstName').fill('Thử Ba');
		await page.locator('form button[type="submit"]').first().click();
		const err = await page.locator('#new-ctip_CaseOpenedDate-error').textContent();
		expect(/dd\/mm\/yyyy/.test(err), 'the error says: ' + err);
	});
	await step('no page errors, nothing fetched from elsewhere', () => {
		expect(!problems.length, problems.slice(0, 5).join('\n'));
	});
}

try {
	await main();
} catch (e) {
	notok('walk', e && e.stack ? e.stack : e);
} finally {
	if (browser) await browser.close();
	if (server) {
		server.kill('SIGTERM');
		const code = await serverExit;
		if (code === 0) ok('the server stops on SIGTERM with status 0');
		else notok('the server stops on SIGTERM with status 0', 'status ' + code + '\n' + serverOut.slice(-800));
	}
	rmSync(tmp, { recursive: true, force: true });
	console.log(`# walk: ${passed} passed, ${failed} failed`);
	process.exit(failed ? 1 : 0);
}
