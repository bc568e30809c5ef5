// who.js: the routers the "Who" view offers, ranked rows and exact shares,
// sorting, the view's URL state and its words.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseSizes } from '../src/format.js';
import {
	TOP_N, chartLabel, countText, defaultDesc, emptyText, errorText, periodText, shareOf, shareText, sortRows,
	topRows, whoHash, whoRouters, whoRows, whoSelection,
} from '../src/who.js';

const IFACES = [
	{ router: 'home', interface: 'ether1' },
	{ router: 'home', interface: 'AA:BB:CC:DD:EE:01', kind: 'device', name: 'phone' },
	{ router: 'office', interface: 'ether1', kind: 'interface', name: 'ether1' },
	{ router: 'shop', interface: 'guest', kind: 'queue', name: 'guest' },
	{ router: 'shop', interface: 'AA:BB:CC:DD:EE:02', kind: 'device', name: 'till' },
];

// An answer of /api/v1/top as the daemon sends it (sizes as JSON numbers).
function answer(items, total, period = 'cycle') {
	const text = JSON.stringify({
		router: 'home', kind: 'device', period, start: '2026-12-01T00:00:00+01:00', end: '2027-01-01T00:00:00+01:00',
		total: { rx: 0, tx: 0 }, items: [],
	}).replace('"total":{"rx":0,"tx":0}', `"total":{"rx":${total[0]},"tx":${total[1]}}`)
		.replace('"items":[]', `"items":[${items.map((i) => `{"interface":${JSON.stringify(i.interface)},"name":${JSON.stringify(i.name ?? null)},` +
			`"address":${JSON.stringify(i.address ?? null)},"rx":${i.rx},"tx":${i.tx}}`).join(',')}]`);
	return parseSizes(text);
}

test('whoRouters lists only routers with devices or queues, with their kinds in switch order', () => {
	const r = whoRouters(IFACES);
	assert.deepEqual([...r.entries()], [['home', ['device']], ['shop', ['device', 'queue']]]);
	assert.equal(whoRouters([{ router: 'home', interface: 'ether1' }]).size, 0, "today's daemon: no kind, view hidden");
	assert.equal(whoRouters([]).size, 0);
});

test('shareOf is exact on counters beyond 2^53 and 0 of nothing', () => {
	assert.equal(shareOf('1', '4'), 25);
	assert.equal(shareOf('1', '3'), 33.3333333333);
	assert.equal(shareOf('1', '18446744073709551615'), 0, 'below 1e-10 %: rounded down');
	assert.ok(shareOf('31568009626', '553402322211286548480') > 0, '29.4 GiB of 492 PiB is not nothing');
	assert.equal(shareOf('0', '0'), 0);
	// 2^64-1 of (2^64-1)*2: exactly a half, which Numbers would not give for these.
	assert.equal(shareOf('18446744073709551615', '36893488147419103230'), 50);
	assert.equal(shareOf('9007199254740993', '9007199254740993'), 100);
});

test('shareText rounds to one decimal and marks a share too small to show', () => {
	assert.equal(shareText(0), '0.0 %');
	assert.equal(shareText(0.01), '< 0.1 %');
	assert.equal(shareText(12.345), '12.3 %');
	assert.equal(shareText(99.96), '100.0 %');
	assert.equal(shareText(100), '100.0 %');
});

test('whoRows keeps the rank, exact sizes, falls back to the key for a name, shares of the total', () => {
	const a = answer([
		{ interface: 'AA:BB:CC:DD:EE:01', name: 'phone', address: '192.168.88.10', rx: '18446744073709551615', tx: 0 },
		{ interface: 'AA:BB:CC:DD:EE:02', rx: 1, tx: 2 },
	], ['18446744073709551616', '2']);
	const rows = whoRows(a);
	assert.equal(rows.length, 2);
	assert.deepEqual(
		{ ...rows[0], rx: undefined, total: undefined },
		{ key: 'AA:BB:CC:DD:EE:01', name: 'phone', address: '192.168.88.10', rxs: '18446744073709551615', txs: '0',
			totals: '18446744073709551615', rx: undefined, tx: 0, total: undefined, share: 99.9999999999, rank: 1 },
	);
	assert.equal(rows[1].name, 'AA:BB:CC:DD:EE:02', 'no name: the MAC');
	assert.equal(rows[1].address, null);
	assert.equal(rows[1].totals, '3');
	assert.equal(rows[1].rank, 2);
});

