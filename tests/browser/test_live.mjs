#!/usr/bin/env node
// The dashboard's "Live" panel in a real browser against tikstatd's live
// stream (GET /api/v1/live, Server-Sent Events): tikstatd polls the fake
// router, whose /interface/monitor-traffic rows report the growth rate set
// by its `rate` control command (8 × the bytes per second its counters
// grow by: simulator/README.md). Checks, each printed as a sentence:
//   - the panel becomes visible and its current download/upload are the
//     fake router's rates (exact bit/s in data-bps, within 2 %);
//   - the chart moves: new seconds are drawn; a new page starts with the
//     replayed last minute, not an empty chart;
//   - a new rate shows within seconds, the peak stays >= the current rate;
//   - two pages on one interface share one stream on the router, and
//     closing them ends it;
//   - the router's session killed (control command `refuse`): the panel
//     says the router is down, with a reason, the chart rolls on, a page
//     opened meanwhile says so too (its replayed minute is no current
//     rate), and it recovers by itself;
//   - tikstatd stopped and started again: the panel says it reconnects
//     and does, without a reload;
//   - no page error, no request leaves the daemon.
// Screenshots of the panel up and down land in the --out directory.
//
// Usage: node test_live.mjs --tikstatd BIN --tikstat BIN --fakerouter BIN --out DIR
//        [--chromium /usr/bin/chromium] [--keep]
// No network beyond 127.0.0.1. Waits are generous (the machine may be
// loaded): every condition is polled, none timed.
import { join } from 'node:path';
import { Checks, PageWatch, equal, finish, launchChromium, startStack, testOptions, until } from './harness.mjs';

const opt = testOptions('test_live.mjs');
const checks = new Checks();
const check = (name, fn) => checks.check(name, fn);
const WAIT = 60000; // a router's reconnection, a daemon's restart

// The fake router's rates of home/ether1, in bytes per second: the panel
// shows 8 × these in bit/s.
const RATE = { rx: 125000, tx: 31250 };
const TOLERANCE = 0.02;

// The number in data-bps of #id (the exact bit/s the page shows), null
// when the page shows none ('–').
const bpsOf = (page, id) => page.$eval(`#${id}`, (e) => (e.dataset.bps === undefined ? null : Number(e.dataset.bps)));
const near = (got, want) => got !== null && Math.abs(got - want) <= want * TOLERANCE;

// The rx lines of the Now chart: per run, its key (rx-<first second in
// ms>) and its number of points (a lone second is drawn as two).
const lines = (page) => page.$$eval('#rate .lines path.rx', (ps) =>
	ps.map((p) => ({ key: p.dataset.key, d: p.getAttribute('d'), n: (p.getAttribute('d').match(/[ML]/g) || []).length })));
const pointsOf = (ls) => ls.reduce((a, l) => a + l.n, 0);

// Waits until the panel shows home/ether1 at rx, tx bytes per second.
async function showsRate(page, rx, tx) {
	await until(`the current rate ${rx * 8}/${tx * 8} bit/s`, async () =>
		near(await bpsOf(page, 'rate-rx'), rx * 8) && near(await bpsOf(page, 'rate-tx'), tx * 8), WAIT)
		.catch(async (e) => {
			throw new Error(`${e.message}; the page shows ${await bpsOf(page, 'rate-rx')}/${await bpsOf(page, 'rate-tx')} ` +
				`(${await page.textContent('#rate .rate-now')}; notice: ${await page.textContent('#rate .msg')})`);
		});
}

const notice = (page) => page.$eval('#rate .msg', (e) => (e.hidden ? '' : e.textContent));

