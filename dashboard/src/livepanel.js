// The "Now" panel: the per-second rate of the chosen interface over the
// last 5 minutes (LiveChart over a LiveWindow fed by a LiveStream), with
// the current and peak rates as numbers. The panel stays hidden until the
// stream delivers: a tikstatd without the live endpoint (404) or an
// interface it refuses leaves the page as it was.
import { select } from 'd3-selection';
import { LiveWindow, bps, parseEventData, parseSample } from './live.js';
import { LiveChart } from './livechart.js';
import { LiveStream } from './livestream.js';

export class LivePanel {
	// sec: the panel's element (hidden), with its #rate-* numbers.
	constructor(sec) {
		this.sec = select(sec);
		this.box = this.sec.select('.chart').node();
		this.chart = new LiveChart(this.box, 'Rate per second');
		this.stream = null;
		this.key = null;
		this.window = new LiveWindow();
	}

	// Shows router/iface (null: nothing), dropping what was shown; the
	// same interface again keeps its stream.
	show(router, iface) {
		const key = JSON.stringify([router, iface]);
		if (key === this.key && this.stream && !this.stream.stopped) return;
		this.key = key;
		if (this.stream) this.stream.stop();
		this.stream = null;
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
				if (s && w === this.window && w.add(s)) this.draw('');
			},
			status: (data) => {
				const v = parseEventData(data);
				if (v.state === 'down') w.down(String(v.reason ?? 'router down'));
				this.draw(v.state === 'down' ? `The router is down: ${w.reason}` : '');
			},
			refused: ({ status, error }) => {
				// 404: no live endpoint in this tikstatd, or no such interface.
				if (status !== 404 && w.samples.length) this.draw(`Live data refused: ${error || status}`);
			},
			state: (st) => {
				if (st === 'retrying' && w.samples.length) {
					w.down('connection lost');
					this.draw('Reconnecting…');
				}
			},
		});
		this.stream.start();
	}

	// Redraws the chart and numbers; msg: a notice under them ('' none).
	draw(msg) {
		this.sec.attr('hidden', null);
		this.chart.update(this.window, Math.max(280, this.box.clientWidth || 640));
		this.numbers();
		this.sec.select('.msg').attr('hidden', msg ? null : true).text(msg);
	}

	numbers() {
		const c = this.window.current;
		const p = this.window.peak;
		const set = (id, text) => this.sec.select(`#${id}`).text(text);
		set('rate-rx', c ? bps(c.rx) : '–');
		set('rate-tx', c ? bps(c.tx) : '–');
		set('rate-rx-peak', this.window.samples.length ? bps(p.rx) : '–');
		set('rate-tx-peak', this.window.samples.length ? bps(p.tx) : '–');
	}
}
