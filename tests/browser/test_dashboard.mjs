#!/usr/bin/env node
// The dashboard in a real browser against a real daemon: tikstatd polls the
// fake router (simulator) and serves the embedded dashboard on a
// free loopback port; Debian's headless Chromium (driven by playwright-core,
// never a downloaded browser) loads it. Checks, each printed as a sentence:
//   - the monthly bars carry exactly the /api/v1/traffic?step=month totals
//     (data-rx/data-tx), which equal the bytes the fake router counted;
//   - the table view and the billing cycle figures show the same bytes;
//   - the selection lives in the URL and survives a reload; the selector
//     switches interface (also by keyboard);
//   - an interface without data shows the empty state;
//   - a router that went down shows its reason;
//   - a stopped daemon shows the "does not answer" alert, and Retry
//     recovers once it is back.
// A screenshot is saved in the --out directory (its path is printed).
//
// Usage: node test_dashboard.mjs --tikstatd BIN --tikstat BIN --fakerouter BIN --out DIR
//        [--chromium /usr/bin/chromium] [--keep]
// No network beyond 127.0.0.1.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import {
	Checks, PageWatch, driveTraffic, equal, finish, launchChromium, parseSizes, startStack, testOptions, until,
} from './harness.mjs';

const opt = testOptions('test_dashboard.mjs');
const checks = new Checks();
const check = (name, fn) => checks.check(name, fn);

// ---------- the test ----------

const out = opt.out;
let stack = null;
let browser = null;
let watch = null;
let get = null;

const months = (router, iface) => get(`/api/v1/traffic?${new URLSearchParams({ router, interface: iface, step: 'month' })}`);
const sumOf = (points, k) => points.reduce((a, p) => a + BigInt(p[k]), 0n).toString();

// The exact values on the monthly bars that hold a record.
const barsOf = (page) => page.$$eval('#months .bar[data-start]', (bars) =>
	bars.map((b) => ({ start: b.dataset.start, rx: b.dataset.rx, tx: b.dataset.tx })));

async function barsMatchApi(page, router, iface) {
	const api = await months(router, iface);
	const want = api.points.map((p) => ({ start: p.start, rx: p.rx, tx: p.tx }));
	// The page may have drawn before the last commit: wait until it caught up.
	await until('the bars to show the API totals', async () => {
		const got = await barsOf(page);
		return JSON.stringify(got) === JSON.stringify(want);
	}, 8000).catch(async () => equal(await barsOf(page), want, `${router}/${iface} monthly bars`));
	return api;
}

