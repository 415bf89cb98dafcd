// lists.mjs - the browser steps of the lists (issue 14, items 5 and 6), run by flow.mjs with its
// helpers: the home page with the menu's counts, the case list (victim names where the user may
// see them, sorting, the name search, paging with the total, the CSV of all pages), the audit
// page's filters with readable details, the print stylesheet of the case page, and every list
// page and the menu at 390 px without horizontal scrolling, in English and Vietnamese.

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1100, height: 780 };

/* The page is no wider than the window (nothing scrolls sideways). */
async function fits(page, where) {
	const r = await page.evaluate(() => ({ sw: document.documentElement.scrollWidth, w: window.innerWidth }));
	if (r.sw > r.w) {
		// name the widest element, to say what overflows
		const wide = await page.evaluate(() => {
			let best = null;
			for (const el of document.querySelectorAll('body *')) {
				const b = el.getBoundingClientRect();
				if (b.right > window.innerWidth + 1 && (!best || b.right > best.right)) best = { right: b.right, what: el.tagName + '.' + el.className + ' ' + (el.textContent || '').trim().slice(0, 40) };
			}
			return best;
		});
		throw new Error(`${where}: scrollWidth ${r.sw} > ${r.w}; widest: ${JSON.stringify(wide)}`);
	}
}

async function setLang(page, lang) {
	await page.locator('#lang-select').selectOption(lang);
	await page.waitForFunction((l) => document.documentElement.lang === l, lang);
}

