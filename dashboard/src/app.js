// tikstat dashboard, the wiring: state, the daemon's JSON API (same origin),
// selectors, hash routing, and the panels (billing cycle, four bar charts:
// months, days, hours, recent 5-minute steps; the per-second "Live" panel of
// livepanel.js), and the "Who" view of whopanel.js (shown when a router has
// devices or queues). The only module with side effects; main.js calls init().
// Sizes and times follow the rules of format.js (exact decimal strings) and
// time.js (the configured zone's wall clock); the charts are chart.js,
// their slots and words slots.js.
import { select } from 'd3-selection';
import { BarChart } from './chart.js';
import { LivePanel } from './livepanel.js';
import { WhoPanel, counterHash } from './whopanel.js';
import { whoRouters, whoSelection } from './who.js';
import { HttpError, Unreachable, apiClient } from './api.js';
import { billRows } from './bills.js';
import { exact, iec, sum, timeLeft } from './format.js';
import {
	addMonths, cycleRange, hm, isoZ, offText, pad, wallAt, wallOf, ymd, ym, zoneOffset,
} from './time.js';
import {
	barTitle, daySlots, fill, firstMonthShown, monthSlots, summary, tickKeys, timeSlots, titleText,
} from './slots.js';

const REFRESH_MS = 30000; // recent 5-minute view and cycle
const FULL_REFRESH_EVERY = 10; // every 10th refresh reloads all charts
const MONTHS_SHOWN = 24; // at most
const MONTHS_MIN = 12; // at least, when the history is shorter
const HOURS_SHOWN = 48;
const RECENT_HOURS = 6;

const $ = (id) => document.getElementById(id);

// ---------- API ----------

const api = apiClient((url, opt) => fetch(url, opt));

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
	view: 'traffic', // or 'who'
	whoRouters: new Map(), // routers with devices or queues: their kinds
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
	return { who: p.get('view') === 'who', params: p, router: p.get('router'), iface: p.get('interface') };
}

function replaceHash(h) {
	if (location.hash !== h) history.replaceState(null, '', h);
}

// The traffic view's selection into the URL (the Who view writes its own).
function writeHash() {
	const h = counterHash(state.router, state.iface);
	$('tab-traffic').setAttribute('href', h);
	if (state.view === 'traffic') replaceHash(h);
}

const KIND_GROUPS = [['interface', 'Interfaces'], ['queue', 'Queues'], ['device', 'Devices']];

// An entry of the interface selector: the display name of a queue or a
// device with its key, an interface as named.
function entryOption(i) {
	const down = i.status === 'down' || (i.error && i.error !== '');
	const mark = i.status === 'missing' ? ' (missing)' : down ? ' (down)' : '';
	const named = i.name && i.name !== i.interface && (i.kind ?? 'interface') !== 'interface';
	const text = named ? `${i.name} (${i.interface})` : i.interface;
	return new Option(`${text}${mark}`, i.interface, false, i.interface === state.iface);
}

function fillSelectors() {
	const routers = [...new Set(state.interfaces.map((i) => i.router))];
	const rs = $('router');
	rs.replaceChildren(...routers.map((r) => new Option(r, r, false, r === state.router)));
	const is = $('interface');
	const ifaces = state.interfaces.filter((i) => i.router === state.router);
	// Queues and devices, when the router has any, in groups of their own.
	const groups = KIND_GROUPS.map(([k, label]) => [label, ifaces.filter((i) => (i.kind ?? 'interface') === k)])
		.filter(([, l]) => l.length);
	if (groups.length <= 1) {
		is.replaceChildren(...ifaces.map(entryOption));
		return;
	}
	is.replaceChildren(...groups.map(([label, l]) => {
		const g = document.createElement('optgroup');
		g.label = label;
		g.append(...l.map(entryOption));
		return g;
	}));
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
	'5min': { id: 'recent', name: 'Traffic in 5-minute steps', tickPx: 56 },
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
	const chart = { sec, buckets: null };
	chart.bars = new BarChart(sec.select('.chart').node(), {
		title: c.name,
		tickPx: c.tickPx,
		barTitle,
		markText: step === 'day' ? 'this cycle' : null,
		onPoint: (i, node) => showTip(chart, i, node),
		onLeave: () => hideTip(chart),
	});
	state.charts[step] = chart;
}

