// live.js: the events parsed, the rolling window (5 minutes, gaps, replay
// not doubled, current and peak, down and up), the line paths, rates,
// labels and the Now panel's notices.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
	GAP_MS, LiveWindow, bps, linePath, liveLabel, minuteTicks, parseEventData, parseSample, reasonOf, refusalNotice,
	statusNotice,
} from '../src/live.js';

const T0 = Date.parse('2026-12-06T18:00:00Z');
const at = (s, rx = 1000, tx = 2000) => ({ t: T0 + s * 1000, rx, tx });

test('parseSample reads the per-second event and refuses anything else', () => {
	assert.deepEqual(parseSample('{"time":"2026-12-06T18:00:01Z","rx_bps":123,"tx_bps":456}'),
		{ t: T0 + 1000, rx: 123, tx: 456 });
	for (const bad of ['', 'nope', '[]', 'null', '{"time":"x","rx_bps":1,"tx_bps":1}',
		'{"time":"2026-12-06T18:00:01Z","rx_bps":-1,"tx_bps":1}',
		'{"time":"2026-12-06T18:00:01Z","rx_bps":"1","tx_bps":1}',
		'{"time":"2026-12-06T18:00:01Z","tx_bps":1}']) {
		assert.equal(parseSample(bad), null, bad);
	}
	assert.deepEqual(parseEventData('{"state":"down","reason":"timeout"}'), { state: 'down', reason: 'timeout' });
	assert.deepEqual(parseEventData('oops'), {});
	assert.deepEqual(parseEventData('7'), {});
});

test('bps writes decimal bit rates with three significant digits', () => {
	assert.equal(bps(0), '0 bit/s');
	assert.equal(bps(999), '999 bit/s');
	assert.equal(bps(1000), '1 kbit/s');
	assert.equal(bps(123456), '123 kbit/s');
	assert.equal(bps(1234567), '1.23 Mbit/s');
	assert.equal(bps(999600), '1 Mbit/s');
	assert.equal(bps(45.6e9), '45.6 Gbit/s');
});

test('the window keeps 5 minutes ending at the newest sample', () => {
	const w = new LiveWindow();
	assert.equal(w.current, null);
	for (let s = 0; s <= 400; s++) w.add(at(s, s * 10, 1));
	assert.equal(w.samples.length, 301);
	assert.equal(w.samples[0].t, at(100).t);
	assert.deepEqual(w.extent, [at(100).t, at(400).t]);
	assert.deepEqual(w.current, { ...at(400, 4000, 1), gap: false });
	assert.deepEqual(w.peak, { rx: 4000, tx: 1 });
	assert.equal(w.segments().length, 1, 'the trimmed start is not a gap of its own');
});

test('peak is of the window only: an old burst leaves it', () => {
	const w = new LiveWindow(10);
	w.add(at(0, 9e9, 9e9));
	for (let s = 1; s <= 11; s++) w.add(at(s, 5, 6));
	assert.deepEqual(w.peak, { rx: 5, tx: 6 });
});

test('a replay after a reconnection is not counted twice and leaves no gap', () => {
	const w = new LiveWindow();
	for (let s = 0; s < 10; s++) w.add(at(s));
	w.down('connection lost');
	assert.equal(w.current, null);
	let added = 0;
	for (let s = 0; s < 15; s++) added += w.add(at(s)) ? 1 : 0; // the replayed minute, then new
	assert.equal(added, 5);
	assert.equal(w.samples.length, 15);
	assert.equal(w.segments().length, 1, 'the replay filled the outage');
	assert.notEqual(w.current, null);
});

test('a router down, or missing seconds, break the line', () => {
	const w = new LiveWindow();
	w.add(at(0));
	w.add(at(1));
	w.down('timed out');
	assert.equal(w.reason, 'timed out');
	assert.equal(w.current, null);
	w.add(at(2)); // back: a new line even a second later
	w.add(at(3));
	w.add(at(3 + GAP_MS / 1000 + 1)); // seconds missing
	const runs = w.segments();
	assert.deepEqual(runs.map((r) => r.length), [2, 2, 1]);
	assert.equal(w.reason, '');
});

test('linePath draws a run, and a lone second as a short stroke', () => {
	const x = (t) => (t - T0) / 1000;
	const y = (v) => 100 - v / 10;
	assert.equal(linePath([at(0, 100), at(1, 200), at(2, 1000)], 'rx', x, y), 'M0,90L1,80L2,0');
	assert.equal(linePath([at(5, 0, 500)], 'tx', x, y), 'M4,50L6,50');
	assert.equal(linePath([], 'rx', x, y), '');
});

test('minuteTicks label minutes back from the newest sample', () => {
	const t = minuteTicks([at(0).t, at(300).t]);
	assert.deepEqual([...t.values()], ['now', '-1 min', '-2 min', '-3 min', '-4 min', '-5 min']);
	assert.equal(t.get(at(300).t), 'now');
	assert.deepEqual([...minuteTicks([at(0).t, at(300).t], 2).values()], ['now', '-2 min', '-4 min']);
});

