// LiveStream: an EventSource on tikstatd's live endpoint that comes back
// by itself. The event format is in live.js.
//
// EventSource retries a dropped connection on its own, but gives up for
// good on an answer that is not a 200 event stream, and cannot tell why.
// So the wrapper does its own retrying with back-off (1 s doubling to 30 s,
// back to 1 s once events flow) and, before the first stream and before
// opening one again after a failure that never opened, asks once with
// fetch (an EventSource refused would also log a console error): an HTTP
// refusal (4xx with the API's JSON error body) is reported and ends it, as
// does an "error" event from the daemon. A lost connection is retried, and
// so is a 5xx: the viewer cap's 503 passes when other viewers leave (its
// Retry-After is waited at least, within the 30 s cap), a 500 may be
// passing too. The browser's objects (EventSource, fetch, AbortController,
// timers) are passed in by tests.

export const MIN_DELAY = 1000;
export const MAX_DELAY = 30000;

export class LiveStream {
	// url: the endpoint with its query. on: {sample(data), status(data),
	// refused({status, error}), state(s, ms, why)}: data is the event's
	// text; s is 'connecting', 'open', 'retrying' (ms: the delay; why: the
	// daemon's error when it answered 5xx, else '') or 'closed'. env:
	// {EventSource, fetch, AbortController, setTimeout, clearTimeout}, the
	// browser's by default.
	constructor(url, on, env = globalThis) {
		this.url = url;
		this.on = on;
		this.env = env;
		this.es = null;
		this.timer = null;
		this.delay = MIN_DELAY;
		this.opened = false; // the current EventSource delivered its open
		this.stopped = true;
	}

	start() {
		if (!this.stopped) return;
		this.stopped = false;
		this.delay = MIN_DELAY;
		this.on.state('connecting');
		this.probe();
	}

	// Closes the stream and cancels any retry: nothing is called after.
	stop() {
		this.stopped = true;
		this.drop();
		if (this.timer !== null) this.env.clearTimeout(this.timer);
		this.timer = null;
		this.on.state('closed');
	}

	drop() {
		if (this.es) this.es.close();
		this.es = null;
	}

	open() {
		this.on.state('connecting');
		this.opened = false;
		const es = new this.env.EventSource(this.url);
		this.es = es;
		const mine = (f) => (ev) => {
			if (this.es === es && !this.stopped) f(ev);
		};
		es.addEventListener('open', mine(() => {
			this.opened = true;
			this.on.state('open');
		}));
		es.addEventListener('message', mine((ev) => {
			this.delay = MIN_DELAY; // events flow: the next failure retries soon
			this.on.sample(ev.data);
		}));
		es.addEventListener('status', mine((ev) => this.on.status(ev.data)));
		// "error" is both the daemon's named event (with data: a refusal)
		// and EventSource's own (no data: the connection failed).
		es.addEventListener('error', mine((ev) => {
			if (typeof ev.data === 'string') this.refuse(0, ev.data);
			else this.failed();
		}));
	}

	refuse(status, data) {
		this.drop();
		this.stopped = true;
		this.on.refused({ status, error: errorOf(data) });
		this.on.state('closed');
	}

	// The connection failed or was lost: retry later, asking first why
	// when it never opened.
	failed() {
		const wasOpen = this.opened;
		this.drop();
		this.retry(wasOpen ? () => this.open() : () => this.probe());
	}

	// Calls then() after the back-off's delay, at least atLeast ms (within
	// MAX_DELAY); why: as for state().
	retry(then, atLeast = 0, why = '') {
		const delay = Math.min(Math.max(this.delay, atLeast), MAX_DELAY);
		this.delay = Math.min(this.delay * 2, MAX_DELAY);
		this.on.state('retrying', delay, why);
		this.timer = this.env.setTimeout(() => {
			this.timer = null;
			if (!this.stopped) then();
		}, delay);
	}

	// One GET of the endpoint, its body left unread: a 200 opens the
	// stream again, a 5xx or no answer is retried, a 4xx is a refusal.
	async probe() {
		const ctl = new this.env.AbortController();
		let res;
		try {
			res = await this.env.fetch(this.url, { signal: ctl.signal, headers: { Accept: 'text/event-stream' } });
		} catch {
			if (!this.stopped) this.retry(() => this.probe());
			return;
		}
		if (this.stopped) {
			ctl.abort();
			return;
		}
		if (res.ok) {
			ctl.abort();
			this.open();
			return;
		}
		let body = '';
		try {
			body = await res.text();
		} catch {
			body = '';
		}
		if (this.stopped) return;
		if (res.status >= 500) this.retry(() => this.probe(), retryAfterMs(res.headers), errorOf(body));
		else this.refuse(res.status, body);
	}
}

// The "error" of the API's JSON error body, '' when there is none.
function errorOf(body) {
	try {
		return String(JSON.parse(body).error ?? '');
	} catch {
		return '';
	}
}

// Retry-After in ms (delay-seconds only: tikstatd sends no dates), 0 when
// absent or not a number of seconds.
export function retryAfterMs(headers) {
	const v = headers?.get?.('Retry-After');
	return v && /^\d+$/.test(v.trim()) ? Number(v.trim()) * 1000 : 0;
}
