#!/usr/bin/env node
// The "Who" view in Debian's headless Chromium against a fake API (a
// node HTTP server on loopback serving the built page and answers of the
// /api/v1/top contract in src/who.js), until tikstatd serves the endpoint:
// hidden without devices or queues, 1000 devices ranked to the byte, the
// chart's top 15, sorting and a refresh in place (same nodes), the period
// and kind switches in the URL, the empty and error states, a row opening
// the counter's charts. Prints the time to draw 1000 rows (figures, not
// assertions: the machine is shared).
//
// Usage: node who_browser.mjs --www DIR [--chromium /usr/bin/chromium] [--runs N] [--out DIR]
// DIR: the built page (the build's dashboard/www, or OUTDIR/www of
// build.mjs); --out: where the screenshot who.png goes (none: not taken).
// playwright-core comes from tests/browser/node_modules.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { parseArgs } from 'node:util';
import { Checks, PageWatch, equal, launchChromium, until } from '../../tests/browser/harness.mjs';

const { values: opt } = parseArgs({
	options: {
		www: { type: 'string' },
		chromium: { type: 'string', default: '/usr/bin/chromium' },
		runs: { type: 'string', default: '5' },
		out: { type: 'string' },
	},
});
if (!opt.www) {
	console.error('usage: who_browser.mjs --www DIR [--chromium BIN] [--runs N] [--out DIR]');
	process.exit(2);
}

const N = 1000;
const mac = (i) => `02:00:00:00:${(i >> 8).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`.toUpperCase();
// Device i's bytes in a period: decreasing with i (the API's order), the
// first one beyond 2^53 so that exactness shows.
function bytes(i, period) {
	const f = period === 'today' ? 1n : period === 'last_cycle' ? 7n : 30n;
	const rx = (i === 0 ? 18446744073709551n : BigInt(N - i) * 1048576n) * f;
	return [rx, BigInt(N - i) * 4096n * f];
}
const devices = Array.from({ length: N }, (_, i) => ({
	interface: mac(i), name: `device-${i}`, address: i % 7 === 3 ? null : `192.168.${i >> 8}.${i & 255}`,
}));

// The fake daemon's state: what /api/v1/interfaces lists, the requests seen.
const fake = { kinds: false, requests: [] };

function interfaces() {
	const list = [{ router: 'home', interface: 'ether1', status: 'up', error: '' },
		{ router: 'office', interface: 'ether1', status: 'up', error: '' }];
	if (!fake.kinds) return list;
	for (const x of list) Object.assign(x, { kind: 'interface', name: x.interface });
	return [...list,
		...devices.map((d) => ({ router: 'home', interface: d.interface, kind: 'device', name: d.name, status: 'up', error: '' })),
		{ router: 'home', interface: 'guest', kind: 'queue', name: 'guest', status: 'up', error: '' },
		{ router: 'gone', interface: mac(1), kind: 'device', name: 'x', status: 'up', error: '' }];
}

// /api/v1/top with sizes as JSON numbers (u64), as the daemon writes them.
function top(q) {
	const router = q.get('router');
	const kind = q.get('kind');
	const period = q.get('period');
	if (router !== 'home') return [404, { error: `unknown router: ${router}` }];
	if (!['device', 'queue'].includes(kind) || !['cycle', 'last_cycle', 'today'].includes(period)) return [400, { error: 'bad kind or period' }];
	const items = kind === 'device' ? devices.map((d, i) => ({ ...d, b: bytes(i, period) })) : [];
	const tot = items.reduce((a, x) => [a[0] + x.b[0], a[1] + x.b[1]], [0n, 0n]);
	const body = `{"router":"home","kind":"${kind}","period":"${period}","start":"2026-12-01T00:00:00+01:00",` +
		`"end":"2027-01-01T00:00:00+01:00","total":{"rx":${tot[0]},"tx":${tot[1]}},"items":[` +
		items.map((x) => `{"interface":"${x.interface}","name":"${x.name}","address":${JSON.stringify(x.address)},` +
			`"rx":${x.b[0]},"tx":${x.b[1]}}`).join(',') + ']}';
	return [200, body];
}

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css' };

function serve(req, res) {
	const u = new URL(req.url, 'http://x');
	fake.requests.push(u.pathname + u.search);
	const json = (status, v) => {
		res.writeHead(status, { 'Content-Type': 'application/json' });
		res.end(typeof v === 'string' ? v : JSON.stringify(v));
	};
	if (u.pathname === '/api/v1/interfaces') return json(200, interfaces());
	if (u.pathname === '/api/v1/top') return json(...top(u.searchParams));
	if (u.pathname === '/api/v1/traffic') return json(200, { timezone: 'Europe/Berlin', points: [] });
	if (u.pathname.startsWith('/api/')) return json(404, { error: 'not here' });
	const path = normalize(u.pathname === '/' ? '/index.html' : u.pathname);
	try {
		const body = readFileSync(join(opt.www, path));
		res.writeHead(200, { 'Content-Type': TYPES[extname(path)] ?? 'application/octet-stream' });
		res.end(body);
	} catch {
		res.writeHead(404);
		res.end();
	}
}

