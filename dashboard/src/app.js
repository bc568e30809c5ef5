// tikstat dashboard: reads the daemon's JSON API (same origin) and draws the
// billing cycle and four bar charts (months, days, hours, 5-minute live).
//
// Two rules shape this file:
// - Sizes are exact unsigned 64-bit integers. JSON.parse would round those
//   above 2^53, so size fields are turned into strings before parsing
//   (parseSizes); charts use Number(), while data-rx/data-tx attributes,
//   tooltips and tables keep the exact string.
// - Times are shown on the wall clock of the daemon's configured zone, which
//   the API writes into every time string as its offset. Labels are read from
//   those strings (wallOf), never through the browser's own zone.
import { select } from 'd3-selection';
import { scaleBand, scaleLinear } from 'd3-scale';
import { axisBottom, axisLeft } from 'd3-axis';

const REFRESH_MS = 30000; // live view and cycle
const FULL_REFRESH_EVERY = 10; // every 10th refresh reloads all charts
const MONTHS_SHOWN = 24; // at most
const MONTHS_MIN = 12; // at least, when the history is shorter
const HOURS_SHOWN = 48;
const LIVE_HOURS = 6;

const $ = (id) => document.getElementById(id);

// ---------- sizes ----------

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];
const SIZE_KEYS = /"(rx|tx|total|estimate|quota|rx_total|tx_total)":(\d+)/g;

// JSON with the size fields kept as exact decimal strings.
export function parseSizes(text) {
	return JSON.parse(text.replace(SIZE_KEYS, '"$1":"$2"'));
}

function unitOf(max) {
	let u = 0;
	while (u < UNITS.length - 1 && max >= 1024 ** (u + 1)) u++;
	return u;
}

function trim(v) {
	const digits = v >= 100 ? 0 : v >= 10 ? 1 : 2;
	return String(+v.toFixed(digits));
}

// "1.23 GiB"; n a Number or a decimal string.
export function iec(n) {
	n = Number(n);
	const u = unitOf(n);
	return u === 0 ? `${n} B` : `${trim(n / 1024 ** u)} ${UNITS[u]}`;
}

// "1 234 567 B", exact, from a decimal string.
function exact(s) {
	return `${String(s).replace(/\B(?=(\d{3})+(?!\d))/g, '\u202f')} B`;
}

// ---------- times on the configured zone's wall clock ----------

const MONTH_NAMES = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAY_NAMES = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const ISO = /^(\d{4})-(\d\d)-(\d\d)(?:T(\d\d):(\d\d)(?::(\d\d))?)?(Z|[+-]\d\d:?\d\d)?/;

// Wall-clock fields of an ISO string, its offset in minutes and its instant.
export function wallOf(iso) {
	const m = ISO.exec(iso);
	if (!m) return null;
	let off = 0;
	if (m[7] && m[7] !== 'Z') {
		const d = m[7].replace(':', '');
		off = (d[0] === '-' ? -1 : 1) * (Number(d.slice(1, 3)) * 60 + Number(d.slice(3, 5)));
	}
	const w = { y: +m[1], mo: +m[2], d: +m[3], h: +(m[4] || 0), mi: +(m[5] || 0), off };
	w.ms = Date.UTC(w.y, w.mo - 1, w.d, w.h, w.mi, +(m[6] || 0)) - off * 60000;
	return w;
}

// Wall-clock fields of an instant at a given offset (minutes).
function wallAt(ms, off) {
	const t = new Date(ms + off * 60000);
	return {
		y: t.getUTCFullYear(), mo: t.getUTCMonth() + 1, d: t.getUTCDate(),
		h: t.getUTCHours(), mi: t.getUTCMinutes(), off, ms,
	};
}

const pad = (n) => String(n).padStart(2, '0');
const ymd = (w) => `${w.y}-${pad(w.mo)}-${pad(w.d)}`;
const ym = (w) => `${w.y}-${pad(w.mo)}`;
const hm = (w) => `${pad(w.h)}:${pad(w.mi)}`;
const weekday = (w) => DAY_NAMES[new Date(Date.UTC(w.y, w.mo - 1, w.d)).getUTCDay()];
const offText = (off) => `UTC${off < 0 ? '−' : '+'}${pad(Math.floor(Math.abs(off) / 60))}:${pad(Math.abs(off) % 60)}`;

// Calendar arithmetic on dates (no zone involved).
function addDays(w, n) {
	const t = new Date(Date.UTC(w.y, w.mo - 1, w.d + n));
	return { y: t.getUTCFullYear(), mo: t.getUTCMonth() + 1, d: t.getUTCDate(), h: 0, mi: 0, off: w.off };
}
function addMonths(w, n) {
	const k = w.y * 12 + (w.mo - 1) + n;
	return { y: Math.floor(k / 12), mo: (k % 12) + 1, d: Math.min(w.d, 28), h: 0, mi: 0, off: w.off };
}

