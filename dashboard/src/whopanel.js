// The "Who" view on the page: its router select, kind and period
// switches, the top-N chart (whochart.js) and the ranked, sortable table
// of every counter, drawn from WhoModel's view (whomodel.js). A row or a
// bar opens that counter's own charts (the traffic view with
// interface=MAC or queue name, through the URL hash). The table is joined
// by key and reordered in place: a refresh or a sort of 1000 rows writes
// the DOM once, with no layout read between rows.
import { select } from 'd3-selection';
import { exact, iec } from './format.js';
import { RankChart } from './whochart.js';
import { WhoModel } from './whomodel.js';
import {
	KINDS, PERIODS, SORTS, chartLabel, countText, emptyText, errorText, periodText, shareText, whoHash,
} from './who.js';

// The hash that opens router's counter key in the traffic view.
export function counterHash(router, key) {
	return `#${new URLSearchParams({ router, interface: key })}`;
}

export class WhoPanel {
	// sec: the view's section of index.html (#who); api: an api.js
	// apiClient function; on: hash(h) (the selection changed: h is its URL
	// hash), pick(h) (a counter was chosen: h opens it), loaded(err) (a load
	// ended: err null, or the Unreachable error).
	constructor(sec, api, on) {
		this.sec = select(sec);
		this.on = on;
		this.routers = new Map();
		this.drawnGen = -1;
		this.drawn = null; // { answer, width } of the rows and chart drawn
		this.model = new WhoModel(api, (v) => this.draw(v));
		this.box = this.sec.select('.chart').node();
		this.chart = new RankChart(this.box, 'Top counters by traffic', (r) => this.pick(r.key));
		this.setupPick();
		this.setupTable();
	}

	setupPick() {
		this.sec.select('#who-router').on('change', (ev) => this.change({ router: ev.target.value }));
		const seg = (id, list, field) => this.sec.select(id).selectAll('button').data(list).join('button')
			.attr('type', 'button').attr(`data-${field}`, (x) => x[field]).attr('aria-pressed', 'false')
			.text((x) => x.label)
			.on('click', (_, x) => this.change({ [field]: x[field] }));
		this.kindButtons = seg('#who-kind', KINDS, 'kind');
		this.periodButtons = seg('#who-period', PERIODS, 'period');
		this.sec.select('form').on('submit', (ev) => ev.preventDefault());
	}

	setupTable() {
		const t = this.sec.select('table');
		const cols = [['rank', '#'], ...Object.entries(SORTS).map(([k, s]) => [k, s.label])];
		t.select('thead').append('tr').selectAll('th').data(cols).join('th').attr('scope', 'col')
			.attr('class', ([k]) => `col-${k}`)
			.each(function ([k, label]) {
				const th = select(this);
				if (k === 'rank') th.text(label);
				else th.append('button').attr('type', 'button').attr('data-sort', k).text(label);
			});
		t.select('thead').on('click', (ev) => {
			const b = ev.target.closest('button[data-sort]');
			if (b) this.model.sortBy(b.dataset.sort);
		});
		this.tbody = t.select('tbody');
		this.tbody.on('click', (ev) => {
			if (ev.target.closest('a')) return; // the link itself goes there
			const tr = ev.target.closest('tr[data-key]');
			if (tr) this.pick(tr.dataset.key);
		});
	}

	// The routers that have devices or queues (who.js whoRouters); the
	// router select lists them.
	setRouters(routers) {
		this.routers = routers;
		const rs = this.sec.select('#who-router');
		rs.selectAll('option').data([...routers.keys()], (r) => r).join('option')
			.attr('value', (r) => r).text((r) => r);
		if (this.model.sel) rs.property('value', this.model.sel.router);
	}

	// Shows sel ({ router, kind, period }, valid for the routers) and loads
	// it.
	show(sel) {
		this.sec.select('#who-router').property('value', sel.router);
		const kinds = this.routers.get(sel.router) ?? [];
		this.kindButtons.attr('aria-pressed', (x) => String(x.kind === sel.kind))
			.property('disabled', (x) => !kinds.includes(x.kind));
		this.periodButtons.attr('aria-pressed', (x) => String(x.period === sel.period));
		this.on.hash(whoHash(sel));
		return this.model.select(sel);
	}

	// A switch or the router select changed part of the selection.
	change(part) {
		const sel = { ...this.model.sel, ...part };
		const kinds = this.routers.get(sel.router) ?? [];
		if (!kinds.includes(sel.kind)) sel.kind = kinds[0];
		this.show(sel);
	}