test('liveLabel says now, down and peak', () => {
	const w = new LiveWindow();
	assert.match(liveLabel(w, 'ether1'), /no data/);
	w.add(at(0, 2e6, 3e3));
	assert.equal(liveLabel(w, 'ether1'),
		'ether1, last 5 minutes: now download 2 Mbit/s, upload 3 kbit/s; peak download 2 Mbit/s, upload 3 kbit/s');
	w.down('timed out');
	assert.match(liveLabel(w, 'ether1'), /down: timed out/);
});

test('a status "down" gives the reason, "up" clears it; current waits for the next sample', () => {
	const w = new LiveWindow();
	w.add(at(0));
	const down = { state: 'down', reason: 'connection refused' };
	assert.equal(statusNotice(down), 'The router is down: connection refused');
	w.routerDown(reasonOf(down));
	assert.match(liveLabel(w, 'x'), /down: connection refused/);
	assert.equal(statusNotice({ state: 'up' }), '');
	w.up();
	assert.equal(w.reason, '');
	assert.equal(w.current, null, 'no current rate before a sample after the outage');
	assert.match(liveLabel(w, 'x'), /no data/);
	w.add(at(5));
	assert.deepEqual(w.segments().map((r) => r.length), [1, 1], 'the line starts anew after the outage');
	assert.equal(statusNotice({ state: 'sideways' }), null, 'an unknown state changes nothing');
	assert.equal(statusNotice({}), null);
	assert.equal(reasonOf({ state: 'down' }), 'no reason given');
	assert.equal(reasonOf({ state: 'down', reason: 7 }), 'no reason given');
});

test('refusalNotice: a 404 before any sample keeps the panel hidden, anything else is said', () => {
	assert.equal(refusalNotice({ status: 404, error: 'not found' }, false), null);
	assert.equal(refusalNotice({ status: 404, error: 'unknown interface "ether9"' }, true),
		'No live rate: unknown interface "ether9".');
	assert.equal(refusalNotice({ status: 409, error: 'router home is in push mode: no API session' }, false),
		'No live rate: router home is in push mode: no API session.');
	assert.equal(refusalNotice({ status: 0, error: 'too many live viewers' }, true), 'No live rate: too many live viewers.');
	assert.equal(refusalNotice({ status: 403, error: '' }, false), 'No live rate: HTTP 403.');
});

test('tick rolls the window on while no sample comes; the next sample takes over', () => {
	const w = new LiveWindow(10);
	for (let s = 0; s <= 5; s++) w.add(at(s));
	w.down('timed out');
	assert.equal(w.tick(at(5).t), false, 'not past the newest sample');
	assert.equal(w.tick(at(12).t), true);
	assert.deepEqual(w.extent, [at(2).t, at(12).t], '"now" is now, not the last sample');
	assert.deepEqual(w.samples.map((x) => x.t), [2, 3, 4, 5].map((s) => at(s).t), 'older than the span: gone');
	assert.equal(w.tick(at(11).t), false, 'time does not go back');
	w.add(at(13));
	assert.deepEqual(w.extent, [at(3).t, at(13).t]);
	assert.deepEqual(w.segments().map((r) => r.length), [3, 1], 'the outage is a gap');
	w.down('timed out');
	w.tick(at(30).t);
	assert.equal(w.samples.length, 0, 'a long outage empties the window');
	assert.equal(w.tick(at(31).t), false, 'an empty window stays');
	assert.equal(new LiveWindow().tick(at(1).t), false);
});

test('joining while the router is down: the replayed minute is history until "up"', () => {
	const w = new LiveWindow();
	w.routerDown('timed out'); // tikstatd tells a new viewer at once, then replays
	for (let s = 0; s < 5; s++) assert.equal(w.add(at(s)), true);
	assert.equal(w.current, null, 'no current rate from the replay of a router that is down');
	assert.equal(w.isDown, true);
	assert.equal(w.reason, 'timed out');
	assert.match(liveLabel(w, 'x'), /down: timed out/);
	assert.equal(w.segments().length, 1, 'the replay is one line');
	w.up(); // sent before the first sample after the outage
	assert.equal(w.current, null, 'still none before a live sample');
	w.add(at(60));
	assert.deepEqual(w.current, { ...at(60), gap: true });
	assert.deepEqual(w.segments().map((r) => r.length), [5, 1]);
});

test('a lost connection forgets the router\'s outage: the next connection is told again', () => {
	const w = new LiveWindow();
	w.routerDown('timed out');
	w.add(at(0));
	w.down('connection lost'); // a new connection, the router up meanwhile: no "up" comes
	w.add(at(0)); // the replay
	w.add(at(1));
	assert.deepEqual(w.current, { ...at(1), gap: false });
	assert.equal(w.reason, '');
});
