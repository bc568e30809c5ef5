// RankChart: the "Who" view's horizontal bar chart of the top counters
// (download and upload stacked, the name on the left, the total at the
// bar's end), built once (svg, axis, groups) and updated in place:
// update() joins the rows to bar groups by the counter's key
// (selection.join), so a refresh or a new period moves and resizes the
// bars it keeps instead of rebuilding them.
import { select } from 'd3-selection';
import { scaleBand, scaleLinear } from 'd3-scale';
import { axisBottom } from 'd3-axis';
import { UNITS, iec, trim, unitOf } from './format.js';
import { rowTitle } from './who.js';

const ROW_PX = 24;

// A name cut to n characters with an ellipsis: svg text does not wrap.
export function clip(s, n) {
	return s.length <= n ? s : `${s.slice(0, n - 1)}…`;
}

export class RankChart {
	// Builds the chart, hidden until the first update, into the element
	// box. title: the svg's <title>; onPick(row): a bar was clicked or
	// chosen with Enter.
	constructor(box, title, onPick) {
		this.svg = select(box).append('svg').attr('role', 'img').attr('class', 'rank-chart')
			.attr('aria-label', title).style('display', 'none');
		this.svg.append('title').text(title);
		this.g = this.svg.append('g');
		this.xAxis = this.g.append('g').attr('class', 'axis x');
		this.barsG = this.g.append('g').attr('class', 'bars');
		this.bars = this.barsG.selectAll('g');
		this.onPick = onPick;
	}

	// Draws rows (who.js whoRows, in rank order) width px wide; label: the
	// aria-label. No rows: clear().
	update({ rows, width, label }) {
		if (!rows.length) {
			this.clear();
			return;
		}
		const narrow = width < 480;
		const m = { top: 4, right: narrow ? 58 : 72, bottom: 22, left: narrow ? 96 : 170 };
		const ih = rows.length * ROW_PX;
		const height = ih + m.top + m.bottom;
		const iw = Math.max(40, width - m.left - m.right);
		const max = Math.max(1, ...rows.map((r) => r.total));
		const u = unitOf(max);
		const div = 1024 ** u;
		const y = scaleBand().domain(rows.map((r) => r.key)).range([0, ih]).paddingInner(0.25);
		const x = scaleLinear().domain([0, max / div]).nice(4).range([0, iw]);
		const w = (v) => x(v / div);

		this.svg.style('display', null)
			.attr('viewBox', `0 0 ${width} ${height}`).attr('width', width).attr('height', height)
			.attr('aria-label', label);
		this.g.attr('transform', `translate(${m.left},${m.top})`);
		this.xAxis.attr('transform', `translate(0,${ih})`)
			.call(axisBottom(x).ticks(narrow ? 3 : 5).tickSizeOuter(0)
				.tickFormat((v) => (v === 0 ? '0' : `${trim(v)} ${UNITS[u]}`)));
		const chars = Math.floor(m.left / 7.5);
		this.bars = this.bars.data(rows, (r) => r.key).join((enter) => {
			const g = enter.append('g').attr('class', 'rank');
			g.append('title');
			g.append('text').attr('class', 'name').attr('x', -6).attr('text-anchor', 'end');
			g.append('rect').attr('class', 'rx');
			g.append('rect').attr('class', 'tx');
			g.append('text').attr('class', 'value').attr('dx', 4);
			return g.on('click', (_, r) => this.onPick(r));
		})
			.attr('data-key', (r) => r.key)
			.attr('data-rx', (r) => r.rxs)
			.attr('data-tx', (r) => r.txs)
			.attr('transform', (r) => `translate(0,${y(r.key)})`);
		const bh = y.bandwidth();
		this.bars.select('title').text(rowTitle);
		this.bars.select('.name').attr('y', bh / 2).attr('dy', '0.35em').text((r) => clip(r.name, chars));
		this.bars.select('.rx').attr('height', bh).attr('width', (r) => w(r.rx));
		this.bars.select('.tx').attr('height', bh).attr('x', (r) => w(r.rx)).attr('width', (r) => w(r.tx));
		this.bars.select('.value').attr('x', (r) => w(r.rx) + w(r.tx)).attr('y', bh / 2).attr('dy', '0.35em')
			.text((r) => iec(r.totals));
	}

	// Removes the bars and hides the chart.
	clear() {
		this.bars = this.bars.data([]).join('g');
		this.svg.style('display', 'none');
	}
}
