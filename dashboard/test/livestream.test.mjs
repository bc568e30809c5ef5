// livestream.js: the EventSource wrapper against fake browser objects:
// events passed on, back-off (doubling, capped, reset once events flow),
// a refusal found by fetch or said by an "error" event ends it, the viewer
// cap's 503 (and any 5xx) is waited out, stop() silences everything.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LiveStream, MAX_DELAY, MIN_DELAY, retryAfterMs } from '../src/livestream.js';

// The fake browser: EventSources created, timers and fetch answers queued.
function fakeEnv(answers = []) {
	const env = { sources: [], timers: [], fetches: [] };
	env.EventSource = class {
		constructor(url) {
			this.url = url;
			this.listeners = {};
			this.closed = false;
			env.sources.push(this);
		}
		addEventListener(type, f) {
			(this.listeners[type] ??= []).push(f);
		}
		emit(type, ev = {}) {
			for (const f of this.listeners[type] ?? []) f(ev);
		}
		close() {
			this.closed = true;
		}
	};
	env.AbortController = class {
		constructor() {
			this.signal = { aborted: false };
		}
		abort() {
			this.signal.aborted = true;
		}
	};
	env.fetch = async (url, opt) => {
		env.fetches.push({ url, opt });
		const a = answers.shift();
		if (!a) throw new TypeError('network error');
		const headers = { get: (k) => a.headers?.[k] ?? null };
		return { ok: a.status === 200, status: a.status, headers, text: async () => a.body ?? '' };
	};
	env.setTimeout = (f, ms) => env.timers.push({ f, ms }) - 1;
	env.clearTimeout = (id) => {
		env.timers[id] = null;
	};
	env.fire = async () => {
		const t = env.timers.findLast((x) => x);
		env.timers[env.timers.indexOf(t)] = null;
		t.f();
		await new Promise((r) => setImmediate(r)); // fetch's promise chain
	};
	return env;
}

function recorder() {
	const log = [];
	return {
		log,
		on: {
			sample: (d) => log.push(['sample', d]),
			status: (d) => log.push(['status', d]),
			refused: (r) => log.push(['refused', r]),
			state: (s, ms, why) => log.push(ms === undefined ? ['state', s] : why ? ['state', s, ms, why] : ['state', s, ms]),
		},
	};
}

const URL = '/api/v1/live?router=home&interface=ether1';

// start() asks with fetch first; a 200 opens the EventSource.
async function started(env, r) {
	const ls = new LiveStream(URL, r.on, env);
	ls.start();
	await new Promise((res) => setImmediate(res));
	assert.equal(env.sources.length, 1, 'the first answer was a 200: the stream is opened');
	return ls;
}

test('the first answer decides: a 404 (no live endpoint) is a refusal, no EventSource', async () => {
	const env = fakeEnv([{ status: 404, body: '{"error":"not found"}' }]);
	const r = recorder();
	new LiveStream(URL, r.on, env).start();
	await new Promise((res) => setImmediate(res));
	assert.equal(env.sources.length, 0);
	assert.deepEqual(r.log, [['state', 'connecting'], ['refused', { status: 404, error: 'not found' }], ['state', 'closed']]);
});

test('samples and status events are passed on', async () => {
	const env = fakeEnv([{ status: 200 }]);
	const r = recorder();
	await started(env, r);
	const es = env.sources[0];
	assert.equal(es.url, URL);
	es.emit('open');
	es.emit('message', { data: '{"time":"t","rx_bps":1,"tx_bps":2}' });
	es.emit('status', { data: '{"state":"down"}' });
	assert.deepEqual(r.log, [['state', 'connecting'], ['state', 'connecting'], ['state', 'open'],
		['sample', '{"time":"t","rx_bps":1,"tx_bps":2}'], ['status', '{"state":"down"}']]);
});

test('a lost stream is opened again with back-off, reset once events flow', async () => {
	const env = fakeEnv([{ status: 200 }]);
	const r = recorder();
	await started(env, r);
	env.sources[0].emit('open');
	env.sources[0].emit('error', {}); // lost after it was open: no probe
	assert.equal(env.sources[0].closed, true);
	assert.equal(env.timers.at(-1).ms, MIN_DELAY);
	await env.fire();
	assert.equal(env.sources.length, 2);
	assert.equal(env.fetches.length, 1, 'lost after it was open: opened again without asking');
	env.sources[1].emit('open');
	env.sources[1].emit('error', {});
	assert.equal(env.timers.at(-1).ms, 2 * MIN_DELAY);
	await env.fire();
	env.sources[2].emit('open');
	env.sources[2].emit('message', { data: '{}' });
	env.sources[2].emit('error', {});
	assert.equal(env.timers.at(-1).ms, MIN_DELAY, 'events flowed: back to the shortest wait');
});