const isoZ = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

// ---------- API ----------

class HttpError extends Error {
	constructor(status, message) {
		super(message);
		this.status = status;
	}
}
class Unreachable extends Error {}

async function api(path, params) {
	const url = params ? `${path}?${new URLSearchParams(params)}` : path;
	let text, res;
	try {
		res = await fetch(url, { cache: 'no-store', headers: { Accept: 'application/json' } });
		text = await res.text();
	} catch (e) {
		throw new Unreachable(e.message || String(e));
	}
	if (!res.ok) {
		let msg = res.statusText;
		try {
			msg = JSON.parse(text).error || msg;
		} catch {
			/* not JSON: keep the status text */
		}
		throw new HttpError(res.status, msg);
	}
	return parseSizes(text);
}

// ---------- state ----------

const state = {
	interfaces: [],
	router: null,
	iface: null,
	gen: 0, // bumped on every selection change: late answers are dropped
	cycle: null,
	off: null, // latest offset seen (minutes), for labels of empty slots
	zone: '',
	charts: {},
	ticks: 0,
	unreachable: false,
};

// ---------- alerts ----------

function showUnreachable(err) {
	state.unreachable = true;
	$('alert-text').textContent =
		`The tikstat daemon at ${location.host} does not answer (${err.message}). ` +
		'The figures shown may be out of date.';
	$('alert').hidden = false;
	document.body.classList.add('offline');
}

function clearUnreachable() {
	state.unreachable = false;
	$('alert').hidden = true;
	document.body.classList.remove('offline');
}

function routerStatus() {
	const el = $('router-status');
	const all = state.interfaces.filter((i) => i.router === state.router);
	const cur = all.find((i) => i.interface === state.iface) || all[0];
	const down = cur && (cur.status === 'down' || cur.status === 'error' || (cur.error && cur.error !== ''));
	if (!down) {
		el.hidden = true;
		return;
	}
	if (cur.status === 'missing') {
		// The error lists the router's names and the likely meant one.
		el.textContent = `Interface ${cur.interface} is missing on router ${cur.router}: ${cur.error}.`;
		el.hidden = false;
		return;
	}
	let text = `Router ${cur.router} is ${cur.status || 'down'}`;
	if (cur.error) text += `: ${cur.error}`;
	text += '.';
	if (cur.last_reading) {
		const w = wallOf(cur.last_reading);
		if (w) text += ` Last reading ${ymd(w)} ${hm(w)}.`;
	} else {
		text += ' No reading yet.';
	}
	el.textContent = text;
	el.hidden = false;
}

// ---------- selector ----------

function readHash() {
	const p = new URLSearchParams(location.hash.slice(1));
	return { router: p.get('router'), iface: p.get('interface') };
}

function writeHash() {
	const p = new URLSearchParams({ router: state.router, interface: state.iface });
	const h = `#${p}`;
	if (location.hash !== h) history.replaceState(null, '', h);
}

function fillSelectors() {
	const routers = [...new Set(state.interfaces.map((i) => i.router))];
	const rs = $('router');
	rs.replaceChildren(...routers.map((r) => new Option(r, r, false, r === state.router)));
	const is = $('interface');
	const ifaces = state.interfaces.filter((i) => i.router === state.router);
	is.replaceChildren(
		...ifaces.map((i) => {
			const down = i.status === 'down' || (i.error && i.error !== '');
			const mark = i.status === 'missing' ? ' (missing)' : down ? ' (down)' : '';
			return new Option(`${i.interface}${mark}`, i.interface, false, i.interface === state.iface);
		}),
	);
}

function choose(router, iface) {
	const known = (r, i) => state.interfaces.some((x) => x.router === r && x.interface === i);
	if (!state.interfaces.some((x) => x.router === router)) router = state.interfaces[0]?.router ?? null;
	if (!known(router, iface)) {
		// Same interface name on the new router if it has one, else its first.
		iface = state.interfaces.find((x) => x.router === router && x.interface === state.iface)?.interface ??
			state.interfaces.find((x) => x.router === router)?.interface ?? null;
	}
	const changed = router !== state.router || iface !== state.iface;
	state.router = router;
	state.iface = iface;
	fillSelectors();
	if (router !== null) writeHash();
	return changed;
}

// ---------- charts ----------