export async function listSteps(h) {
	const { step, expect, newUser, login, a11y, shot, apiFrom, ctip, base, caseId, victimName, hiddenName } = h;
	ctip(['user', 'add', 'auditor_a', '--org', 'Org A', '--role', 'auditor'], h.password + '\n');

	const A = await newUser(base);
	const pa = A.page;
	await step('home: the default page after sign-in, with counts, in one request', async () => {
		const calls = [];
		pa.on('request', (r) => r.url().includes('/api/home') && calls.push(r.url()));
		await login(pa, base, 'worker_a', /^Home of worker_a$/);
		await pa.getByRole('heading', { level: 2, name: /My open cases/ }).waitFor();
		await pa.getByRole('heading', { level: 2, name: /Approvals|requests awaiting/ }).waitFor();
		expect(calls.some((u) => !u.includes('counts=1')), 'no GET /api/home');
		expect(calls.some((u) => u.includes('counts=1')), 'the menu did not ask for its counts');
		await shot(pa, 'home');
		await a11y(pa, 'home');
	});
	await step("the case list: victims' names, the total, sorting by name", async () => {
		await pa.goto(`${base}/#/cases`);
		await pa.getByRole('heading', { level: 1, name: 'Cases' }).waitFor();
		await pa.getByRole('cell', { name: victimName }).waitFor();
		await pa.getByText(/^1–\d+ of \d+$/).waitFor();
		await pa.locator('th[data-col="victim"] a').click();
		await pa.waitForFunction(() => location.hash.includes('sort=name'));
		await pa.locator('th[aria-sort="ascending"][data-col="victim"]').waitFor();
		await shot(pa, 'cases-list');
		await a11y(pa, 'case list');
	});
	await step('the case list: a name without diacritics finds the case on the server', async () => {
		const q = victimName.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
		await pa.getByLabel('Name, case number or organisation').fill(q);
		await pa.getByRole('button', { name: 'Filter' }).click();
		await pa.waitForFunction(() => location.hash.includes('q='));
		await pa.getByText(/^1–1 of 1$/).waitFor();
		await pa.getByRole('cell', { name: victimName }).waitFor();
	});
	await step('the case list: a bad date is refused next to its field', async () => {
		await pa.getByLabel('Opened from').fill('31/02/2024');
		await pa.getByRole('button', { name: 'Filter' }).click();
		await pa.locator('#filter-from-error:not([hidden])').waitFor();
		await pa.getByLabel('Opened from').fill('01/01/2000');
		await pa.getByRole('button', { name: 'Filter' }).click();
		await pa.waitForFunction(() => location.hash.includes('from=2000-01-01'));
	});
	await step('the case list: CSV of every page of the filter, with the name', async () => {
		const href = await pa.getByRole('link', { name: /Download CSV/ }).getAttribute('href');
		expect(href.includes('format=csv') && href.includes('q='), 'CSV link: ' + href);
		const text = await pa.evaluate(async (u) => (await fetch(u)).text(), href);
		expect(text.startsWith('id,src_CaseId,org,victim') && text.includes(victimName), 'CSV: ' + text.slice(0, 200));
	});
	await step('the case page prints without menu, forms or buttons', async () => {
		await pa.goto(`${base}/#/cases/${caseId}`);
		await pa.getByRole('heading', { level: 1 }).waitFor();
		await pa.emulateMedia({ media: 'print' });
		const shown = await pa.evaluate(() => {
			const vis = (sel) => [...document.querySelectorAll(sel)].filter((e) => getComputedStyle(e).display !== 'none' && e.getClientRects().length).length;
			return { header: vis('header.top'), forms: vis('main form'), buttons: vis('main button'), h1: vis('main h1') };
		});
		await shot(pa, 'case-print', { fullPage: true });
		await pa.emulateMedia({ media: 'screen' });
		expect(!shown.header && !shown.forms && !shown.buttons && shown.h1 === 1, JSON.stringify(shown));
	});

	const B = await newUser(base);
	const pb = B.page;
	await step("B's case list: the victim without consent is 'identity not shared', never named", async () => {
		await login(pb, base, 'worker_b', /^Home of worker_b$/);
		await pb.goto(`${base}/#/cases`);
		await pb.getByRole('cell', { name: victimName }).waitFor();
		await pb.getByText('Identity not shared', { exact: true }).first().waitFor();
		expect(!(await pb.getByText(hiddenName).count()), 'the withheld name is on the list');
		await pb.locator('th[data-col="victim"] a').click();
		await pb.waitForFunction(() => location.hash.includes('sort=name'));
		const last = await pb.locator('table.cases tbody tr').last().textContent();
		expect(last.includes('Identity not shared'), 'a hidden name is not last: ' + last);
		const csv = await pb.evaluate(async () => (await fetch('/api/cases?format=csv')).text());
		expect(!csv.includes(hiddenName), 'the withheld name is in the CSV');
	});

	const U = await newUser(base);
	const pu = U.page;
	await step('audit page: filtered by user and action, paged, in words', async () => {
		await login(pu, base, 'auditor_a', 'Audit log');
		await pu.getByText(/^1–\d+ of \d+$/).waitFor();
		await pu.getByLabel('User').fill('worker_b');
		await pu.getByLabel('Action').selectOption('search_hit');
		await pu.getByRole('button', { name: 'Show' }).click();
		await pu.waitForFunction(() => location.hash.includes('user=worker_b'));
		await pu.getByRole('cell', { name: 'on the case list' }).first().waitFor();
		await pu.getByRole('cell', { name: /^person record P\d+$/ }).first().waitFor();
		const actions = await pu.locator('table.audit tbody td:nth-child(3)').allTextContents();
		expect(actions.length && actions.every((a) => a === 'shown in a search'), 'actions: ' + actions.join('|'));
		await shot(pu, 'audit-filtered');
		await a11y(pu, 'audit page, filtered');
	});

	// every list page and the menu at 390 px, English and Vietnamese; desktop too
	const pages = [
		[pa, '#/home'],
		[pa, '#/cases'],
		[pa, '#/cases?sort=name&risk=none'],
		[pa, '#/search?q=vu'],
		[pa, '#/inbox'],
		[pa, '#/followups'],
		[pa, '#/contacts'],
		[pa, `#/cases/${caseId}`],
		[pb, '#/cases'],
		[pb, '#/home'],
		[pu, '#/audit'],
	];
	for (const lang of ['en', 'vi'])
		for (const [vp, vpName] of [
			[PHONE, '390 px'],
			[DESKTOP, 'desktop'],
		])
			await step(`${vpName}, ${lang}: the lists and the menu fit the screen (no horizontal scrolling)`, async () => {
				const bad = [];
				for (const [p, hash] of pages) {
					await p.setViewportSize(vp);
					if ((await p.evaluate(() => document.documentElement.lang)) !== lang) await setLang(p, lang);
					await p.goto(base + '/' + hash);
					await p.locator('main h1').waitFor();
					await p.waitForFunction(() => !document.getElementById('main').hasAttribute('aria-busy'));
					try {
						await fits(p, hash);
					} catch (e) {
						bad.push(e.message);
					}
					if (vp === PHONE && lang === 'vi' && ['#/home', '#/cases', '#/audit'].includes(hash)) await shot(p, `phone-vi-${hash.slice(2)}`, { fullPage: true });
				}
				expect(!bad.length, bad.join('\n'));
			});
	await step('Vietnamese: dates on the case list are day/month/year', async () => {
		await pa.setViewportSize(DESKTOP);
		await pa.goto(`${base}/#/cases`);
		await pa.locator('table.cases tbody td').first().waitFor();
		const cells = await pa.locator('table.cases tbody td:nth-child(8)').allTextContents();
		expect(cells.some((c) => c.trim()) && cells.every((c) => !c.trim() || /^\d{2}\/\d{2}\/\d{4}( \d{2}:\d{2})?$/.test(c.trim())), 'activity cells: ' + cells.join('|'));
		await setLang(pa, 'en');
	});
	for (const c of [A, B, U]) await c.context.close();
}