const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

const checks = new Checks();
const check = (n, f) => checks.check(n, f);
const server = createServer(serve);
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const base = `http://127.0.0.1:${server.address().port}`;
let browser;
let watch = null;
try {
	browser = await launchChromium(opt.chromium);
	watch = new PageWatch(base);
	const { page } = await watch.open(browser, '/#router=home&interface=ether1');
	// Displayed (an empty section has no box, so isVisible will not do).
	const visible = (sel) => page.$eval(sel, (e) => {
		for (let x = e; x; x = x.parentElement) if (getComputedStyle(x).display === 'none') return false;
		return true;
	});
	const rows = () => page.$$eval('#who-table tbody tr', (t) => t.map((r) => [r.dataset.key, r.dataset.rx, r.dataset.tx]));

	await check("without devices or queues the page is today's: no tab, no Who view, #view=who falls back", async () => {
		await page.waitForSelector('#interface option[value="ether1"]', { state: 'attached' });
		equal([await visible('#views'), await visible('#who'), await visible('#main')], [false, false, true], 'views, who, main');
		await page.goto(`${base}/#view=who`);
		await page.reload();
		await until('the traffic view', async () => (await page.evaluate(() => location.hash)).includes('interface=ether1'));
		equal([await visible('#who'), await visible('#main')], [false, true], 'who, main');
		equal(fake.requests.filter((r) => r.startsWith('/api/v1/top')), [], 'requests of /api/v1/top');
	});

	fake.kinds = true;
	// A new document: the one shown would take the hash change itself.
	await page.goto('about:blank');
	await page.goto(`${base}/#view=who&router=home&kind=device&period=cycle`);

	await check('1000 devices ranked as the API answers them, to the byte; the chart shows the top 15', async () => {
		await until('1000 rows', async () => (await rows()).length === N, 30000);
		const want = devices.map((d, i) => [d.interface, ...bytes(i, 'cycle').map(String)]);
		equal(await rows(), want, 'rows');
		equal(await page.$$eval('.rank-chart .rank', (g) => g.map((x) => x.dataset.key)), want.slice(0, 15).map((r) => r[0]), 'chart bars');
		equal([await visible('#views'), await visible('#who'), await visible('#main'), await visible('#pick')], [true, true, false, false], 'views, who, main, pick');
		equal(await page.getAttribute('#tab-who', 'aria-current'), 'page', 'tab');
		equal(await page.getAttribute('#who-table th.col-total', 'aria-sort'), 'descending', 'sorted by total');
		const first = await page.$$eval('#who-table tbody tr:first-child > *', (c) => c.map((x) => x.textContent));
		if (first[1] !== `device-0${mac(0)}` || first[2] !== '192.168.0.0' || !/ %$/.test(first[6])) throw new Error(`first row: ${first}`);
		const noAddr = await page.$eval(`#who-table tr[data-key="${mac(3)}"] .col-address`, (c) => c.textContent);
		equal(noAddr, '–', 'no address');
		const svg = await page.$eval('.rank-chart', (s) => [s.getAttribute('role'), !!s.getAttribute('aria-label'), !!s.querySelector('title')]);
		equal(svg, ['img', true, true], 'chart role, label, title');
		if (opt.out) await page.screenshot({ path: join(opt.out, 'who.png'), fullPage: false });
	});

	await check('sorting and a refresh reorder the rows in place: the same nodes', async () => {
		await page.evaluate(() => {
			window.who = new Map([...document.querySelectorAll('#who-table tbody tr')].map((r) => [r.dataset.key, r]));
		});
		const kept = () => page.evaluate(() => [...document.querySelectorAll('#who-table tbody tr')].filter((r) => window.who.get(r.dataset.key) === r).length);
		await page.click('#who-table button[data-sort="name"]');
		await until('sorted by name', async () => (await page.getAttribute('#who-table th.col-name', 'aria-sort')) === 'ascending');
		const names = await page.$$eval('#who-table tbody tr .col-name a', (a) => a.slice(0, 3).map((x) => x.textContent));
		equal(names, ['device-0', 'device-1', 'device-2'], 'names in natural order');
		equal(await kept(), N, 'row nodes kept by the sort');
		await page.click('#who-table button[data-sort="address"]');
		await until('sorted by address', async () => (await page.getAttribute('#who-table th.col-address', 'aria-sort')) === 'ascending');
		equal(await page.$eval('#who-table tbody tr:last-child .col-address', (c) => c.textContent), '–', 'no address last');
		const before = fake.requests.length;
		await page.evaluate(() => document.dispatchEvent(new Event('visibilitychange')));
		await until('a refresh', () => fake.requests.slice(before).some((r) => r.startsWith('/api/v1/top')));
		await until('drawn', async () => (await rows()).length === N);
		equal(await kept(), N, 'row nodes kept by a refresh');
		await page.click('#who-table button[data-sort="total"]');
	});

	await check('the period switch loads that period and writes it into the URL', async () => {
		await page.click('#who-period button[data-period="today"]');
		await until('today', async () => (await page.evaluate(() => location.hash)) === '#view=who&router=home&kind=device&period=today');
		await until('today rows', async () => (await rows())[5]?.[1] === bytes(5, 'today')[0].toString());
		equal(await page.getAttribute('#who-period button[data-period="today"]', 'aria-pressed'), 'true', 'pressed');
		equal(await page.getAttribute('#tab-who', 'href'), '#view=who&router=home&kind=device&period=today', 'tab link');
	});

	await check("a kind the router counts none of: the empty state says what to enable", async () => {
		await page.click('#who-kind button[data-kind="queue"]');
		await until('empty state', async () => /simple queues/.test(await page.textContent('#who .msg')) && page.isVisible('#who .msg'));
		equal([await rows(), await visible('.rank-chart')], [[], false], 'rows, chart');
		if (!(await page.evaluate(() => location.hash)).includes('kind=queue')) throw new Error('kind not in the URL');
	});

	await check('a router the daemon does not know (404): its message, nothing stale shown', async () => {
		await page.selectOption('#who-router', 'gone');
		await until('error', async () => /Not found: unknown router: gone/.test(await page.textContent('#who .msg')));
		equal(await rows(), [], 'rows');
		equal(await page.isDisabled('#who-kind button[data-kind="queue"]'), true, 'a kind the router lacks is disabled');
	});

	await check("a row opens the counter's own charts (traffic view, interface=MAC)", async () => {
		await page.goto(`${base}/#view=who&router=home&kind=device&period=cycle`);
		await until('rows', async () => (await rows()).length === N, 30000);
		const before = fake.requests.length;
		await page.click(`#who-table tr[data-key="${mac(2)}"] .col-total`);
		const want = new URLSearchParams({ router: 'home', interface: mac(2) }).toString();
		await until('the traffic view', async () => (await page.evaluate(() => location.hash)) === `#${want}`);
		await until('its series asked', () => fake.requests.slice(before).some((r) => r.startsWith('/api/v1/traffic?') && r.includes(want)));
		equal([await visible('#who'), await visible('#main'), await visible('#pick')], [false, true, true], 'who, main, pick');
		equal(await page.inputValue('#interface'), mac(2), 'interface selected');
		const group = await page.$eval(`#interface option[value="${mac(2)}"]`, (o) => [o.parentElement.label, o.textContent]);
		equal(group, ['Devices', `device-2 (${mac(2)})`], 'option group and label');
		await page.goBack();
		await until('back in the Who view', () => page.isVisible('#who'));
	});

	// Figures: a new period draws all 1000 rows from scratch; a sort moves them.
	const runs = Math.max(1, Number(opt.runs));
	const timed = (action) => page.evaluate(async (act) => {
		const n = performance.getEntriesByName('tikstat-who-draw').length;
		const t0 = performance.now();
		if (act === 'sort') document.querySelector('#who-table button[data-sort="rx"]').click();
		else document.querySelector(`#who-period button[data-period="${act}"]`).click();
		const end = t0 + 60000;
		while (performance.getEntriesByName('tikstat-who-draw').length === n) {
			if (performance.now() > end) throw new Error('not drawn within 60 s');
			await new Promise((r) => setTimeout(r, 5));
		}
		const m = performance.getEntriesByName('tikstat-who-draw').at(-1);
		await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
		return { draw: m.duration, frame: performance.now() - t0 };
	}, action);
	const newPeriod = [];
	const sort = [];
	for (let i = 0; i < runs; i++) {
		newPeriod.push(await timed(i % 2 ? 'cycle' : 'last_cycle'));
		sort.push(await timed('sort'));
	}
	const fmt = (v, k) => `${median(v.map((x) => x[k])).toFixed(0)} ms`;
	console.log(`# ${N} rows, ${runs} runs, medians: a new period: DOM writes ${fmt(newPeriod, 'draw')}, ` +
		`click to painted frame ${fmt(newPeriod, 'frame')} (fetch included); a sort: DOM writes ${fmt(sort, 'draw')}, ` +
		`click to painted frame ${fmt(sort, 'frame')}`);
} catch (e) {
	checks.broken(e);
} finally {
	if (watch) await checks.check('no page errors and no request leaves the server', () => watch.clean());
	if (browser) await browser.close().catch(() => {});
	server.close();
}
console.log(`${checks.passed} passed, ${checks.failed} failed`);
process.exit(checks.failed ? 1 : 0);