test('whoRows: empty items, a zero total, and answers not of the contract', () => {
	assert.deepEqual(whoRows(answer([], [0, 0])), []);
	assert.equal(whoRows(answer([{ interface: 'q', rx: 0, tx: 0 }], [0, 0]))[0].share, 0);
	assert.throws(() => whoRows({ error: 'x' }), /not an answer/);
	assert.throws(() => whoRows(null), /not an answer/);
});

const ROWS = whoRows(answer([
	{ interface: 'm1', name: 'tv', address: '192.168.88.10', rx: 500, tx: 500 },
	{ interface: 'm2', name: 'Laptop', address: '192.168.88.9', rx: 100, tx: 800 },
	{ interface: 'm3', name: 'phone 10', address: null, rx: 700, tx: 0 },
	{ interface: 'm4', name: 'phone 9', address: '10.0.0.1', rx: 700, tx: 0 },
], [2000, 1300]));

test('sortRows sorts every column both ways, ties keep the rank, no address last', () => {
	const keys = (rs) => rs.map((r) => r.key);
	assert.deepEqual(keys(sortRows(ROWS, 'total', true)), ['m1', 'm2', 'm3', 'm4']);
	assert.deepEqual(keys(sortRows(ROWS, 'total', false)), ['m3', 'm4', 'm2', 'm1']);
	assert.deepEqual(keys(sortRows(ROWS, 'share', true)), keys(sortRows(ROWS, 'total', true)));
	assert.deepEqual(keys(sortRows(ROWS, 'rx', true)), ['m3', 'm4', 'm1', 'm2']);
	assert.deepEqual(keys(sortRows(ROWS, 'tx', true)), ['m2', 'm1', 'm3', 'm4']);
	assert.deepEqual(keys(sortRows(ROWS, 'name', false)), ['m2', 'm4', 'm3', 'm1'], 'case-blind, numbers in order');
	assert.deepEqual(keys(sortRows(ROWS, 'address', false)), ['m4', 'm2', 'm1', 'm3'], '10.0.0.1, .9 before .10');
	assert.deepEqual(keys(sortRows(ROWS, 'address', true)), ['m1', 'm2', 'm4', 'm3']);
	assert.deepEqual(keys(ROWS), ['m1', 'm2', 'm3', 'm4'], 'the rows themselves are left in rank order');
	assert.equal(defaultDesc('name'), false);
	assert.equal(defaultDesc('rx'), true);
});

test('sortRows compares sizes exactly beyond 2^53', () => {
	const rows = whoRows(answer([
		{ interface: 'a', rx: '9007199254740993', tx: 0 },
		{ interface: 'b', rx: '9007199254740992', tx: 0 },
	], ['18014398509481985', '0']));
	assert.deepEqual(sortRows(rows, 'rx', false).map((r) => r.key), ['b', 'a']);
});

test('topRows takes the first of the ranking, whatever the table order', () => {
	const many = whoRows(answer(Array.from({ length: 40 }, (_, i) => ({ interface: `k${i}`, rx: 1000 - i, tx: 0 })), [1, 0]));
	assert.equal(topRows(many).length, TOP_N);
	assert.deepEqual(topRows(ROWS, 2).map((r) => r.key), ['m1', 'm2']);
});

