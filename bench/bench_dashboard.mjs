#!/usr/bin/env node
// Dashboard figures: the size of every embedded asset (raw and gzip -9, from
// the build's assets.json) and the time from navigation to the first chart
// drawn (the page's "tikstat-first-chart" performance mark), in Debian's
// headless Chromium against a real tikstatd polling the fake router on
// loopback: cold (new browser context, empty cache) and warm (reload; the
// fingerprinted assets come from the cache).
//
// Usage: node bench_dashboard.mjs --assets DIR --tikstatd BIN --fakerouter BIN [--runs N]
//        [--chromium /usr/bin/chromium]
// DIR is the build's dashboard directory (assets.json). Targets: at most
// 150 KB gzipped in total, first chart within 300 ms.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { driveTraffic, launchChromium, startStack } from '../tests/browser/harness.mjs';

const { values: opt } = parseArgs({
	options: {
		assets: { type: 'string' },
		tikstatd: { type: 'string' },
		fakerouter: { type: 'string' },
		runs: { type: 'string', default: '10' },
		chromium: { type: 'string', default: '/usr/bin/chromium' },
	},
});
if (!opt.assets || !opt.tikstatd || !opt.fakerouter) {
	console.error('usage: bench_dashboard.mjs --assets DIR --tikstatd BIN --fakerouter BIN [--runs N]');
	process.exit(2);
}

const manifest = JSON.parse(readFileSync(join(opt.assets, 'assets.json'), 'utf8'));
const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;
console.log('dashboard assets (raw, gzip -9):');
for (const a of manifest) console.log(`  ${a.path.padEnd(34)} ${kb(a.size).padStart(10)} ${kb(a.gzip).padStart(10)}`);
const raw = manifest.reduce((n, a) => n + a.size, 0);
const gz = manifest.reduce((n, a) => n + a.gzip, 0);
console.log(`  ${'total'.padEnd(34)} ${kb(raw).padStart(10)} ${kb(gz).padStart(10)}  (target <= 150 KB gzipped)`);

const stack = await startStack(opt);
let browser;
try {
	await driveTraffic(stack.fake, 2);
	browser = await launchChromium(opt.chromium);
	const runs = Math.max(1, Number(opt.runs));
	const cold = [];
	const warm = [];
	const url = `${stack.base}/#router=home&interface=ether1`;
	const mark = (page) => page.evaluate(() => performance.getEntriesByName('tikstat-first-chart')[0]?.startTime);
	for (let i = 0; i < runs; i++) {
		const ctx = await browser.newContext({ viewport: { width: 1200, height: 900 } });
		const page = await ctx.newPage();
		await page.goto(url);
		await page.waitForSelector('#months .bar[data-start]');
		cold.push(await mark(page));
		await page.reload();
		await page.waitForSelector('#months .bar[data-start]');
		warm.push(await mark(page));
		await ctx.close();
	}
	const stats = (v) => {
		const s = [...v].sort((a, b) => a - b);
		const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
		return `median ${q(0.5).toFixed(0)} ms, min ${s[0].toFixed(0)} ms, max ${s[s.length - 1].toFixed(0)} ms`;
	};
	console.log(`first chart after navigation, ${runs} runs (target <= 300 ms):`);
	console.log(`  cold (empty cache): ${stats(cold)}`);
	console.log(`  warm (reload):      ${stats(warm)}`);
} finally {
	if (browser) await browser.close();
	await stack.daemon.stop();
	stack.fake.stop();
	rmSync(stack.dir, { recursive: true, force: true });
}