const CHARTS = {
	month: { id: 'months', name: 'Monthly traffic', tickPx: 34 },
	day: { id: 'days', name: 'Daily traffic', tickPx: 24 },
	hour: { id: 'hours', name: 'Hourly traffic', tickPx: 38 },
	'5min': { id: 'live', name: 'Traffic in 5-minute steps', tickPx: 56 },
};

function setupPanel(step) {
	const c = CHARTS[step];
	const sec = select(`#${c.id}`);
	const tools = sec.append('div').attr('class', 'tools');
	const legend = tools.append('span').attr('class', 'legend');
	legend.append('span').attr('class', 'key rx');
	legend.append('span').text('Download');
	legend.append('span').attr('class', 'key tx');
	legend.append('span').text('Upload');
	const btn = tools.append('button').attr('type', 'button').attr('class', 'toggle')
		.attr('aria-pressed', 'false').attr('aria-controls', `${c.id}-table`).text('Table');
	tools.append('a').attr('class', 'csv').text('CSV');
	sec.append('div').attr('class', 'chart');
	sec.append('p').attr('class', 'msg').attr('hidden', true);
	sec.append('div').attr('class', 'table-wrap').attr('id', `${c.id}-table`).attr('hidden', true);
	btn.on('click', () => {
		const on = btn.attr('aria-pressed') !== 'true';
		btn.attr('aria-pressed', String(on)).text(on ? 'Chart' : 'Table');
		sec.classed('as-table', on);
		sec.select('.table-wrap').attr('hidden', on ? null : true);
		sec.select('.chart').attr('hidden', on ? true : null);
	});
	state.charts[step] = { sec, buckets: null, active: -1 };
}

// A slot of a chart: one bucket on the wall clock, with or without a record.
function slot(key, w, step) {
	return { key, w, step, rx: 0, tx: 0, rxs: '0', txs: '0', start: null };
}

function fill(slots, points, keyOf) {
	const byKey = new Map(slots.map((s) => [s.key, s]));
	for (const p of points) {
		const w = wallOf(p.start);
		if (!w) continue;
		const s = byKey.get(keyOf(w));
		if (!s) continue;
		s.w = w;
		s.start = p.start;
		s.rxs = p.rx;
		s.txs = p.tx;
		s.rx = Number(p.rx);
		s.tx = Number(p.tx);
	}
	return slots;
}

// Slots for months [first, last] and days [first, end).
function monthSlots(first, last) {
	const out = [];
	for (let w = first; ym(w) <= ym(last); w = addMonths(w, 1)) out.push(slot(ym(w), w, 'month'));
	return out;
}
function daySlots(first, end) {
	const out = [];
	for (let w = first; ymd(w) < ymd(end); w = addDays(w, 1)) out.push(slot(ymd(w), w, 'day'));
	return out;
}
// Slots of size ms over [from, to), aligned on a bucket start seen in the
// data (hours in half-hour zones start at :30 UTC).
function timeSlots(points, size, from, to, step) {
	const starts = points.map((p) => wallOf(p.start)).filter(Boolean);
	if (!starts.length) return [];
	const anchor = starts[starts.length - 1];
	const first = anchor.ms - Math.floor((anchor.ms - from) / size) * size;
	const out = [];
	for (let t = first; t < to; t += size) {
		// The offset of the nearest recorded bucket labels an empty slot.
		let near = starts[0];
		for (const s of starts) if (s.ms <= t) near = s;
		out.push(slot(String(t), wallAt(t, near.off), step));
	}
	return fill(out, points, (w) => String(w.ms));
}

function tickText(s, first) {
	const w = s.w;
	switch (s.step) {
	case 'month':
		if (w.mo === 1) return String(w.y);
		return first ? `${MONTH_NAMES[w.mo - 1]} ’${String(w.y).slice(2)}` : MONTH_NAMES[w.mo - 1];
	case 'day':
		return w.d === 1 || first ? `${w.d} ${MONTH_NAMES[w.mo - 1]}` : String(w.d);
	case 'hour':
		return w.h === 0 || first ? `${weekday(w)} ${w.d}` : `${pad(w.h)}h`;
	default:
		return hm(w);
	}
}

function titleText(s) {
	const w = s.w;
	switch (s.step) {
	case 'month':
		return `${MONTH_NAMES[w.mo - 1]} ${w.y}`;
	case 'day':
		return `${weekday(w)} ${w.d} ${MONTH_NAMES[w.mo - 1]} ${w.y}`;
	case 'hour':
		return `${weekday(w)} ${w.d} ${MONTH_NAMES[w.mo - 1]}, ${hm(w)}–${pad((w.h + 1) % 24)}:${pad(w.mi)}`;
	default: {
		const e = wallAt(w.ms + 300000, w.off);
		return `${weekday(w)} ${w.d} ${MONTH_NAMES[w.mo - 1]}, ${hm(w)}–${hm(e)}`;
	}
	}
}