try {
	stack = await startStack(opt);
	({ get } = stack);
	const { base, fake, daemon } = stack;
	const expect = await driveTraffic(fake);
	for (const iface of Object.keys(expect)) {
		await until(`home/${iface} counted`, async () => {
			const m = await months('home', iface);
			return sumOf(m.points, 'rx') === expect[iface][0].toString() && sumOf(m.points, 'tx') === expect[iface][1].toString();
		});
	}

	browser = await launchChromium(opt.chromium);
	watch = new PageWatch(base);
	const { ctx, page } = await watch.open(browser, '/#router=home&interface=ether1');
	await page.waitForSelector('#months .bar[data-start]', { timeout: 10000 });
	const firstChart = await page.evaluate(() => performance.getEntriesByName('tikstat-first-chart')[0]?.startTime);
	console.log(`# first chart drawn ${Math.round(firstChart)} ms after navigation`);

	await check('assets are fingerprinted, gzipped, cached for a year and revalidate by ETag', async () => {
		const html = await (await fetch(`${base}/`)).text();
		const paths = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]);
		equal(paths.length, 2, 'assets referenced by index.html');
		for (const p of paths) {
			if (!/^\/assets\/(app|style)-[0-9a-f]{10}\.(js|css)$/.test(p)) throw new Error(`not fingerprinted: ${p}`);
			const res = await fetch(base + p, { headers: { 'Accept-Encoding': 'gzip' } });
			equal([res.status, res.headers.get('content-encoding')], [200, 'gzip'], `${p} status, encoding`);
			if (!/max-age=31536000/.test(res.headers.get('cache-control') || '')) throw new Error(`${p} cache-control: ${res.headers.get('cache-control')}`);
			const etag = res.headers.get('etag');
			const again = await fetch(base + p, { headers: { 'If-None-Match': etag } });
			equal(again.status, 304, `${p} revalidated`);
		}
	});

	await check('monthly bars hold exactly the /api/v1/traffic?step=month totals', async () => {
		const api = await barsMatchApi(page, 'home', 'ether1');
		equal([sumOf(api.points, 'rx'), sumOf(api.points, 'tx')], expect.ether1.map(String), 'API totals vs fake router');
	});

	await check('the bars also equal what the tikstat CLI reports (tikstat -m --json)', async () => {
		const cli = parseSizes(execFileSync(opt.tikstat, ['-c', stack.conf, '-r', 'home', '-i', 'ether1', '-m', '--json'], { encoding: 'utf8' }));
		const bars = await barsOf(page);
		equal(bars, cli.points.filter((p) => bars.some((b) => b.start === p.start)).map((p) => ({ start: p.start, rx: p.rx, tx: p.tx })), 'CLI months');
		equal([sumOf(cli.points, 'rx'), sumOf(cli.points, 'tx')], expect.ether1.map(String), 'CLI totals');
	});

	await check('the table view shows the same bytes as the bars', async () => {
		await page.click('#months .toggle');
		await page.waitForSelector('#months table', { state: 'visible' });
		const rows = await page.$$eval('#months tbody tr[data-start]', (tr) => tr.map((r) => ({ start: r.dataset.start, rx: r.dataset.rx, tx: r.dataset.tx })));
		const bars = await barsOf(page);
		equal(rows.slice().reverse(), bars, 'table rows');
		const cell = await page.textContent('#months tbody tr td small');
		if (!/ B$/.test(cell.trim())) throw new Error(`exact byte cell: ${cell}`);
		await page.click('#months .toggle');
		await page.waitForSelector('#months svg', { state: 'visible' });
	});

	await check('billing cycle figures equal /api/v1/cycle, quota bar shown', async () => {
		const c = await get('/api/v1/cycle?router=home&interface=ether1');
		const shown = await page.$eval('#c-total', (e) => e.dataset.bytes);
		equal(shown, c.total, 'cycle total');
		equal(await page.isVisible('#quota'), true, 'quota visible');
		const now = await page.getAttribute('#q-bar', 'aria-valuenow');
		equal(Number(now), Math.min(100, Number(c.used_percent)), 'quota percent');
	});

	await check('the cycle panel lists the bills that sum the counter, as /api/v1/bills', async () => {
		const bills = await get('/api/v1/bills?router=home&interface=ether1');
		equal(bills.map((b) => b.name).join(), 'internet', 'bills of home/ether1');
		await until('the bill listed', async () => (await page.$$eval('#bills-list li', (li) => li.map((e) => e.dataset.bill))).join() === 'internet', 30000);
		const text = await page.textContent('#bills-list li');
		if (!/^internet .* of 954 MiB \(\d+\.\d\d %\), estimate .*, 95th percentile /.test(text)) throw new Error(`bill text: ${text}`);
	});

	await check('charts are images with a label and a title, tooltips give exact bytes', async () => {
		const svgs = await page.$$eval('.chart svg', (s) => s.map((e) => [e.getAttribute('role'), !!e.getAttribute('aria-label'), !!e.querySelector('title')]));
		if (!svgs.length || svgs.some(([r, l, t]) => r !== 'img' || !l || !t)) throw new Error(JSON.stringify(svgs));
		await page.hover('#months .bar[data-start]');
		const tip = await page.textContent('#tip');
		if (!/Download .* B/.test(tip)) throw new Error(`tooltip: ${tip}`);
	});

	await check('a refresh and a resize update the charts in place: same svg, same bars for unchanged slots', async () => {
		// The page keeps references to the nodes drawn so far; identity, not
		// equal markup, shows that nothing was rebuilt.
		const probe = () => page.evaluate(() => {
			window.probe = {};
			for (const id of ['months', 'days', 'recent']) {
				const svg = document.querySelector(`#${id} svg`);
				window.probe[id] = { svg, bars: new Map([...svg.querySelectorAll('.bar')].map((b) => [b.dataset.key, b])) };
			}
		});
		// Per chart: [same svg, bars whose key is still shown, of them the same node].
		const kept = () => page.evaluate(() => Object.fromEntries(['months', 'days', 'recent'].map((id) => {
			const svg = document.querySelector(`#${id} svg`);
			const bars = [...svg.querySelectorAll('.bar')].filter((b) => window.probe[id].bars.has(b.dataset.key));
			return [id, [svg === window.probe[id].svg, bars.length, bars.filter((b) => window.probe[id].bars.get(b.dataset.key) === b).length]];
		})));
		const sameNodes = (got, what) => {
			for (const [id, [svg, shown, same]] of Object.entries(got)) {
				if (!svg || shown === 0 || same !== shown) throw new Error(`${what}: ${id} svg kept ${svg}, ${same} of ${shown} bars kept`);
			}
		};
		await probe();
		// New traffic today: the days and recent charts change on the next refresh.
		await fake.cmd(`add home ether1 4099 0`);
		const today = async () => (await get('/api/v1/traffic?router=home&interface=ether1&step=day')).points.at(-1);
		const want = await until('the API to count the new traffic', async () => {
			const p = await today();
			return BigInt(p.rx) > 0n && (await months('home', 'ether1')).points.reduce((a, x) => a + BigInt(x.rx), 0n) === expect.ether1[0] + 4099n && p;
		});
		await until('a refresh to show it', async () => {
			await page.evaluate(() => document.dispatchEvent(new Event('visibilitychange')));
			return page.$eval(`#days .bar[data-start="${want.start}"]`, (b) => b.dataset.rx).then((rx) => rx === want.rx);
		});
		sameNodes(await kept(), 'after a refresh');
		await probe();
		const width = () => page.$eval('#months svg', (e) => e.getAttribute('width'));
		const before = await width();
		await page.setViewportSize({ width: 1000, height: 900 });
		await until('a resize to redraw', async () => (await width()) !== before);
		sameNodes(await kept(), 'after a resize');
		await page.setViewportSize({ width: 1200, height: 900 });
		await until('the width back', async () => (await width()) === before);
	});

	await check('the selection lives in the URL hash and survives a reload', async () => {
		await page.goto(`${base}/#router=home&interface=${encodeURIComponent('ether2 lan')}`);
		await page.reload();
		await page.waitForSelector('#months .bar[data-start]');
		equal(await page.inputValue('#interface'), 'ether2 lan', 'restored interface');
		await barsMatchApi(page, 'home', 'ether2 lan');
	});

	await check('the interface selector switches the charts', async () => {
		await page.selectOption('#interface', 'ether1');
		await until('hash', async () => (await page.evaluate(() => location.hash)).includes('interface=ether1'));
		await barsMatchApi(page, 'home', 'ether1');
	});

	await check('the selector works from the keyboard', async () => {
		await page.focus('#interface');
		await page.keyboard.press('ArrowDown'); // ether1 -> ether2 lan
		await until('keyboard selection', async () => (await page.evaluate(() => location.hash)).includes('ether2'), 5000);
		await barsMatchApi(page, 'home', 'ether2 lan');
	});

	await check('an interface without traffic shows the empty state', async () => {
		await page.selectOption('#interface', 'bridge');
		await page.waitForSelector('#empty', { state: 'visible' });
		const t = await page.textContent('#empty');
		if (!/No data yet/.test(t)) throw new Error(`empty state: ${t}`);
		equal(await page.isVisible('#months svg'), false, 'no chart');
	});

	await check('an interface the router does not have is shown missing, with what the router has', async () => {
		await until('ether9 missing in /api/v1/interfaces', async () =>
			(await get('/api/v1/interfaces')).some((i) => i.interface === 'ether9' && i.status === 'missing'));
		await page.reload();
		await page.selectOption('#interface', 'ether9');
		await page.waitForSelector('#empty', { state: 'visible' });
		await page.waitForSelector('#router-status', { state: 'visible' });
		const t = await page.textContent('#router-status');
		const api = (await get('/api/v1/interfaces')).find((i) => i.interface === 'ether9');
		if (!t.includes('ether9 is missing on router home') || !t.includes(api.error) || !api.error.includes('it has: ether1, "ether2 lan"'))
			throw new Error(`banner: ${t} (API error: ${api.error})`);
		const label = await page.$eval('#interface option[value="ether9"]', (o) => o.textContent);
		equal(label, 'ether9 (missing)', 'selector label');
		equal(await page.isVisible('#alert'), false, 'no error alert');
	});

	await check("the empty state of a fresh page shows the configured zone's offset, not UTC+00:00", async () => {
		const fresh = await ctx.newPage();
		await fresh.goto(`${base}/#router=home&interface=bridge`);
		await fresh.waitForSelector('#empty', { state: 'visible' });
		const name = new Intl.DateTimeFormat('en-US', { timeZone: 'Europe/Berlin', timeZoneName: 'longOffset' })
			.formatToParts(new Date()).find((p) => p.type === 'timeZoneName').value; // GMT+01:00
		const want = `Times in Europe/Berlin (UTC${name.slice(3)})`;
		await until('the zone footer', async () => (await fresh.textContent('#zone')) === want, 10000)
			.catch(async () => { throw new Error(`zone: ${await fresh.textContent('#zone')}, want ${want}`); });
		await fresh.close();
	});

	await check('a router that is down shows its reason', async () => {
		await fake.cmd('refuse office on');
		await until('office down in /api/v1/interfaces', async () =>
			(await get('/api/v1/interfaces')).some((i) => i.router === 'office' && i.status === 'down'));
		await page.selectOption('#router', 'office');
		await page.waitForSelector('#router-status', { state: 'visible' });
		const t = await page.textContent('#router-status');
		const api = (await get('/api/v1/interfaces')).find((i) => i.router === 'office');
		if (!t.includes('office is down') || !api.error || !t.includes(api.error)) throw new Error(`status: ${t} (API error: ${api.error})`);
		await fake.cmd('refuse office off');
	});

	await page.selectOption('#router', 'home');
	await page.selectOption('#interface', 'ether1');
	await page.waitForSelector('#months .bar[data-start]');
	await page.waitForTimeout(300);
	const shot = join(out, 'dashboard.png');
	await page.screenshot({ path: shot, fullPage: true });
	console.log(`# screenshot: ${shot}`);
	const phone = await browser.newContext({ viewport: { width: 375, height: 800 }, colorScheme: 'dark', isMobile: true });
	const pp = await phone.newPage();
	await pp.goto(`${base}/#router=home&interface=ether1`);
	await pp.waitForSelector('#months .bar[data-start]');
	await pp.waitForTimeout(300);
	const shot2 = join(out, 'dashboard-375-dark.png');
	await pp.screenshot({ path: shot2, fullPage: true });
	console.log(`# screenshot: ${shot2}`);

	await check('the page fits a 375 px phone without horizontal scrolling', async () => {
		const w = await pp.evaluate(() => document.documentElement.scrollWidth);
		if (w > 375) throw new Error(`scrollWidth ${w}`);
	});
	await phone.close();

	await check('a stopped daemon shows the unreachable alert, Retry recovers', async () => {
		await daemon.stop();
		await page.selectOption('#interface', 'ether2 lan');
		await page.waitForSelector('#alert', { state: 'visible', timeout: 10000 });
		const t = await page.textContent('#alert');
		if (!/does not answer/.test(t)) throw new Error(`alert: ${t}`);
		daemon.start();
		await until('the daemon back', () => get('/api/v1/interfaces'), 15000);
		await page.click('#retry');
		await page.waitForSelector('#alert', { state: 'hidden', timeout: 10000 });
		await barsMatchApi(page, 'home', 'ether2 lan');
	});
} catch (e) {
	checks.broken(e);
} finally {
	await finish(checks, { stack, browser, watch, keep: opt.keep });
}