test('a daemon that does not answer is retried, the wait doubling up to the cap', async () => {
	const env = fakeEnv([{ status: 200 }]); // then every fetch fails
	const r = recorder();
	await started(env, r);
	env.sources[0].emit('error', {}); // never opened
	const waits = [];
	for (let i = 0; i < 8; i++) {
		waits.push(env.timers.at(-1).ms);
		await env.fire();
	}
	assert.deepEqual(waits, [1000, 2000, 4000, 8000, 16000, MAX_DELAY, MAX_DELAY, MAX_DELAY]);
	assert.equal(env.sources.length, 1, 'no EventSource until an answer is a 200');
	assert.equal(env.fetches[0].opt.headers.Accept, 'text/event-stream');
});

test('a failure that never opened asks why: 200 opens again, 404 is a refusal', async () => {
	const env = fakeEnv([{ status: 200 }, { status: 200 }, { status: 404, body: '{"error":"unknown interface \\"ether9\\""}' }]);
	const r = recorder();
	await started(env, r);
	env.sources[0].emit('error', {});
	await env.fire();
	assert.equal(env.fetches.length, 2);
	assert.equal(env.fetches[1].opt.signal.aborted, true, 'the 200 body is not read');
	assert.equal(env.sources.length, 2);
	env.sources[1].emit('error', {});
	await env.fire();
	assert.deepEqual(r.log.filter((e) => e[0] === 'refused'), [['refused', { status: 404, error: 'unknown interface "ether9"' }]]);
	assert.equal(r.log.at(-1)[1], 'closed');
	assert.equal(env.timers.filter((x) => x).length, 0, 'no retry after a refusal');
});

test('an error event from the daemon ends the stream without retrying', async () => {
	const env = fakeEnv([{ status: 200 }]);
	const r = recorder();
	await started(env, r);
	env.sources[0].emit('open');
	env.sources[0].emit('error', { data: '{"error":"too many live viewers"}' });
	assert.equal(env.sources[0].closed, true);
	assert.deepEqual(r.log.at(-2), ['refused', { status: 0, error: 'too many live viewers' }]);
	assert.equal(env.timers.length, 0);
});

test('stop closes, cancels the retry and silences late events', async () => {
	const env = fakeEnv([{ status: 200 }, { status: 200 }]);
	const r = recorder();
	const ls = await started(env, r);
	const es = env.sources[0];
	es.emit('open');
	es.emit('error', {});
	ls.stop();
	assert.equal(env.timers.filter((x) => x).length, 0);
	es.emit('message', { data: 'late' });
	assert.equal(r.log.some((e) => e[1] === 'late'), false);
	assert.equal(env.sources.length, 1);
	ls.start(); // and it can start again
	await new Promise((res) => setImmediate(res));
	assert.equal(env.sources.length, 2);
});

test('the viewer cap (503) is waited out, at least Retry-After, then the stream opens', async () => {
	const cap = { status: 503, headers: { 'Retry-After': '5' }, body: '{"error":"too many live viewers"}' };
	const env = fakeEnv([cap, { status: 500, body: 'oops' }, { status: 503, headers: { 'Retry-After': '600' } }, { status: 200 }]);
	const r = recorder();
	new LiveStream(URL, r.on, env).start();
	await new Promise((res) => setImmediate(res));
	assert.equal(env.sources.length, 0);
	assert.deepEqual(r.log.at(-1), ['state', 'retrying', 5000, 'too many live viewers']);
	await env.fire();
	assert.deepEqual(r.log.at(-1), ['state', 'retrying', 2 * MIN_DELAY], 'a 500 without a JSON error: the back-off');
	await env.fire();
	assert.deepEqual(r.log.at(-1), ['state', 'retrying', MAX_DELAY], 'Retry-After within the cap');
	await env.fire();
	assert.equal(env.sources.length, 1, 'the cap passed: the stream opens');
	assert.equal(r.log.some((e) => e[0] === 'refused'), false, 'a 5xx is never a refusal');
});

test('retryAfterMs reads delay-seconds only', () => {
	const h = (v) => ({ get: (k) => (k === 'Retry-After' ? v : null) });
	assert.equal(retryAfterMs(h('2')), 2000);
	assert.equal(retryAfterMs(h(' 30 ')), 30000);
	assert.equal(retryAfterMs(h(null)), 0);
	assert.equal(retryAfterMs(h('Wed, 21 Oct 2026 07:28:00 GMT')), 0);
	assert.equal(retryAfterMs(h('-1')), 0);
	assert.equal(retryAfterMs(undefined), 0);
});
