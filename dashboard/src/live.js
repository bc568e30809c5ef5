// The live view's model: the last minutes of per-second rates of one
// interface, as tikstatd's event stream (GET /api/v1/live?router=R&
// interface=I, text/event-stream) delivers them. Pure: no DOM, no d3, no
// clock (the window's right edge is the newest sample's time).
//
// The stream's events (the contract tikstatd's endpoint is built to):
//   - unnamed, one per second: {"time":"2026-12-06T18:00:01Z","rx_bps":123,
//     "tx_bps":456}, bits per second as the router reports them; the first
//     events replay the last minute, so a chart is never empty;
//   - "status": {"state":"down","reason":"..."} when the router goes down,
//     {"state":"up"} when it is back;
//   - "error": {"error":"..."} and the daemon closes: a refusal (push-mode
//     interface, viewer cap). Refused before the stream starts: HTTP
//     4xx/503 with the API's JSON error body.

export const WINDOW_S = 300; // what the chart shows: 5 minutes
export const GAP_MS = 2500; // a sample this much after the one before starts a new line

// A sample event's data as {t (ms since the epoch), rx, tx (bit/s)}, or
// null when it is not one (then it is skipped: the next comes in a second).
export function parseSample(data) {
	let v;
	try {
		v = JSON.parse(data);
	} catch {
		return null;
	}
	if (!v || typeof v !== 'object') return null;
	const t = typeof v.time === 'string' ? Date.parse(v.time) : NaN;
	const ok = (n) => Number.isFinite(n) && n >= 0;
	if (!Number.isFinite(t) || !ok(v.rx_bps) || !ok(v.tx_bps)) return null;
	return { t, rx: v.rx_bps, tx: v.tx_bps };
}

// A status or error event's data as an object, or {} when malformed.
export function parseEventData(data) {
	try {
		const v = JSON.parse(data);
		return v && typeof v === 'object' ? v : {};
	} catch {
		return {};
	}
}

const RATE_UNITS = ['kbit/s', 'Mbit/s', 'Gbit/s', 'Tbit/s', 'Pbit/s'];

// Bits per second as tikstat writes them (decimal units): "800 bit/s",
// "1.23 Mbit/s", "45.6 Gbit/s" (three significant digits).
export function bps(v) {
	if (v < 1000) return `${Math.round(v)} bit/s`;
	let u = 0;
	let d = 1000;
	while (u < RATE_UNITS.length - 1 && v >= d * 1000) {
		d *= 1000;
		u++;
	}
	const x = v / d;
	// 999.6 kbit/s rounds to 1000 kbit/s: shown as 1 Mbit/s instead.
	if (x >= 999.5 && u < RATE_UNITS.length - 1) return `${+(x / 1000).toPrecision(3)} ${RATE_UNITS[u + 1]}`;
	return `${+x.toPrecision(3)} ${RATE_UNITS[u]}`;
}

// The rolling window. add() the samples in the order they come; down()
// when the connection is lost, routerDown() and up() as the stream's
// status events say: the line breaks there and current is null until the
// next live sample; tick() while no sample comes, so that the window keeps
// rolling.
//
// A viewer joining while the router is down is told so at once, before the
// replayed last minute (tikstatd sends a status change before samples):
// those samples are history, not a sign of life. Only "up" ends a router's
// outage (tikstatd sends it before the first sample after it).
export class LiveWindow {
	constructor(seconds = WINDOW_S) {
		this.span = seconds * 1000;
		this.samples = []; // {t, rx, tx, gap}: gap = a line starts here
		this.broken = true; // the next sample starts a new line (nothing yet, or down since the newest)
		this.held = false; // the router is down: samples are history until up()
		this.reason = '';
		this.end = null; // the right edge, when tick() moved it past the newest sample
	}

	// Down: no current rate (the connection is lost or the router is down).
	get isDown() {
		return this.broken || this.held;
	}

	// Adds s ({t, rx, tx}); false when not newer than the newest (a
	// reconnection replays the last minute: seen seconds are not doubled,
	// and a replay that reaches them joins the line again).
	add(s) {
		const last = this.samples[this.samples.length - 1];
		if (last && s.t <= last.t) {
			this.broken = false;
			return false;
		}
		const gap = !last || this.broken || s.t - last.t > GAP_MS;
		this.samples.push({ t: s.t, rx: s.rx, tx: s.tx, gap });
		this.broken = false;
		if (!this.held) this.reason = '';
		this.end = null;
		this.trim(s.t);
		return true;
	}

