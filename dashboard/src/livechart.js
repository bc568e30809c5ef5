// LiveChart: the rolling per-second line chart of the live view (rx and
// tx, the last minutes of a LiveWindow, see live.js), built once (svg,
// axes, groups) and updated in place: update() joins the window's runs
// to paths by key (selection.join), so a second's refresh changes the
// paths' data, not the nodes. The current and peak numbers are the
// caller's (plain HTML beside the chart).
import { select } from 'd3-selection';
import { scaleLinear } from 'd3-scale';
import { axisBottom, axisLeft } from 'd3-axis';
import { bps, linePath, liveLabel, minuteTicks } from './live.js';

export class LiveChart {
	// Builds the chart, hidden until the first update, into the element
	// box; title: the svg's <title> and the start of its aria-label.
	constructor(box, title) {
		this.title = title;
		this.svg = select(box).append('svg').attr('role', 'img').attr('class', 'live-chart')
			.attr('aria-label', title).style('display', 'none');
		this.svg.append('title').text(title);
		this.g = this.svg.append('g');
		this.yAxis = this.g.append('g').attr('class', 'axis y');
		this.xAxis = this.g.append('g').attr('class', 'axis x');
		this.linesG = this.g.append('g').attr('class', 'lines');
		this.lines = this.linesG.selectAll('path');
	}

	// Draws the window w width px wide; an empty window hides the chart.
	update(w, width) {
		const runs = w.segments();
		if (!runs.length) {
			this.clear();
			return;
		}
		const narrow = width < 480;
		const height = narrow ? 150 : 190;
		const m = { top: 8, right: 14, bottom: 24, left: narrow ? 62 : 72 };
		const iw = Math.max(10, width - m.left - m.right);
		const ih = height - m.top - m.bottom;
		const peak = w.peak;
		// Time as minutes before the newest sample: no clock or zone of the
		// browser's in the labels (the dashboard shows the daemon's zone).
		const x = scaleLinear().domain(w.extent).range([0, iw]);
		const ticks = minuteTicks(w.extent, narrow ? 2 : 1);
		const y = scaleLinear().domain([0, Math.max(1000, peak.rx, peak.tx)]).nice(4).range([ih, 0]);

		this.svg.style('display', null)
			.attr('viewBox', `0 0 ${width} ${height}`).attr('width', width).attr('height', height)
			.attr('aria-label', liveLabel(w, this.title));
		this.g.attr('transform', `translate(${m.left},${m.top})`);
		this.yAxis.call(axisLeft(y).ticks(4).tickSize(-iw).tickPadding(6).tickFormat((v) => (v === 0 ? '0' : bps(v))))
			.call((a) => a.select('.domain').remove());
		this.xAxis.attr('transform', `translate(0,${ih})`)
			.call(axisBottom(x).tickValues([...ticks.keys()]).tickFormat((t) => ticks.get(t)).tickSizeOuter(0));
		const paths = [];
		runs.forEach((run) => {
			// A run's key is its first second: it keeps its nodes while it grows.
			for (const k of ['rx', 'tx']) paths.push({ key: `${k}-${run[0].t}`, cls: k, d: linePath(run, k, x, y) });
		});
		this.lines = this.lines.data(paths, (p) => p.key)
			.join((enter) => enter.append('path').attr('fill', 'none'))
			.attr('class', (p) => `line ${p.cls}`)
			.attr('data-key', (p) => p.key)
			.attr('d', (p) => p.d);
	}

	// Removes the lines and hides the chart.
	clear() {
		this.lines = this.lines.data([]).join('path');
		this.svg.style('display', 'none');
	}
}