// Ticks fall on round wall-clock values: a bucket is a tick when its
// position (month of the year, day of the month, hour, minute of the day)
// is a multiple of the smallest stride that leaves room for the labels.
const TICKS = {
	month: { pos: (w) => w.mo - 1, strides: [1, 2, 3, 6, 12] },
	// No tick on the last days of a month: the 1st of the next one follows.
	day: { pos: (w) => w.d - 1, strides: [1, 2, 7, 14], ok: (w, stride) => stride === 1 || w.d <= 28 - stride / 2 },
	hour: { pos: (w) => w.h, strides: [1, 3, 6, 12, 24] },
	'5min': { pos: (w) => w.h * 60 + w.mi, strides: [15, 30, 60, 120, 180, 360, 720] },
};

function tickKeys(step, buckets, width, px) {
	const t = TICKS[step];
	let pick = [];
	for (const stride of t.strides) {
		pick = buckets.filter((b) => t.pos(b.w) % stride === 0 && (!t.ok || t.ok(b.w, stride)));
		if (pick.length * px <= width) break;
	}
	const hasJan = step === 'month' && pick.some((b) => b.w.mo === 1);
	return new Map(pick.map((b, i) => [b.key, tickText(b, i === 0 && !hasJan && step !== 'hour')]));
}

function showTip(chart, i, anchor) {
	const s = chart.buckets[i];
	const tip = $('tip');
	const tot = BigInt(s.rxs) + BigInt(s.txs);
	tip.replaceChildren();
	const h = document.createElement('strong');
	h.textContent = titleText(s);
	tip.append(h);
	if (!s.start) {
		tip.append(Object.assign(document.createElement('div'), { textContent: 'no record' }));
	} else {
		for (const [cls, label, v] of [['rx', 'Download', s.rxs], ['tx', 'Upload', s.txs], ['', 'Total', String(tot)]]) {
			const row = document.createElement('div');
			row.innerHTML = `<span class="key ${cls}"></span>`;
			row.append(`${label} ${iec(v)} `);
			row.append(Object.assign(document.createElement('small'), { textContent: exact(v) }));
			tip.append(row);
		}
	}
	tip.hidden = false;
	const r = anchor.getBoundingClientRect();
	const tw = tip.offsetWidth;
	const th = tip.offsetHeight;
	let x = r.left + r.width / 2 - tw / 2;
	x = Math.max(4, Math.min(x, document.documentElement.clientWidth - tw - 4));
	let y = r.top - th - 8;
	if (y < 4) y = r.bottom + 8;
	tip.style.left = `${x + scrollX}px`;
	tip.style.top = `${y + scrollY}px`;
	chart.sec.selectAll('.bar').classed('active', (_, j) => j === i);
	chart.active = i;
}

function hideTip(chart) {
	$('tip').hidden = true;
	if (chart) {
		chart.sec.selectAll('.bar').classed('active', false);
		chart.active = -1;
	}
}

function summary(step, buckets) {
	const rec = buckets.filter((b) => b.start);
	const c = CHARTS[step];
	if (!rec.length) return `${c.name}: no records`;
	const max = rec.reduce((a, b) => (a.rx + a.tx >= b.rx + b.tx ? a : b));
	return `${c.name}, ${titleText(buckets[0])} to ${titleText(buckets[buckets.length - 1])}: ` +
		`${rec.length} ${rec.length === 1 ? 'period' : 'periods'} with records, highest ${iec(max.rx + max.tx)} in ${titleText(max)}. ` +
		'Use the Table button for exact values.';
}