	// Reloads what is shown (the refresh timer).
	refresh() {
		return this.model.load();
	}

	// The selection shown, or null.
	get sel() {
		return this.model.sel;
	}

	pick(key) {
		this.on.pick(counterHash(this.model.sel.router, key));
	}

	// Draws view v of the model.
	draw(v) {
		if (v.gen !== this.drawnGen && v.state === 'loading') this.clear();
		const msg = this.sec.select('.msg');
		const say = (text) => msg.attr('hidden', text ? null : true).text(text);
		this.sec.classed('no-data', v.state !== 'ready' && !(v.state === 'unreachable' && v.rows.length));
		this.sec.classed('stale', v.state === 'unreachable');
		switch (v.state) {
		case 'loading':
			say('Loading…');
			return;
		case 'empty':
			this.clear();
			this.range(v.answer);
			say(emptyText(v.sel.router, v.sel.kind));
			break;
		case 'error':
			this.clear();
			say(errorText(v.error));
			break;
		case 'unreachable':
			say(v.rows.length ? 'The daemon does not answer: the figures shown may be out of date.' :
				'Not loaded: the daemon does not answer.');
			break;
		default:
			say('');
			this.range(v.answer);
			this.drawRows(v);
		}
		this.drawnGen = v.gen;
		this.on.loaded(v.state === 'unreachable' ? v.error : null);
	}

	// The period's dates and the counts line.
	range(answer) {
		this.sec.select('#who-range').text(answer ? periodText(answer) : '');
	}

	drawRows(v) {
		const t0 = performance.now();
		const total = String(BigInt(v.answer.total.rx) + BigInt(v.answer.total.tx));
		this.sec.select('#who-count').text(countText(v.rows, v.sel.kind, total));
		const width = Math.max(280, this.box.clientWidth || document.getElementById('who').clientWidth - 30);
		// A sort changes neither the chart nor a row's cells: only the order.
		const same = this.drawn && this.drawn.answer === v.answer && this.drawn.width === width;
		if (!same) this.chart.update({ rows: v.top, width, label: chartLabel(v.top, v.sel.kind, total) });
		this.drawTable(v, same);
		this.drawn = { answer: v.answer, width };
		// The DOM writes of a draw (layout comes after, once): what the
		// 1000-row figures measure.
		performance.measure('tikstat-who-draw', { start: t0 });
	}

	// The table: one row per counter, joined by key, put in the sort's
	// order; ordered: the rows' cells are already those of v's answer.
	drawTable(v, ordered) {
		this.sec.selectAll('thead th').attr('aria-sort', ([k]) => {
			if (k !== v.sort.by) return null;
			return v.sort.desc ? 'descending' : 'ascending';
		});
		const router = v.sel.router;
		const tr = this.tbody.selectAll('tr').data(v.rows, (r) => r.key).join((enter) => {
			const row = enter.append('tr');
			row.append('td').attr('class', 'col-rank');
			const th = row.append('th').attr('scope', 'row').attr('class', 'col-name');
			th.append('a');
			th.append('small');
			for (const c of ['address', 'rx', 'tx', 'total', 'share']) row.append('td').attr('class', `col-${c}`);
			return row;
		}).order();
		if (ordered) return;
		tr.attr('data-key', (r) => r.key).attr('data-rx', (r) => r.rxs).attr('data-tx', (r) => r.txs);
		tr.select('.col-rank').text((r) => r.rank);
		tr.select('a').attr('href', (r) => counterHash(router, r.key)).text((r) => r.name);
		tr.select('small').text((r) => (r.name === r.key ? '' : r.key));
		tr.select('.col-address').text((r) => r.address ?? '–');
		for (const [c, f] of [['rx', (r) => r.rxs], ['tx', (r) => r.txs], ['total', (r) => r.totals]]) {
			tr.select(`.col-${c}`).text((r) => iec(f(r))).attr('title', (r) => exact(f(r)));
		}
		tr.select('.col-share').text((r) => shareText(r.share)).style('--share', (r) => `${Math.min(100, r.share)}%`);
	}

	// Nothing of a previous selection stays on screen.
	clear() {
		this.chart.clear();
		this.drawn = null;
		this.tbody.selectAll('tr').remove();
		this.sec.select('#who-count').text('');
		this.range(null);
	}
}