test('sorting 1000 rows stays well within a frame budget', () => {
	const items = Array.from({ length: 1000 }, (_, i) => ({ interface: `AA:BB:CC:DD:${String(i >> 8).padStart(2, '0')}:${String(i & 255).padStart(2, '0')}`,
		name: `device ${i}`, address: `192.168.${i >> 8}.${i & 255}`, rx: 1e9 - i * 1000, tx: i * 17 }));
	const a = answer(items, [1e12, 1e9]);
	// Work measured, not asserted against a time (the machine is shared):
	// printed for the report.
	const t0 = performance.now();
	const rows = whoRows(a);
	for (const by of ['name', 'address', 'rx', 'tx', 'total']) sortRows(rows, by, false);
	const ms = performance.now() - t0;
	console.log(`# whoRows + 5 sorts of 1000 rows: ${ms.toFixed(1)} ms`);
	assert.equal(rows.length, 1000);
	assert.equal(sortRows(rows, 'name', false)[1].name, 'device 1');
});

test('whoSelection keeps a valid selection and falls back to the first router, kind, period', () => {
	const r = whoRouters(IFACES);
	const p = (s) => new URLSearchParams(s);
	assert.deepEqual(whoSelection(p('view=who&router=shop&kind=queue&period=today'), r), { router: 'shop', kind: 'queue', period: 'today' });
	assert.deepEqual(whoSelection(p('view=who'), r), { router: 'home', kind: 'device', period: 'cycle' });
	assert.deepEqual(whoSelection(p('router=office&kind=x&period=y'), r), { router: 'home', kind: 'device', period: 'cycle' });
	assert.deepEqual(whoSelection(p('router=home&kind=queue&period=last_cycle'), r), { router: 'home', kind: 'device', period: 'last_cycle' });
	assert.equal(whoSelection(p('view=who'), new Map()), null);
});

test('whoHash writes the selection back into a hash whoSelection reads', () => {
	const sel = { router: 'my home', kind: 'queue', period: 'last_cycle' };
	const h = whoHash(sel);
	assert.equal(h, '#view=who&router=my+home&kind=queue&period=last_cycle');
	const r = new Map([['my home', ['queue']]]);
	assert.deepEqual(whoSelection(new URLSearchParams(h.slice(1)), r), sel);
});

test("periodText names a cycle's days and today's date on the zone's clock", () => {
	assert.equal(periodText({ period: 'cycle', start: '2026-12-01T00:00:00+01:00', end: '2027-01-01T00:00:00+01:00' }), '1 Dec – 31 Dec 2026');
	assert.equal(periodText({ period: 'last_cycle', start: '2026-11-15T00:00:00+01:00', end: '2026-12-15T00:00:00+01:00' }), '15 Nov – 14 Dec 2026');
	assert.equal(periodText({ period: 'today', start: '2026-12-06T00:00:00-10:00', end: '2026-12-07T00:00:00-10:00' }), 'Sun 6 Dec 2026');
	assert.equal(periodText({ period: 'cycle' }), '');
});

test('the words: empty state says what to enable, errors, counts, the chart label', () => {
	assert.match(emptyText('home', 'device'), /home.*kid-control.*\/ip kid-control device/);
	assert.match(emptyText('home', 'queue'), /simple queues.*queues/);
	assert.equal(errorText({ status: 400, message: 'bad kind' }), 'Could not load: bad kind (HTTP 400).');
	assert.match(errorText({ status: 404, message: 'no router x' }), /^Not found: no router x\./);
	assert.equal(countText(ROWS, 'device', '3300'), '4 devices, 3.22 KiB in all');
	assert.equal(countText(ROWS.slice(0, 1), 'queue', '1000'), '1 queue, 1000 B in all');
	assert.match(chartLabel(ROWS, 'device', '3300'), /^Top 4 devices by traffic, of 3.22 KiB in all; highest tv with 1000 B \(30.3 %\)/);
	assert.equal(chartLabel([], 'queue', '0'), 'Top queues: none');
});
