// A stacked download/upload bar chart, built once per panel and updated in
// place ("towards reusable charts"): the svg, its axes and groups are made
// by the constructor; update() joins the slots to the bars by key
// (selection.join), so a refresh moves, resizes and retitles the bars it
// keeps, adds the new ones and drops the gone ones. Nodes survive a refresh,
// and with them focus and the browser's work.
import { select } from 'd3-selection';
import { scaleBand, scaleLinear } from 'd3-scale';
import { axisBottom, axisLeft } from 'd3-axis';
import { UNITS, trim, unitOf } from './format.js';

export class BarChart {
	// Builds the chart, hidden until the first update, into the element box.
	// opt: title (the svg's <title>), tickPx (room per x label),
	// barTitle(slot) (a bar's <title>), markText (label of the mark line;
	// none: no mark), onPoint(i, node) (a bar was pointed at, by pointer or
	// keyboard), onLeave() (the pointer or focus left the chart).
	constructor(box, opt) {
		this.opt = opt;
		this.slots = [];
		this.active = -1;
		this.svg = select(box).append('svg').attr('role', 'img').attr('tabindex', 0)
			.attr('aria-label', opt.title).style('display', 'none');
		this.svg.append('title').text(opt.title);
		this.g = this.svg.append('g');
		this.yAxis = this.g.append('g').attr('class', 'axis y');
		this.xAxis = this.g.append('g').attr('class', 'axis x');
		if (opt.markText) {
			this.mark = this.g.append('line').attr('class', 'cycle-mark').attr('y1', 0);
			this.markLabel = this.g.append('text').attr('class', 'cycle-label').attr('y', 10).text(opt.markText);
		}
		this.barsG = this.g.append('g').attr('class', 'bars');
		this.bars = this.barsG.selectAll('g');
		this.svg.on('pointerleave', () => opt.onLeave());
		this.svg.on('blur', () => opt.onLeave());
		this.svg.on('keydown', (ev) => this.key(ev));
	}

	// Draws slots (see slots.js) width px wide. label: the aria-label;
	// ticks(innerWidth, px): Map slot key -> x label; mark: the key of the
	// slot the mark line stands before, or null. No slots: clear().
	update({ slots, width, label, ticks, mark = null }) {
		if (!slots.length) {
			this.clear();
			return;
		}
		this.slots = slots;
		const narrow = width < 480;
		const height = narrow ? 170 : 220;
		const m = { top: 8, right: 14, bottom: 24, left: narrow ? 54 : 64 };
		const iw = width - m.left - m.right;
		const ih = height - m.top - m.bottom;
		const max = Math.max(1, ...slots.map((b) => b.rx + b.tx));
		const u = unitOf(max);
		const div = 1024 ** u;
		const x = scaleBand().domain(slots.map((b) => b.key)).range([0, iw]).paddingInner(slots.length > 60 ? 0.1 : 0.2);
		const y = scaleLinear().domain([0, max / div]).nice(4).range([ih, 0]);

		this.svg.style('display', null)
			.attr('viewBox', `0 0 ${width} ${height}`).attr('width', width).attr('height', height)
			.attr('aria-label', label);
		this.g.attr('transform', `translate(${m.left},${m.top})`);
		const yAxis = axisLeft(y).ticks(4).tickSize(-iw).tickPadding(6)
			.tickFormat((v) => (v === 0 ? '0' : `${trim(v)} ${UNITS[u]}`));
		this.yAxis.call(yAxis).call((a) => a.select('.domain').remove());
		const shown = ticks(iw, this.opt.tickPx * (narrow ? 1.2 : 1));
		const xAxis = axisBottom(x).tickValues([...shown.keys()]).tickFormat((k) => shown.get(k)).tickSizeOuter(0);
		this.xAxis.attr('transform', `translate(0,${ih})`).call(xAxis);
		this.drawMark(mark === null ? undefined : x(mark), x, ih);
		this.drawBars(x, (v) => ih - y(v / div), ih);
	}

	// The mark line left of the band at px (undefined: not shown).
	drawMark(px, x, ih) {
		if (!this.mark) return;
		const shown = px !== undefined;
		const lx = shown ? px - (x.step() * x.paddingInner()) / 2 : 0;
		this.mark.attr('display', shown ? null : 'none').attr('x1', lx).attr('x2', lx).attr('y2', ih);
		this.markLabel.attr('display', shown ? null : 'none').attr('x', lx + 3);
	}

	// One group per slot, keyed by the slot's key: a hit area the height of
	// the chart, the download bar and the upload bar on top of it; h(v) is
	// the height of v bytes.
	drawBars(x, h, ih) {
		this.bars = this.bars.data(this.slots, (b) => b.key).join((enter) => {
			const g = enter.append('g');
			g.append('title');
			g.append('rect').attr('class', 'hit').attr('y', 0);
			g.append('rect').attr('class', 'rx');
			g.append('rect').attr('class', 'tx');
			const point = (ev, b) => this.opt.onPoint(this.slots.indexOf(b), ev.currentTarget);
			return g.on('pointerenter', point).on('pointerdown', point);
		})
			.attr('class', (b) => (b.start ? 'bar' : 'bar empty'))
			.attr('data-key', (b) => b.key)
			.attr('data-start', (b) => b.start)
			.attr('data-rx', (b) => b.rxs)
			.attr('data-tx', (b) => b.txs)
			.attr('transform', (b) => `translate(${x(b.key)},0)`);
		this.bars.select('title').text(this.opt.barTitle);
		this.bars.select('.hit').attr('width', x.step()).attr('x', -(x.step() - x.bandwidth()) / 2).attr('height', ih);
		this.bars.select('.rx').attr('width', x.bandwidth())
			.attr('y', (b) => ih - h(b.rx)).attr('height', (b) => h(b.rx));
		this.bars.select('.tx').attr('width', x.bandwidth())
			.attr('y', (b) => ih - h(b.rx) - h(b.tx)).attr('height', (b) => h(b.tx));
	}

	// Marks bar i as the one the tooltip is about (-1: none).
	highlight(i) {
		this.bars.classed('active', (_, j) => j === i);
		this.active = i;
	}

	// Removes the bars and hides the chart: nothing drawn stays on screen.
	clear() {
		this.slots = [];
		this.bars = this.bars.data([]).join('g');
		this.active = -1;
		this.svg.style('display', 'none');
	}

	// Arrow keys, Home and End move the tooltip along the bars; Escape
	// closes it.
	key(ev) {
		const last = this.slots.length - 1;
		let i = this.active;
		if (ev.key === 'ArrowRight') i = i < 0 ? last : Math.min(last, i + 1);
		else if (ev.key === 'ArrowLeft') i = i < 0 ? last : Math.max(0, i - 1);
		else if (ev.key === 'Home') i = 0;
		else if (ev.key === 'End') i = last;
		else if (ev.key === 'Escape') return this.opt.onLeave();
		else return;
		ev.preventDefault();
		this.opt.onPoint(i, this.bars.nodes()[i]);
	}
}
