// The "Live" panel: the per-second rate of the chosen interface over the
// last 5 minutes (LiveChart over a LiveWindow fed by a LiveStream), with
// the current and peak rates as numbers (their exact bit/s in data-bps).
// The panel stays hidden until the stream answers: a tikstatd without the
// live endpoint (404) leaves the page as it was. A router down, a lost
// connection, the viewer cap or a refusal (push mode) are said under the
// chart.
import { select } from 'd3-selection';
import { LiveChart } from './livechart.js';
import { GAP_MS, LiveWindow, bps, parseEventData, parseSample, reasonOf, refusalNotice, statusNotice } from './live.js';
import { LiveStream } from './livestream.js';

const TICK_MS = 1000;

export class LivePanel {
	// sec: the panel's element (hidden), with its #rate-* numbers.
	constructor(sec) {
		this.sec = select(sec);
		this.box = this.sec.select('.chart').node();
		this.chart = new LiveChart(this.box, 'Rate per second');
		this.stream = null;
		this.key = null;
		this.window = new LiveWindow();
		this.seen = null; // {t, at}: the newest sample's time and performance.now() when it came
		this.clock = null; // the timer that rolls the chart on while no sample comes
	}

	// Shows router/iface (null: nothing), dropping what was shown; the
	// same interface again keeps its stream.
	show(router, iface) {
		const key = JSON.stringify([router, iface]);
		if (key === this.key && this.stream && !this.stream.stopped) return;
		this.key = key;
		if (this.stream) this.stream.stop();
		this.stream = null;
		if (this.clock !== null) clearInterval(this.clock);
		this.clock = null;
		this.seen = null;
		this.window = new LiveWindow();
		this.chart.clear();
		this.numbers();
		this.sec.attr('hidden', true);
		if (router === null || iface === null) return;
		const url = `/api/v1/live?router=${encodeURIComponent(router)}&interface=${encodeURIComponent(iface)}`;
		const w = this.window;
		this.stream = new LiveStream(url, {
			sample: (data) => {
				const s = parseSample(data);
				if (!s || w !== this.window) return;
				// A replay after a reconnection adds nothing new, but says the
				// stream is back; while the router is down, samples are the
				// replayed history and its notice stays.
				const wasDown = w.isDown;
				const live = !w.held;
				if (w.add(s)) {
					if (live) this.seen = { t: s.t, at: performance.now() };
				} else if (!wasDown) {
					return;
				}
				this.draw(live ? '' : undefined);
			},
			status: (data) => {
				const v = parseEventData(data);
				const msg = statusNotice(v);
				if (msg === null || w !== this.window) return;
				if (v.state === 'down') w.routerDown(reasonOf(v));
				else w.up();
				this.draw(msg);
			},
			refused: (r) => {
				const msg = refusalNotice(r, w.samples.length > 0);
				if (msg === null || w !== this.window) return;
				w.down(r.error);
				this.draw(msg);
			},
			state: (st, ms, why) => {
				if (st !== 'retrying' || w !== this.window) return;
				// why: the daemon answered 5xx (the viewer cap): said even
				// before any sample; a lost connection only once one was shown.
				w.down(why || 'connection lost');
				if (why) this.draw(`No live rate now: ${why}. Trying again…`);
				else if (w.samples.length) this.draw('Reconnecting…');
			},
		});
		this.stream.start();
		this.clock = setInterval(() => this.tick(), TICK_MS);
	}

	// While the router or the connection is down, or samples are late, the
	// chart rolls on with the browser's clock from the newest sample's time
	// (the daemon's clock is never compared with the browser's).
	tick() {
		const w = this.window;
		if (!this.seen || this.sec.attr('hidden') !== null) return;
		const late = performance.now() - this.seen.at;
		if ((w.isDown || late > GAP_MS) && w.tick(this.seen.t + late)) this.redraw();
	}

	// Shows the panel, redraws the chart and numbers; msg: the notice under
	// them ('' none, undefined: the one shown stays).
	draw(msg) {
		this.sec.attr('hidden', null);
		this.redraw();
		if (msg !== undefined) this.sec.select('.msg').attr('hidden', msg ? null : true).text(msg);
	}

	redraw() {
		this.chart.update(this.window, Math.max(280, this.box.clientWidth || 640));
		this.numbers();
	}

	// The current and peak rates: text, and the exact bit/s in data-bps
	// (absent while there is none).
	numbers() {
		const c = this.window.current;
		const p = this.window.samples.length ? this.window.peak : null;
		const set = (id, v) => this.sec.select(`#${id}`).text(v === null ? '–' : bps(v)).attr('data-bps', v);
		set('rate-rx', c ? c.rx : null);
		set('rate-tx', c ? c.tx : null);
		set('rate-rx-peak', p ? p.rx : null);
		set('rate-tx-peak', p ? p.tx : null);
	}
}
