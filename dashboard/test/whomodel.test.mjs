// whomodel.js (and api.js under it) against a fake fetch: the "Who" view's
// states (loading, ready, empty, HTTP error, unreachable, malformed
// answer), the request it makes, late answers dropped, a refresh keeping
// the rows, sorting.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { apiClient } from '../src/api.js';
import { WhoModel } from '../src/whomodel.js';

const SEL = { router: 'home', kind: 'device', period: 'cycle' };

const BODY = '{"router":"home","kind":"device","period":"cycle","start":"2026-12-01T00:00:00+01:00",' +
	'"end":"2027-01-01T00:00:00+01:00","total":{"rx":18446744073709551615,"tx":30},"items":[' +
	'{"interface":"AA:BB:CC:DD:EE:01","name":"tv","address":"192.168.88.10","rx":18446744073709551600,"tx":10},' +
	'{"interface":"AA:BB:CC:DD:EE:02","name":"phone","address":null,"rx":15,"tx":20}]}';
const EMPTY = '{"router":"home","kind":"queue","period":"today","start":"2026-12-06T00:00:00+01:00",' +
	'"end":"2026-12-07T00:00:00+01:00","total":{"rx":0,"tx":0},"items":[]}';

// A fetch answering from a queue; each answer { status, body } or 'down'
// (a network error); deferred answers wait for release().
function fakeFetch() {
	const f = { urls: [], queue: [] };
	f.fetch = (url) => {
		f.urls.push(url);
		const a = f.queue.shift();
		const answer = () => {
			if (a === 'down' || !a) throw new TypeError('Failed to fetch');
			return { ok: a.status >= 200 && a.status < 300, status: a.status, statusText: 'status text', text: async () => a.body };
		};
		if (a && a.wait) return a.wait.then(answer);
		return Promise.resolve().then(answer);
	};
	return f;
}

function model(f) {
	const views = [];
	const m = new WhoModel(apiClient(f.fetch), (v) => views.push(v));
	return { m, views, states: () => views.map((v) => v.state) };
}

test('a selection asks /api/v1/top for it and shows ranked rows with exact sizes', async () => {
	const f = fakeFetch();
	f.queue.push({ status: 200, body: BODY });
	const { m, views, states } = model(f);
	await m.select(SEL);
	assert.deepEqual(f.urls, ['/api/v1/top?router=home&kind=device&period=cycle']);
	assert.deepEqual(states(), ['loading', 'ready']);
	const v = views.at(-1);
	assert.deepEqual(v.rows.map((r) => [r.key, r.name, r.rxs, r.txs, r.totals]), [
		['AA:BB:CC:DD:EE:01', 'tv', '18446744073709551600', '10', '18446744073709551610'],
		['AA:BB:CC:DD:EE:02', 'phone', '15', '20', '35'],
	]);
	assert.equal(v.answer.total.rx, '18446744073709551615');
	assert.deepEqual(v.top.map((r) => r.key), v.rows.map((r) => r.key));
	assert.equal(v.error, null);
});

test('a router with none of the kind is the empty state', async () => {
	const f = fakeFetch();
	f.queue.push({ status: 200, body: EMPTY });
	const { m, views, states } = model(f);
	await m.select({ router: 'home', kind: 'queue', period: 'today' });
	assert.deepEqual(states(), ['loading', 'empty']);
	assert.deepEqual(views.at(-1).rows, []);
	assert.equal(views.at(-1).answer.period, 'today');
});

test("an HTTP error is the error state with the daemon's message and status", async () => {
	const f = fakeFetch();
	f.queue.push({ status: 404, body: '{"error":"unknown router: home"}' });
	f.queue.push({ status: 400, body: 'not json' });
	const { m, views, states } = model(f);
	await m.select(SEL);
	assert.deepEqual(states(), ['loading', 'error']);
	assert.deepEqual([views.at(-1).error.status, views.at(-1).error.message], [404, 'unknown router: home']);
	await m.select({ ...SEL, kind: 'bogus' });
	assert.deepEqual([views.at(-1).state, views.at(-1).error.status, views.at(-1).error.message], ['error', 400, 'status text']);
});