function drawChart(step) {
	const chart = state.charts[step];
	const { sec, buckets } = chart;
	const box = sec.select('.chart');
	box.selectAll('*').remove();
	hideTip(null);
	if (!buckets) return;
	const msg = sec.select('.msg');
	const rec = buckets.filter((b) => b.start);
	const hasTraffic = rec.some((b) => b.rx + b.tx > 0);
	msg.attr('hidden', hasTraffic ? true : null)
		.text(hasTraffic ? '' : rec.length ? 'No traffic in this period.' : 'No data yet for this period.');
	sec.classed('no-data', !hasTraffic);
	drawTable(step);
	if (!buckets.length) return;
	if (!state.drawn) {
		state.drawn = true;
		performance.mark('tikstat-first-chart');
	}

	// A hidden chart (table view, empty state) measures 0: take the page's width.
	const width = Math.max(280, box.node().clientWidth || $('main').clientWidth - 30);
	const narrow = width < 480;
	const height = narrow ? 170 : 220;
	const m = { top: 8, right: 14, bottom: 24, left: narrow ? 54 : 64 };
	const iw = width - m.left - m.right;
	const ih = height - m.top - m.bottom;
	const max = Math.max(1, ...buckets.map((b) => b.rx + b.tx));
	const u = unitOf(max);
	const div = 1024 ** u;
	const x = scaleBand().domain(buckets.map((b) => b.key)).range([0, iw]).paddingInner(buckets.length > 60 ? 0.1 : 0.2);
	const y = scaleLinear().domain([0, max / div]).nice(4).range([ih, 0]);

	const svg = box.append('svg')
		.attr('viewBox', `0 0 ${width} ${height}`).attr('width', width).attr('height', height)
		.attr('role', 'img').attr('tabindex', 0).attr('aria-label', summary(step, buckets));
	svg.append('title').text(CHARTS[step].name);
	const g = svg.append('g').attr('transform', `translate(${m.left},${m.top})`);

	const yAxis = axisLeft(y).ticks(4).tickSize(-iw).tickPadding(6)
		.tickFormat((v) => (v === 0 ? '0' : `${trim(v)} ${UNITS[u]}`));
	g.append('g').attr('class', 'axis y').call(yAxis).call((a) => a.select('.domain').remove());

	const shown = tickKeys(step, buckets, iw, CHARTS[step].tickPx * (narrow ? 1.2 : 1));
	const xAxis = axisBottom(x).tickValues([...shown.keys()]).tickFormat((k) => shown.get(k)).tickSizeOuter(0);
	g.append('g').attr('class', 'axis x').attr('transform', `translate(0,${ih})`).call(xAxis);

	// The days chart marks where the current cycle begins.
	if (step === 'day' && state.cycle) {
		const cw = wallOf(state.cycle.start);
		const px = cw && x(ymd(cw));
		if (px !== undefined && px !== null) {
			const lx = px - (x.step() * x.paddingInner()) / 2;
			g.append('line').attr('class', 'cycle-mark').attr('x1', lx).attr('x2', lx).attr('y1', 0).attr('y2', ih);
			g.append('text').attr('class', 'cycle-label').attr('x', lx + 3).attr('y', 10).text('this cycle');
		}
	}

	const bars = g.append('g').attr('class', 'bars').selectAll('g').data(buckets).join('g')
		.attr('class', (b) => (b.start ? 'bar' : 'bar empty'))
		.attr('data-key', (b) => b.key)
		.attr('data-start', (b) => b.start)
		.attr('data-rx', (b) => b.rxs)
		.attr('data-tx', (b) => b.txs)
		.attr('transform', (b) => `translate(${x(b.key)},0)`);
	bars.append('title').text((b) => (b.start ? `${titleText(b)}: download ${iec(b.rx)}, upload ${iec(b.tx)}` : `${titleText(b)}: no record`));
	bars.append('rect').attr('class', 'hit').attr('width', x.step()).attr('x', -(x.step() - x.bandwidth()) / 2)
		.attr('y', 0).attr('height', ih);
	const h = (v) => ih - y(v / div);
	bars.append('rect').attr('class', 'rx').attr('width', x.bandwidth())
		.attr('y', (b) => ih - h(b.rx)).attr('height', (b) => h(b.rx));
	bars.append('rect').attr('class', 'tx').attr('width', x.bandwidth())
		.attr('y', (b) => ih - h(b.rx) - h(b.tx)).attr('height', (b) => h(b.tx));

	bars.on('pointerenter', function (ev, b) { showTip(chart, buckets.indexOf(b), this); })
		.on('pointerdown', function (ev, b) { showTip(chart, buckets.indexOf(b), this); });
	svg.on('pointerleave', () => hideTip(chart));
	svg.on('blur', () => hideTip(chart));
	svg.on('keydown', (ev) => {
		const last = buckets.length - 1;
		let i = chart.active;
		if (ev.key === 'ArrowRight') i = i < 0 ? last : Math.min(last, i + 1);
		else if (ev.key === 'ArrowLeft') i = i < 0 ? last : Math.max(0, i - 1);
		else if (ev.key === 'Home') i = 0;
		else if (ev.key === 'End') i = last;
		else if (ev.key === 'Escape') return hideTip(chart);
		else return;
		ev.preventDefault();
		showTip(chart, i, bars.nodes()[i]);
	});
}