let stack = null;
let browser = null;
let watch = null;
try {
	stack = await startStack(opt);
	const { base, fake, daemon } = stack;
	const monitors = async () => Number((await fake.cmd('monitors home')).split(' ')[1]);
	await fake.cmd(`rate home ether1 ${RATE.rx} ${RATE.tx}`);

	browser = await launchChromium(opt.chromium);
	watch = new PageWatch(base);
	const { ctx, page } = await watch.open(browser, '/#router=home&interface=ether1');

	await check("the Live panel appears with the router's current rate", async () => {
		await page.waitForSelector('#rate', { state: 'visible', timeout: WAIT });
		await showsRate(page, RATE.rx, RATE.tx);
		const text = await page.textContent('#rate-rx');
		equal(text, '1 Mbit/s', 'the current download as text');
		equal(await notice(page), '', 'no notice while the router is up');
	});

	await check('the chart moves: new seconds are drawn', async () => {
		const before = await lines(page);
		if (!before.length) throw new Error('no rx line drawn');
		await until('three more seconds drawn', async () => pointsOf(await lines(page)) >= pointsOf(before) + 3, WAIT);
		const after = await lines(page);
		if (after.at(-1).d === before.at(-1).d) throw new Error('the newest line did not change');
		const label = await page.getAttribute('#rate svg', 'aria-label');
		if (!/now download 1 Mbit\/s, upload 250 kbit\/s/.test(label)) throw new Error(`chart label: ${label}`);
	});

	await check('a new rate shows within seconds; the peak stays >= the current rate', async () => {
		await fake.cmd(`rate home ether1 ${RATE.rx * 2} ${RATE.tx * 2}`);
		await showsRate(page, RATE.rx * 2, RATE.tx * 2);
		await fake.cmd(`rate home ether1 ${RATE.rx / 2} ${RATE.tx / 2}`);
		await showsRate(page, RATE.rx / 2, RATE.tx / 2);
		const peak = await bpsOf(page, 'rate-rx-peak');
		const peakTx = await bpsOf(page, 'rate-tx-peak');
		if (!near(peak, RATE.rx * 16) || !near(peakTx, RATE.tx * 16)) throw new Error(`peak ${peak}/${peakTx}, want the 2× rate`);
		if (peak < (await bpsOf(page, 'rate-rx'))) throw new Error('peak below the current rate');
		await fake.cmd(`rate home ether1 ${RATE.rx} ${RATE.tx}`);
		await showsRate(page, RATE.rx, RATE.tx);
	});

	await check('a new page starts with the replayed last minute; two pages share one router stream', async () => {
		const second = watch.watch(await ctx.newPage());
		try {
			const opened = Date.now(); // the same host's clock as the daemon's
			await second.goto(`${base}/#router=home&interface=ether1`);
			await second.waitForSelector('#rate', { state: 'visible', timeout: WAIT });
			await until('a line drawn', async () => (await lines(second)).length > 0, WAIT);
			const first = Number((await lines(second))[0].key.slice(3));
			// Live seconds are stamped when tikstatd receives them, after the
			// page opened: one 2 s before it came from the replay.
			if (!(first < opened - 2000)) throw new Error(`the first second shown is ${new Date(first).toISOString()}, the page opened ${new Date(opened).toISOString()}: no replay`);
			equal(await monitors(), 1, 'monitor-traffic streams on the router for two pages');
		} finally {
			await second.close();
		}
	});

	await page.screenshot({ path: join(opt.out, 'live.png'), fullPage: true });
	console.log(`# screenshot: ${join(opt.out, 'live.png')}`);

	await check("the router's session killed: the panel says it is down, then recovers by itself", async () => {
		const runs = (await lines(page)).length;
		await fake.cmd('refuse home on');
		try {
			await until('the panel to say the router is down', async () => /^The router is down: \S/.test(await notice(page)), WAIT)
				.catch(async (e) => { throw new Error(`${e.message}; notice: "${await notice(page)}"`); });
			equal(await bpsOf(page, 'rate-rx'), null, 'no current rate while down');
			const frozen = (await lines(page)).at(-1).d;
			await until('the chart to roll on while the router is down', async () =>
				(await lines(page)).at(-1)?.d !== frozen && /^The router is down/.test(await notice(page)), WAIT);
			const label = await page.getAttribute('#rate svg', 'aria-label');
			if (!/down: \S/.test(label)) throw new Error(`chart label while down: ${label}`);
			const shot = join(opt.out, 'live-down.png');
			await page.locator('#rate').screenshot({ path: shot });
			console.log(`# screenshot: ${shot} (${await notice(page)})`);
			// A page opened now is told at once, then gets the replayed
			// minute: history, not a current rate.
			const { ctx: lateCtx, page: late } = await watch.open(browser, '/#router=home&interface=ether1');
			try {
				await late.waitForSelector('#rate', { state: 'visible', timeout: WAIT });
				await until('the replay drawn on a page opened while down', async () => (await lines(late)).length > 0, WAIT);
				await until('the page opened while down to say so', async () => /^The router is down: \S/.test(await notice(late)), WAIT)
					.catch(async (e) => { throw new Error(`${e.message}; notice: "${await notice(late)}"`); });
				equal(await bpsOf(late, 'rate-rx'), null, 'no current rate from the replay of a router that is down');
			} finally {
				await lateCtx.close();
			}
		} finally {
			await fake.cmd('refuse home off'); // the next checks need the router
		}
		await showsRate(page, RATE.rx, RATE.tx);
		await until('the notice gone', async () => (await notice(page)) === '', WAIT);
		if ((await lines(page)).length <= runs) throw new Error('the line does not break where the router was down');
	});

	await check('tikstatd restarted: the panel reconnects by itself', async () => {
		await daemon.stop();
		await until('the panel to say it reconnects', async () => /Reconnecting/.test(await notice(page)), WAIT);
		equal(await bpsOf(page, 'rate-rx'), null, 'no current rate while disconnected');
		daemon.start();
		await showsRate(page, RATE.rx, RATE.tx);
		await until('the notice gone', async () => (await notice(page)) === '', WAIT);
	});

	await check('closing the last page ends the router stream', async () => {
		await page.close();
		await until('no monitor-traffic stream left on the router', async () => (await monitors()) === 0, WAIT);
	});
} catch (e) {
	checks.broken(e);
} finally {
	await finish(checks, { stack, browser, watch, keep: opt.keep });
}