test('an answer not of the contract is an error, not a crash', async () => {
	const f = fakeFetch();
	f.queue.push({ status: 200, body: '{"points":[]}' });
	const { m, views } = model(f);
	await m.select(SEL);
	assert.equal(views.at(-1).state, 'error');
	assert.match(views.at(-1).error.message, /not an answer/);
});

test('the daemon unreachable: the state says so, the rows shown stay, the next answer clears it', async () => {
	const f = fakeFetch();
	f.queue.push({ status: 200, body: BODY }, 'down', { status: 200, body: BODY });
	const { m, views, states } = model(f);
	await m.select(SEL);
	await m.load();
	assert.equal(views.at(-1).state, 'unreachable');
	assert.equal(views.at(-1).rows.length, 2, 'the figures shown stay, marked out of date by the page');
	assert.match(views.at(-1).error.message, /Failed to fetch/);
	await m.load();
	assert.deepEqual(states(), ['loading', 'ready', 'unreachable', 'ready']);
	assert.equal(views.at(-1).error, null);
});

test('unreachable before anything was shown: no rows', async () => {
	const f = fakeFetch();
	f.queue.push('down');
	const { m, views, states } = model(f);
	await m.select(SEL);
	assert.deepEqual(states(), ['loading', 'unreachable']);
	assert.deepEqual(views.at(-1).rows, []);
});

test('a refresh of the same selection keeps the rows meanwhile; a new selection clears them', async () => {
	const f = fakeFetch();
	f.queue.push({ status: 200, body: BODY }, { status: 200, body: BODY }, { status: 200, body: EMPTY });
	const { m, states } = model(f);
	await m.select(SEL);
	await m.select(SEL);
	assert.deepEqual(states(), ['loading', 'ready', 'ready'], 'no loading state for a refresh');
	await m.select({ ...SEL, period: 'today' });
	assert.deepEqual(states().slice(3), ['loading', 'empty']);
	assert.equal(f.urls.at(-1), '/api/v1/top?router=home&kind=device&period=today');
});

test('a late answer of a previous selection is dropped', async () => {
	const f = fakeFetch();
	let release;
	f.queue.push({ status: 200, body: BODY, wait: new Promise((r) => { release = r; }) });
	f.queue.push({ status: 200, body: EMPTY });
	const { m, views, states } = model(f);
	const slow = m.select(SEL);
	await m.select({ router: 'home', kind: 'queue', period: 'today' });
	release();
	await slow;
	assert.deepEqual(states(), ['loading', 'loading', 'empty'], 'the first answer came last and was not shown');
	assert.equal(views.at(-1).sel.kind, 'queue');
});

test('sortBy orders the table, again turns it round; the chart keeps the ranking', async () => {
	const f = fakeFetch();
	f.queue.push({ status: 200, body: BODY });
	const { m, views } = model(f);
	await m.select(SEL);
	m.sortBy('name');
	assert.deepEqual(views.at(-1).sort, { by: 'name', desc: false });
	assert.deepEqual(views.at(-1).rows.map((r) => r.name), ['phone', 'tv']);
	assert.deepEqual(views.at(-1).top.map((r) => r.name), ['tv', 'phone']);
	m.sortBy('name');
	assert.deepEqual(views.at(-1).rows.map((r) => r.name), ['tv', 'phone']);
	m.sortBy('tx');
	assert.deepEqual(views.at(-1).sort, { by: 'tx', desc: true });
	assert.deepEqual(views.at(-1).rows.map((r) => r.name), ['phone', 'tv']);
});

test('load before any selection does nothing', async () => {
	const f = fakeFetch();
	const { m, views } = model(f);
	await m.load();
	assert.deepEqual([f.urls, views], [[], []]);
});