function drawTable(step) {
	const { sec, buckets } = state.charts[step];
	const wrap = sec.select('.table-wrap');
	wrap.selectAll('*').remove();
	const rows = buckets.filter((b) => b.start).reverse();
	const t = wrap.append('table');
	t.append('caption').text(`${CHARTS[step].name}${state.zone ? ` (${state.zone})` : ''}`);
	const hr = t.append('thead').append('tr');
	for (const c of ['Period', 'Download', 'Upload', 'Total']) hr.append('th').attr('scope', 'col').text(c);
	const tr = t.append('tbody').selectAll('tr').data(rows).join('tr')
		.attr('data-start', (b) => b.start).attr('data-rx', (b) => b.rxs).attr('data-tx', (b) => b.txs);
	tr.append('th').attr('scope', 'row').text((b) => titleText(b));
	for (const f of [(b) => b.rxs, (b) => b.txs, (b) => String(BigInt(b.rxs) + BigInt(b.txs))]) {
		const td = tr.append('td');
		td.append('span').text((b) => iec(f(b)));
		td.append('small').text((b) => exact(f(b)));
	}
	if (!rows.length) t.append('tbody').append('tr').append('td').attr('colspan', 4).text('No records.');
}

function chartError(step, err) {
	const { sec } = state.charts[step];
	state.charts[step].buckets = null;
	sec.select('.chart').selectAll('*').remove();
	sec.select('.table-wrap').selectAll('*').remove();
	sec.select('.msg').attr('hidden', null).text(`Could not load: ${err.message} (HTTP ${err.status}).`);
}

// ---------- loading ----------

function sel() {
	return { router: state.router, interface: state.iface };
}

// Fetches one series; a 404 for a listed interface means no data stored yet.
async function series(step, from, to) {
	try {
		const s = await api('/api/v1/traffic', { ...sel(), step, from, to });
		if (s.timezone) state.zone = s.timezone;
		const last = s.points.length && wallOf(s.points[s.points.length - 1].start);
		if (last && (state.off === null || step === '5min' || step === 'hour')) state.off = last.off;
		return s.points;
	} catch (e) {
		if (e instanceof HttpError && e.status === 404) return [];
		throw e;
	}
}

function csvLink(step, params) {
	state.charts[step].sec.select('a.csv')
		.attr('href', `/api/v1/traffic.csv?${new URLSearchParams({ ...sel(), step, ...params })}`)
		.attr('download', `${state.router}-${state.iface}-${step}.csv`);
}

// The offset (minutes) of the configured zone at instant ms when no time
// string showed one yet (no data): "UTC+05:30" as the daemon names a zone
// without a name, else the browser's tzdata for the zone's name.
function zoneOffset(zone, ms) {
	const sign = (c) => (c === '+' ? 1 : -1);
	const fixed = /^UTC([+\-−])(\d\d):(\d\d)$/.exec(zone);
	if (fixed) return sign(fixed[1]) * (+fixed[2] * 60 + +fixed[3]);
	try {
		const parts = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' }).formatToParts(new Date(ms));
		const m = /^GMT(?:([+\-−])(\d\d):(\d\d))?$/.exec(parts.find((p) => p.type === 'timeZoneName')?.value ?? '');
		if (!m) return null;
		return m[1] ? sign(m[1]) * (+m[2] * 60 + +m[3]) : 0;
	} catch {
		return null; // a zone the browser does not know
	}
}

// The zone's current offset: the latest the API showed, else the cycle's,
// else from the zone's name.
function currentOff() {
	if (state.off !== null) return state.off;
	if (state.cycle) return wallOf(state.cycle.start).off;
	const z = state.zone ? zoneOffset(state.zone, Date.now()) : null;
	return z ?? 0;
}

// "Now" on the zone's wall clock, from the latest offset the API showed.
function nowWall() {
	return wallAt(Date.now(), currentOff());
}

async function loadMonths(gen) {
	const now = nowWall();
	const first = addMonths({ ...now, d: 1 }, -(MONTHS_SHOWN - 1));
	const from = ymd({ ...first, d: 1 });
	const to = ymd({ ...addMonths({ ...now, d: 1 }, 1), d: 1 });
	const points = await series('month', from, to);
	if (gen !== state.gen) return null;
	csvLink('month', { from, to });
	// Months before the first record are left out, down to a year shown.
	const firstRec = points.length ? wallOf(points[0].start) : null;
	let shownFirst = addMonths({ ...now, d: 1 }, -(MONTHS_MIN - 1));
	if (firstRec && ym(firstRec) < ym(shownFirst)) shownFirst = ym(firstRec) < ym(first) ? first : { ...firstRec, d: 1 };
	state.charts.month.buckets = fill(monthSlots({ ...shownFirst, d: 1 }, now), points, ym);
	drawChart('month');
	return points;
}