	// Time went on to t (ms, the samples' clock) without a sample: the
	// right edge moves there and what is older than the span leaves, so a
	// chart of a router that is down keeps rolling ("now" stays now). True
	// when the window changed; an empty window stays where it is.
	tick(t) {
		const last = this.samples[this.samples.length - 1];
		if (!last || t <= (this.end ?? last.t)) return false;
		this.end = t;
		this.trim(t);
		return true;
	}

	// The stream is down (reason: the connection's, or a refusal): a new
	// connection is told again whether the router is down.
	down(reason = '') {
		this.broken = true;
		this.held = false;
		this.reason = reason;
	}

	// The router is down (a status event; reason: the router's).
	routerDown(reason) {
		this.broken = true;
		this.held = true;
		this.reason = reason;
	}

	// The router is back: its reason goes; current stays null until the
	// next sample (the line starts anew there).
	up() {
		this.broken = true;
		this.held = false;
		this.reason = '';
	}

	// Drops the samples before end - span.
	trim(end) {
		const from = end - this.span;
		let i = 0;
		while (i < this.samples.length && this.samples[i].t < from) i++;
		if (i) {
			this.samples.splice(0, i);
			if (this.samples.length) this.samples[0] = { ...this.samples[0], gap: true };
		}
	}

	// The newest sample while up, else null.
	get current() {
		return this.isDown || !this.samples.length ? null : this.samples[this.samples.length - 1];
	}

	// The highest rx and tx in the window (0 when empty).
	get peak() {
		let rx = 0;
		let tx = 0;
		for (const s of this.samples) {
			if (s.rx > rx) rx = s.rx;
			if (s.tx > tx) tx = s.tx;
		}
		return { rx, tx };
	}

	// [from, to] in ms: the window's extent, ending at the newest sample
	// or where tick() moved it.
	get extent() {
		const last = this.samples[this.samples.length - 1];
		const to = this.end ?? (last ? last.t : 0);
		return [to - this.span, to];
	}

	// The samples as lines: an array of runs without a gap.
	segments() {
		const runs = [];
		for (const s of this.samples) {
			if (s.gap || !runs.length) runs.push([]);
			runs[runs.length - 1].push(s);
		}
		return runs;
	}
}

// The path data of one line through the points of run, key 'rx' or 'tx',
// with x(t) and y(v) the scales: "M x,y L x,y ...". One point: a dot-sized
// horizontal stroke, so a lone second is visible.
export function linePath(run, key, x, y) {
	if (!run.length) return '';
	const pts = run.map((s) => `${+x(s.t).toFixed(1)},${+y(s[key]).toFixed(1)}`);
	if (pts.length === 1) {
		const [px, py] = pts[0].split(',').map(Number);
		return `M${px - 1},${py}L${px + 1},${py}`;
	}
	return `M${pts.join('L')}`;
}

// The x labels of the window [from, to] (ms): every step minutes back
// from to, as a Map time -> label ("now", "-1 min", ...).
export function minuteTicks([from, to], step = 1) {
	const ticks = new Map();
	for (let k = 0; to - k * 60000 >= from; k += step) ticks.set(to - k * 60000, k ? `-${k} min` : 'now');
	return ticks;
}

// The Live panel's notice for a status event's data v ({state, reason}):
// the router's reason while it is down, '' once it is up again, null for
// a state it does not know (nothing changes).
export function statusNotice(v) {
	if (v.state === 'down') return `The router is down: ${reasonOf(v)}`;
	return v.state === 'up' ? '' : null;
}

// A down event's reason, never empty.
export function reasonOf(v) {
	return typeof v.reason === 'string' && v.reason ? v.reason : 'no reason given';
}

// The Live panel's notice for a refusal ({status, error} of LiveStream;
// status 0: the daemon's "error" event), null when the panel stays hidden:
// a 404 before any sample is a tikstatd without the live endpoint (or an
// interface it does not know), the page is then as it was before it.
export function refusalNotice({ status, error }, seen) {
	if (status === 404 && !seen) return null;
	return `No live rate: ${error || `HTTP ${status}`}.`;
}

// What the chart says to a screen reader: the current and peak rates.
export function liveLabel(w, name) {
	const c = w.current;
	const p = w.peak;
	const now = c ? `now download ${bps(c.rx)}, upload ${bps(c.tx)}` : w.reason ? `down: ${w.reason}` : 'no data';
	return `${name}, last ${Math.round(w.span / 60000)} minutes: ${now}; peak download ${bps(p.rx)}, upload ${bps(p.tx)}`;
}