function showTip(chart, i, anchor) {
	const s = chart.buckets[i];
	const tip = $('tip');
	tip.replaceChildren();
	const h = document.createElement('strong');
	h.textContent = titleText(s);
	tip.append(h);
	if (!s.start) {
		tip.append(Object.assign(document.createElement('div'), { textContent: 'no record' }));
	} else {
		for (const [cls, label, v] of [['rx', 'Download', s.rxs], ['tx', 'Upload', s.txs], ['', 'Total', sum(s.rxs, s.txs)]]) {
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
	chart.bars.highlight(i);
}

function hideTip(chart) {
	$('tip').hidden = true;
	if (chart) chart.bars.highlight(-1);
}

// Redraws the chart and table of step from its buckets (null: nothing
// loaded).
function drawChart(step) {
	const chart = state.charts[step];
	const { sec, buckets } = chart;
	hideTip(null);
	if (!buckets) {
		chart.bars.clear();
		return;
	}
	const msg = sec.select('.msg');
	const rec = buckets.filter((b) => b.start);
	const hasTraffic = rec.some((b) => b.rx + b.tx > 0);
	msg.attr('hidden', hasTraffic ? true : null)
		.text(hasTraffic ? '' : rec.length ? 'No traffic in this period.' : 'No data yet for this period.');
	sec.classed('no-data', !hasTraffic);
	drawTable(step);
	if (!buckets.length) {
		chart.bars.clear();
		return;
	}
	if (!state.drawn) {
		state.drawn = true;
		performance.mark('tikstat-first-chart');
	}
	// A hidden chart (table view, empty state) measures 0: take the page's width.
	const width = Math.max(280, sec.select('.chart').node().clientWidth || $('main').clientWidth - 30);
	// The days chart marks where the current cycle begins.
	const cw = step === 'day' && state.cycle && wallOf(state.cycle.start);
	chart.bars.update({
		slots: buckets,
		width,
		label: summary(CHARTS[step].name, buckets),
		ticks: (iw, px) => tickKeys(step, buckets, iw, px),
		mark: cw ? ymd(cw) : null,
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
	for (const f of [(b) => b.rxs, (b) => b.txs, (b) => sum(b.rxs, b.txs)]) {
		const td = tr.append('td');
		td.append('span').text((b) => iec(f(b)));
		td.append('small').text((b) => exact(f(b)));
	}
	if (!rows.length) t.append('tbody').append('tr').append('td').attr('colspan', 4).text('No records.');
}

function chartError(step, err) {
	const { sec, bars } = state.charts[step];
	state.charts[step].buckets = null;
	bars.clear();
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
	const shownFirst = firstMonthShown(now, firstRec, first, MONTHS_MIN);
	state.charts.month.buckets = fill(monthSlots(shownFirst, now), points, ym);
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
	$('cycle-range').textContent = cycleRange(cs, ce);
	for (const [id, v] of [['c-rx', c.rx], ['c-tx', c.tx], ['c-total', c.total], ['c-estimate', c.estimate]]) {
		const el = $(id);
		el.textContent = iec(v);
		el.title = exact(v);
		el.dataset.bytes = v;
	}
	$('c-days').textContent = timeLeft(ce.ms - Date.now());
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

// The bills that sum the selected counter (bills.js), under the cycle's
// figures; hidden when none does.
function drawBills(bills) {
	const rows = billRows(bills);
	$('bills').hidden = rows.length === 0;
	$('bills-list').replaceChildren(...rows.map((r) => {
		const li = document.createElement('li');
		const name = document.createElement('b');
		name.textContent = r.name;
		li.dataset.bill = r.name;
		li.classList.toggle('over', r.over);
		li.append(name, ` ${r.text}`);
		return li;
	}));
}

async function loadBills(gen) {
	let bills;
	try {
		bills = await api('/api/v1/bills', sel());
	} catch (e) {
		// A tikstatd without bills (404), or a router it does not know.
		if (!(e instanceof HttpError)) throw e;
		bills = [];
	}
	if (gen !== state.gen) return;
	drawBills(bills);
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
	const names = (l) => JSON.stringify(l.map((i) => [i.router, i.interface, i.status, i.error, i.kind, i.name]));
	const changed = names(list) !== names(state.interfaces);
	state.interfaces = list;
	if (changed && state.router !== null) fillSelectors();
	if (changed) updateViews();
	routerStatus();
}

// ---------- views: traffic and "Who" ----------

// The Who view's tab shows when a router has devices or queues; without
// any, the page is the traffic view alone.
function updateViews() {
	state.whoRouters = whoRouters(state.interfaces);
	const has = state.whoRouters.size > 0;
	$('views').hidden = !has;
	whoPanel.setRouters(state.whoRouters);
	if (!has && state.view === 'who') toTraffic(state.router, state.iface);
}

function setView(view) {
	state.view = view;
	const who = view === 'who';
	document.body.classList.toggle('view-who', who);
	$('who').hidden = !who;
	$('tab-traffic').setAttribute('aria-current', who ? 'false' : 'page');
	$('tab-who').setAttribute('aria-current', who ? 'page' : 'false');
}

// Opens the Who view on the selection the hash parameters p ask for (or
// the nearest valid one); false when no router has devices or queues.
function openWho(p) {
	const sel = whoSelection(p, state.whoRouters);
	if (!sel) return false;
	setView('who');
	hideTip(null);
	livePanel.show(null, null); // no live stream held for a view not shown
	whoPanel.show(sel);
	return true;
}

// Back to the traffic view (from the Who view: everything reloads, as
// nothing was refreshed meanwhile) on router/iface.
function toTraffic(router, iface) {
	const was = state.view;
	setView('traffic');
	onSelect(router ?? state.router, iface ?? state.iface, was === 'who');
}

// Loads what is shown; all = false refreshes the cycle and the recent view
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
	tasks.push(guard(null, loadBills(gen)));
	// The empty state needs the months: not decided when they failed to load.
	if (all) tasks.push(guard('month', loadMonths(gen)).then((pts) => gen === state.gen && Array.isArray(pts) && cycle.then(() => emptyState(pts))));
	if (all) tasks.push(guard('hour', loadRecent(gen, 'hour', HOURS_SHOWN, 3600000)));
	tasks.push(guard('5min', loadRecent(gen, '5min', RECENT_HOURS, 300000)));
	await Promise.all(tasks);
	if (ok && gen === state.gen) {
		clearUnreachable();
		footer();
	}
}

// The per-second rate panel (livepanel.js): hidden while tikstatd has no
// live stream for the interface.
let livePanel = null;
// The "Who" view (whopanel.js): built always, shown on its tab.
let whoPanel = null;

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
	if (want.who && state.whoRouters.size) setView('who');
	choose(want.router ?? state.router, want.iface ?? state.iface);
	if (state.view === 'who') return openWho(want.params);
	livePanel.show(state.router, state.iface);
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
	if (!all || state.view === 'who') {
		try {
			await loadInterfaces();
		} catch (e) {
			failed(null, e);
			return;
		}
	}
	if (state.view === 'who') await whoPanel.refresh();
	else await load(all);
}

// Shows router/iface in the traffic view; force: reload even when the
// selection is the one shown.
function onSelect(router, iface, force = false) {
	if (!choose(router, iface) && !force) return;
	livePanel.show(state.router, state.iface);
	state.gen++;
	// Nothing of the previous interface may stay on screen under the new name.
	for (const step of Object.keys(state.charts)) {
		const c = state.charts[step];
		c.buckets = null;
		c.bars.clear();
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

// Builds the panels, wires the selectors, the URL hash, the refresh timer
// and the page's events, and starts loading. Call once, after the DOM of
// index.html is there.
export function init() {
	for (const step of Object.keys(CHARTS)) setupPanel(step);
	livePanel = new LivePanel($('rate'));
	whoPanel = new WhoPanel($('who'), api, {
		hash: (h) => {
			$('tab-who').setAttribute('href', h);
			if (state.view === 'who') replaceHash(h);
		},
		pick: (h) => {
			location.hash = h;
		},
		loaded: (err) => (err ? showUnreachable(err) : clearUnreachable()),
	});
	$('router').addEventListener('change', (e) => onSelect(e.target.value, null));
	$('interface').addEventListener('change', (e) => onSelect(state.router, e.target.value));
	$('pick').addEventListener('submit', (e) => e.preventDefault());
	$('retry').addEventListener('click', () => {
		$('retry').disabled = true;
		start().finally(() => { $('retry').disabled = false; });
	});
	addEventListener('hashchange', () => {
		const w = readHash();
		if (w.who && openWho(w.params)) return;
		if (state.view === 'who') toTraffic(w.router, w.iface);
		else onSelect(w.router, w.iface);
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