async function loadDays(gen) {
	const c = state.cycle;
	const cs = c && wallOf(c.start);
	const ce = c && wallOf(c.end);
	if (!cs || !ce) {
		if (state.unreachable) state.charts.day.sec.select('.msg').attr('hidden', null).text('Not loaded: the daemon does not answer.');
		return;
	}
	const first = addMonths(cs, -1);
	first.d = cs.d;
	const from = ymd(first);
	const to = ymd(ce);
	const points = await series('day', from, to);
	if (gen !== state.gen) return;
	csvLink('day', { from, to });
	state.charts.day.buckets = fill(daySlots(first, ce), points, ymd);
	drawChart('day');
}

async function loadRecent(gen, step, hours, size) {
	const now = Date.now();
	const from = isoZ(now - hours * 3600000);
	const to = isoZ(now + size);
	const points = await series(step, from, to);
	if (gen !== state.gen) return;
	csvLink(step, { from, to });
	state.charts[step].buckets = timeSlots(points, size, now - hours * 3600000 + 1, now, step);
	drawChart(step);
}

function drawCycle() {
	const c = state.cycle;
	if (!c) return;
	const cs = wallOf(c.start);
	const ce = wallOf(c.end);
	const last = addDays(ce, -1);
	$('cycle-range').textContent = `${cs.d} ${MONTH_NAMES[cs.mo - 1]} ${cs.y === last.y ? '' : cs.y}– ${last.d} ${MONTH_NAMES[last.mo - 1]} ${last.y}`;
	for (const [id, v] of [['c-rx', c.rx], ['c-tx', c.tx], ['c-total', c.total], ['c-estimate', c.estimate]]) {
		const el = $(id);
		el.textContent = iec(v);
		el.title = exact(v);
		el.dataset.bytes = v;
	}
	const left = Math.max(0, ce.ms - Date.now());
	const days = Math.floor(left / 86400000);
	$('c-days').textContent = days >= 1 ? `${days} ${days === 1 ? 'day' : 'days'}` : `${Math.ceil(left / 3600000)} h`;
	const q = $('quota');
	if (c.quota === null || c.quota === undefined || Number(c.quota) === 0) {
		q.hidden = true;
		return;
	}
	q.hidden = false;
	const pct = Number(c.used_percent);
	const est = (Number(c.estimate) * 100) / Number(c.quota);
	$('q-of').textContent = iec(c.quota);
	$('q-of').title = exact(c.quota);
	$('q-pct').textContent = `${pct.toFixed(2)} % used, estimate ${Math.round(est)} %`;
	$('q-used').style.width = `${Math.min(100, pct)}%`;
	$('q-est').style.left = `${Math.min(100, est)}%`;
	const bar = $('q-bar');
	bar.setAttribute('aria-valuenow', String(Math.min(100, pct)));
	bar.setAttribute('aria-valuetext', `${pct.toFixed(2)} % of ${iec(c.quota)} used; estimate ${Math.round(est)} % at cycle end`);
	bar.classList.toggle('warn', pct >= 80 && pct < 100);
	bar.classList.toggle('over', pct >= 100);
	bar.classList.toggle('est-over', est >= 100);
}

async function loadCycle(gen) {
	let c;
	try {
		c = await api('/api/v1/cycle', sel());
	} catch (e) {
		if (!(e instanceof HttpError && e.status === 404)) throw e;
		c = null;
	}
	if (gen !== state.gen) return;
	state.cycle = c;
	$('cycle').hidden = !c;
	drawCycle();
}

function footer() {
	const off = currentOff();
	$('zone').textContent = state.zone ? `Times in ${state.zone} (${offText(off)})` : '';
	const w = wallAt(Date.now(), off);
	$('updated').textContent = `updated ${hm(w)}:${pad(new Date(w.ms).getUTCSeconds())}`;
	$('csv').href = `/api/v1/traffic.csv?${new URLSearchParams({ ...sel(), step: 'day' })}`;
}

function emptyState(monthPoints) {
	const el = $('empty');
	const none = !monthPoints || monthPoints.every((p) => Number(p.rx) + Number(p.tx) === 0);
	const cycleEmpty = !state.cycle || Number(state.cycle.total) === 0;
	const empty = none && cycleEmpty;
	document.body.classList.toggle('is-empty', empty);
	if (!empty) {
		el.hidden = true;
		return;
	}
	el.textContent = `No data yet for ${state.router} / ${state.iface}. tikstat takes the first reading of an ` +
		'interface as its baseline and counts traffic from the next poll on; the charts fill as traffic is recorded.';
	el.hidden = false;
}

// Handles one failed request of a load: unreachable daemon or an HTTP error.
function failed(step, e) {
	if (e instanceof Unreachable) {
		showUnreachable(e);
		const c = step && state.charts[step];
		if (c && !c.buckets) c.sec.select('.msg').attr('hidden', null).text('Not loaded: the daemon does not answer.');
		return;
	}
	if (e instanceof HttpError && step) chartError(step, e);
	else console.error(e);
}

