#!/usr/bin/env node
// The dashboard's "Who" view in a real browser against tikstatd polling
// the fake router's 500 kid-control devices and 20 simple queues (issue
// 12). Checks, each printed as a sentence:
//   - the view's tab appears because /api/v1/interfaces lists devices;
//   - the devices of this cycle are ranked exactly as /api/v1/top ranks
//     them, every row's download and upload to the byte, and those bytes
//     are what the fake router counted (rx = download = bytes-down);
//   - the queue switch ranks the queues the same way;
//   - a row opens the device's own charts, whose series sums to its bytes;
//   - no page error, no request leaves the daemon.
// Prints the time the page takes to draw the 500 rows (a figure, not an
// assertion). Screenshot who-devices.png in --out.
//
// Usage: node test_who.mjs --tikstatd BIN --tikstat BIN --fakerouter BIN --out DIR
//        [--chromium /usr/bin/chromium] [--keep]
import { join } from 'node:path';
import { Checks, PageWatch, deviceMac as mac, equal, finish, launchChromium, sleep, startStack, testOptions, until } from './harness.mjs';

const opt = testOptions('test_who.mjs');
const checks = new Checks();
const check = (name, fn) => checks.check(name, fn);
const DEVICES = 500;
const QUEUES = 20;
const WAIT = 60000;

// Bytes added to device i and queue i: distinct, so the ranking is strict.
const devBytes = (i) => ({ up: 1000 + 7 * i, down: 100000 + 1013 * i });
const queueBytes = (i) => ({ up: 300 + 11 * i, down: 70000 + 997 * i });

let stack = null;
let browser = null;
let watch = null;
try {
	stack = await startStack(opt, { queues: QUEUES, devices: DEVICES });
	const { base, fake, get } = stack;
	// Growth stopped before tikstatd started: only the bytes added count.
	const tracked = async (kind, n) => (await get(`/api/v1/interfaces?router=home&kind=${kind}`))
		.filter((x) => x.last_reading).length === n;
	await until(`${DEVICES} devices and ${QUEUES} queues read`, async () =>
		(await tracked('device', DEVICES)) && (await tracked('queue', QUEUES)), WAIT);
	await sleep(2500); // a poll or two past the baselines
	const before = Object.fromEntries((await get('/api/v1/interfaces?router=home')).map((x) => [x.interface, x]));
	for (let i = 0; i < DEVICES; i++) await fake.cmd(`device home bytes ${mac(i)} ${devBytes(i).up} ${devBytes(i).down}`);
	for (let i = 0; i < QUEUES; i++) await fake.cmd(`queue home bytes queue${i + 1} ${queueBytes(i).up} ${queueBytes(i).down}`);
	const seen = {};
	const grown = (key, b) => async () => {
		const now = Object.fromEntries((await get('/api/v1/interfaces?router=home')).map((x) => [x.interface, x]));
		seen[key] = ['rx_total', 'tx_total'].map((f) => BigInt(now[key][f]) - BigInt(before[key][f]));
		return seen[key][0] === BigInt(b.down) && seen[key][1] === BigInt(b.up);
	};
	await until('the last device and queue counted', async () =>
		(await grown(mac(DEVICES - 1), devBytes(DEVICES - 1))()) && (await grown(`queue${QUEUES}`, queueBytes(QUEUES - 1))()), WAIT)
		.catch((e) => {
			throw new Error(`${e.message}: grown by ${JSON.stringify(seen, (_, v) => (typeof v === 'bigint' ? `${v}` : v))}`);
		});

	// The ranking reads the database: wait for the commit of those readings
	// (the status table above has them before), or the page and a later
	// request of the test could straddle it.
	const inRanking = async (kind, key, b) => (await get(`/api/v1/top?router=home&kind=${kind}&period=cycle`)).items
		.some((x) => x.interface === key && BigInt(x.rx) === BigInt(b.down) && BigInt(x.tx) === BigInt(b.up));
	await until('the bytes committed', async () => (await inRanking('device', mac(DEVICES - 1), devBytes(DEVICES - 1))) &&
		(await inRanking('queue', `queue${QUEUES}`, queueBytes(QUEUES - 1))), WAIT);

	browser = await launchChromium(opt.chromium);
	watch = new PageWatch(base);
	const { page } = await watch.open(browser, '/#router=home&interface=ether1');
	const rows = () => page.$$eval('#who-table tbody tr', (t) => t.map((r) => [r.dataset.key, r.dataset.rx, r.dataset.tx]));
	const ranked = async (kind) => (await get(`/api/v1/top?router=home&kind=${kind}&period=cycle`)).items
		.map((x) => [x.interface, `${x.rx}`, `${x.tx}`]);

	await check('the Who tab appears: the router has devices', async () => {
		await page.waitForSelector('#tab-who', { state: 'visible', timeout: WAIT });
	});

	let drawMs = null;
	await check(`${DEVICES} devices ranked as /api/v1/top ranks them, the fake router's bytes to the byte`, async () => {
		await page.goto(`${base}/#view=who&router=home&kind=device&period=cycle`);
		await until(`${DEVICES} rows`, async () => (await rows()).length === DEVICES, WAIT);
		const want = await ranked('device');
		equal(await rows(), want, 'rows');
		// The most downloaded is the last device: 100000 + 1013 * 499 bytes down.
		equal(want[0], [mac(DEVICES - 1), `${devBytes(DEVICES - 1).down}`, `${devBytes(DEVICES - 1).up}`], 'the first row');
		drawMs = await page.evaluate(() => performance.getEntriesByName('tikstat-who-draw').at(-1)?.duration ?? null);
		if (opt.out) await page.screenshot({ path: join(opt.out, 'who-devices.png') });
	});

	await check(`the queue switch ranks the ${QUEUES} queues the same way`, async () => {
		await page.click('#who-kind button[data-kind="queue"]');
		await until(`${QUEUES} rows`, async () => (await rows()).length === QUEUES, WAIT);
		const want = await ranked('queue');
		equal(await rows(), want, 'rows');
		equal(want[0], [`queue${QUEUES}`, `${queueBytes(QUEUES - 1).down}`, `${queueBytes(QUEUES - 1).up}`], 'the first row');
	});

	await check("a device's row opens its own charts, whose series sums to its bytes", async () => {
		await page.click('#who-kind button[data-kind="device"]');
		await until(`${DEVICES} rows`, async () => (await rows()).length === DEVICES, WAIT);
		await page.click(`#who-table tr[data-key="${mac(7)}"] .col-total`);
		await until('the traffic view of the device', async () =>
			decodeURIComponent(await page.evaluate(() => location.hash)).includes(`interface=${mac(7)}`), WAIT);
		equal(await page.inputValue('#interface'), mac(7), 'interface selected');
		const series = await get(`/api/v1/traffic?router=home&interface=${encodeURIComponent(mac(7))}&step=day`);
		const sum = series.points.reduce((a, p) => [a[0] + BigInt(p.rx), a[1] + BigInt(p.tx)], [0n, 0n]);
		equal(sum.map(String), [`${devBytes(7).down}`, `${devBytes(7).up}`], 'its day series');
	});
	if (drawMs !== null) console.log(`# figure: ${DEVICES} device rows drawn in ${drawMs.toFixed(0)} ms`);
} catch (e) {
	await checks.check('the test ran to its end', () => { throw e; });
} finally {
	await finish(checks, { stack, browser, watch, keep: opt.keep });
}