// Reloads the interface list (status, errors); the selectors are rebuilt
// only when the list of names or their status changed.
async function loadInterfaces() {
	const list = await api('/api/v1/interfaces');
	const names = (l) => JSON.stringify(l.map((i) => [i.router, i.interface, i.status, i.error]));
	const changed = names(list) !== names(state.interfaces);
	state.interfaces = list;
	if (changed && state.router !== null) fillSelectors();
	routerStatus();
}

// Loads what is shown; all = false refreshes the cycle and the live view
// only; fresh = the interface list was just loaded.
async function load(all, fresh = false) {
	const gen = state.gen;
	let ok = true;
	const guard = (step, p) => p.catch((e) => {
		ok = false;
		failed(step, e);
	});
	const tasks = [];
	if (all && !fresh) tasks.push(guard(null, loadInterfaces()));
	const cycle = guard(null, loadCycle(gen));
	tasks.push(cycle.then(() => gen === state.gen && guard('day', loadDays(gen))));
	// The empty state needs the months: not decided when they failed to load.
	if (all) tasks.push(guard('month', loadMonths(gen)).then((pts) => gen === state.gen && Array.isArray(pts) && cycle.then(() => emptyState(pts))));
	if (all) tasks.push(guard('hour', loadRecent(gen, 'hour', HOURS_SHOWN, 3600000)));
	tasks.push(guard('5min', loadRecent(gen, '5min', LIVE_HOURS, 300000)));
	await Promise.all(tasks);
	if (ok && gen === state.gen) {
		clearUnreachable();
		footer();
	}
}

async function start() {
	try {
		await loadInterfaces();
	} catch (e) {
		failed(null, e);
		if (e instanceof HttpError) {
			$('alert-text').textContent = `The daemon answered ${e.status}: ${e.message}`;
			$('alert').hidden = false;
		}
		return false;
	}
	clearUnreachable();
	if (!state.interfaces.length) {
		$('empty').textContent = 'No interfaces are configured: add a [router] section to tikstat.conf.';
		$('empty').hidden = false;
		$('main').hidden = true;
		return true;
	}
	const want = readHash();
	choose(want.router ?? state.router, want.iface ?? state.iface);
	routerStatus();
	state.gen++;
	await load(true, true);
	return true;
}

async function refresh() {
	if (document.hidden) return;
	state.ticks++;
	if (state.unreachable || !state.interfaces.length) {
		await start();
		return;
	}
	const all = state.ticks % FULL_REFRESH_EVERY === 0;
	if (!all) {
		try {
			await loadInterfaces();
		} catch (e) {
			failed(null, e);
			return;
		}
	}
	await load(all);
}

function onSelect(router, iface) {
	if (!choose(router, iface)) return;
	state.gen++;
	// Nothing of the previous interface may stay on screen under the new name.
	for (const step of Object.keys(state.charts)) {
		const c = state.charts[step];
		c.buckets = null;
		c.sec.select('.chart').selectAll('*').remove();
		c.sec.select('.table-wrap').selectAll('*').remove();
		c.sec.select('.msg').attr('hidden', true);
	}
	state.cycle = null;
	for (const id of ['c-rx', 'c-tx', 'c-total', 'c-estimate', 'c-days']) $(id).textContent = '–';
	$('quota').hidden = true;
	$('empty').hidden = true;
	document.body.classList.remove('is-empty');
	document.body.classList.add('loading');
	routerStatus();
	load(true).finally(() => document.body.classList.remove('loading'));
}

function init() {
	for (const step of Object.keys(CHARTS)) setupPanel(step);
	$('router').addEventListener('change', (e) => onSelect(e.target.value, null));
	$('interface').addEventListener('change', (e) => onSelect(state.router, e.target.value));
	$('pick').addEventListener('submit', (e) => e.preventDefault());
	$('retry').addEventListener('click', () => {
		$('retry').disabled = true;
		start().finally(() => { $('retry').disabled = false; });
	});
	addEventListener('hashchange', () => {
		const w = readHash();
		onSelect(w.router, w.iface);
	});
	let resize = 0;
	addEventListener('resize', () => {
		clearTimeout(resize);
		resize = setTimeout(() => Object.keys(state.charts).forEach((s) => state.charts[s].buckets && drawChart(s)), 150);
	});
	document.addEventListener('visibilitychange', () => !document.hidden && refresh());
	document.addEventListener('keydown', (e) => e.key === 'Escape' && hideTip(null));
	setInterval(refresh, REFRESH_MS);
	start();
}

init();
