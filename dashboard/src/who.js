// The "Who" view's pure parts: which routers have devices or queues, the
// ranked rows of an answer with their shares, sorting, the view's URL
// state and its words. Pure: no DOM, no d3, no clock.
//
// The API contract this view is built against (the daemon side comes with
// issue 12; until then no router lists a device or queue, and the view
// stays hidden):
//
//   GET /api/v1/top?router=R&kind=device|queue&period=cycle|last_cycle|today
//   -> {"router":R,"kind":K,"period":P,"start":ISO,"end":ISO,
//       "total":{"rx":N,"tx":N},
//       "items":[{"interface":"AA:BB:CC:DD:EE:FF" | "queue name",
//                 "name":"display name","address":"192.168.88.10" | null,
//                 "rx":N,"tx":N}, ...]}
//   items sorted by rx+tx descending, at most 1000; total sums every
//   counter of the kind (also those beyond the 1000 listed). For a device
//   rx is download (to the device), tx upload. 404 {"error"} for an
//   unknown router, 400 for a bad kind or period; a kind with no counters
//   answers items [].
//   /api/v1/interfaces entries carry "kind" ("interface" | "queue" |
//   "device") and "name" (display name); /api/v1/traffic?router=R&
//   interface=MAC-or-queue-name gives a counter's series as for an
//   interface.
//
// Sizes are exact decimal strings (format.js parseSizes); shares are
// computed on them with BigInt, so a share is exact however large the
// counters.
import { iec } from './format.js';
import { MONTH_NAMES, cycleRange, wallOf, weekday } from './time.js';

// The kinds the view ranks, in the order of its switch.
export const KINDS = [
	{ kind: 'device', label: 'Devices', one: 'device', many: 'devices' },
	{ kind: 'queue', label: 'Queues', one: 'queue', many: 'queues' },
];

// The periods of its switch; the first is the default.
export const PERIODS = [
	{ period: 'cycle', label: 'This cycle' },
	{ period: 'last_cycle', label: 'Last cycle' },
	{ period: 'today', label: 'Today' },
];

// Bars in the chart: the top counters by total.
export const TOP_N = 15;

const kindOf = (k) => KINDS.find((x) => x.kind === k);

// The routers the view offers: a Map from router name to the kinds it has
// (KINDS order), in the order routers first appear in interfaces (the
// entries of /api/v1/interfaces). Routers with neither are left out, so an
// empty Map means the view is hidden.
export function whoRouters(interfaces) {
	const seen = new Map();
	for (const i of interfaces) {
		if (!kindOf(i.kind)) continue;
		if (!seen.has(i.router)) seen.set(i.router, new Set());
		seen.get(i.router).add(i.kind);
	}
	const out = new Map();
	for (const [r, kinds] of seen) out.set(r, KINDS.map((k) => k.kind).filter((k) => kinds.has(k)));
	return out;
}

// The share of part in whole (decimal strings) in percent, exact to
// 1e-10 and rounded down (so that a small part of a huge whole is not 0);
// 0 when whole is 0.
export function shareOf(part, whole) {
	const w = BigInt(whole);
	if (w === 0n) return 0;
	return Number((BigInt(part) * 1000000000000n) / w) / 1e10;
}

// A share as shown: one decimal, "< 0.1 %" for a share too small to show
// but not nothing.
export function shareText(p) {
	if (p > 0 && p < 0.05) return '< 0.1 %';
	return `${(Math.round(p * 10) / 10).toFixed(1)} %`;
}

// The rows of an answer, in its order (rank 1 first): key (the counter's
// interface= value), name (the key when the answer has none), address
// (null when none), rxs/txs/totals exact strings, rx/tx/total Numbers for
// drawing and sorting, share (percent of the answer's total, both
// directions). Throws on an answer that is not of the contract.
export function whoRows(answer) {
	if (!answer || !Array.isArray(answer.items) || !answer.total) throw new Error('not an answer of /api/v1/top');
	const whole = BigInt(answer.total.rx) + BigInt(answer.total.tx);
	return answer.items.map((it, i) => {
		const totals = String(BigInt(it.rx) + BigInt(it.tx));
		return {
			key: String(it.interface),
			name: it.name ? String(it.name) : String(it.interface),
			address: it.address ? String(it.address) : null,
			rxs: String(it.rx),
			txs: String(it.tx),
			totals,
			rx: Number(it.rx),
			tx: Number(it.tx),
			total: Number(totals),
			share: whole === 0n ? 0 : shareOf(totals, whole),
			rank: i + 1,
		};
	});
}

// An address as a sort key: IPv4 numerically (10.0.0.9 before 10.0.0.10),
// before anything else, which sorts as text.
function addressKey(a) {
	const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(a);
	if (!m) return [1, a.toLowerCase()];
	return [0, m.slice(1).map((x) => x.padStart(3, '0')).join('.')];
}

function compareAddress(a, b) {
	const [ka, kb] = [addressKey(a), addressKey(b)];
	return ka[0] - kb[0] || (ka[1] < kb[1] ? -1 : ka[1] > kb[1] ? 1 : 0);
}

const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

// The columns a table can be sorted by and how; share sorts as the total.
export const SORTS = {
	name: { label: 'Name', text: true, cmp: (a, b) => collator.compare(a.name, b.name) },
	address: { label: 'Address', text: true, cmp: (a, b) => compareAddress(a.address, b.address) },
	rx: { label: 'Download', cmp: (a, b) => cmpBig(a.rxs, b.rxs) },
	tx: { label: 'Upload', cmp: (a, b) => cmpBig(a.txs, b.txs) },
	total: { label: 'Total', cmp: (a, b) => cmpBig(a.totals, b.totals) },
	share: { label: 'Share', cmp: (a, b) => cmpBig(a.totals, b.totals) },
};

function cmpBig(a, b) {
	const [x, y] = [BigInt(a), BigInt(b)];
	return x < y ? -1 : x > y ? 1 : 0;
}

// The default direction of a column: text ascending, sizes descending.
export const defaultDesc = (by) => !SORTS[by].text;

// A new array of rows sorted by column by (a SORTS key), descending when
// desc; rows without an address go last either way; ties keep the rank.
export function sortRows(rows, by, desc) {
	const s = SORTS[by] ?? SORTS.total;
	const sign = desc ? -1 : 1;
	return [...rows].sort((a, b) => {
		if (by === 'address' && (a.address === null || b.address === null)) {
			return (a.address === null) - (b.address === null) || a.rank - b.rank;
		}
		return sign * s.cmp(a, b) || a.rank - b.rank;
	});
}

// The chart's rows: the first n of the ranking (the answer's order, by
// total), whatever the table's order.
export function topRows(rows, n = TOP_N) {
	return rows.slice(0, n);
}

// The view's selection from the URL hash's parameters p (URLSearchParams)
// and the routers of whoRouters(): a router that has devices or queues
// (the asked one, else the first), one of its kinds, a known period. null
// when no router has either.
export function whoSelection(p, routers) {
	if (!routers.size) return null;
	const router = routers.has(p.get('router')) ? p.get('router') : routers.keys().next().value;
	const kinds = routers.get(router);
	const kind = kinds.includes(p.get('kind')) ? p.get('kind') : kinds[0];
	const period = PERIODS.some((x) => x.period === p.get('period')) ? p.get('period') : PERIODS[0].period;
	return { router, kind, period };
}

// The URL hash of a selection: "#view=who&router=…&kind=…&period=…".
export function whoHash(sel) {
	return `#${new URLSearchParams({ view: 'who', router: sel.router, kind: sel.kind, period: sel.period })}`;
}

// The period an answer covers, in words on the zone's wall clock: a cycle
// as "1 Mar – 31 Mar 2026", today as "Tue 3 Mar 2026"; '' when the answer
// has no usable times.
export function periodText(answer) {
	const s = wallOf(answer.start || '');
	const e = wallOf(answer.end || '');
	if (!s || !e) return '';
	if (answer.period === 'today') {
		return `${weekday(s)} ${s.d} ${MONTH_NAMES[s.mo - 1]} ${s.y}`;
	}
	return cycleRange(s, e);
}

// What the view says when the router counts none of kind: why, and what
// to turn on.
export function emptyText(router, kind) {
	if (kind === 'queue') {
		return `Router ${router} has no simple queues counted in this period. tikstat counts the router's ` +
			'simple queues (/queue simple) when its [router] section sets queues.';
	}
	return `Router ${router} has no devices counted in this period. tikstat counts devices from the ` +
		"router's kid-control device table (RouterOS 7, /ip kid-control device) when its [router] section " +
		'sets devices = kid-control; enable kid-control on the router to fill it.';
}

// The words of a failed request: an HTTP error's status and message.
export function errorText(err) {
	if (err.status === 404) return `Not found: ${err.message}. The router may have been removed from the configuration.`;
	return `Could not load: ${err.message} (HTTP ${err.status}).`;
}

// The chart's aria-label: what it shows in one sentence.
export function chartLabel(rows, kind, total) {
	const k = kindOf(kind) ?? KINDS[0];
	if (!rows.length) return `Top ${k.many}: none`;
	const top = rows[0];
	return `Top ${rows.length} ${rows.length === 1 ? k.one : k.many} by traffic, of ${iec(total)} in all; ` +
		`highest ${top.name} with ${iec(top.totals)} (${shareText(top.share)}). The table below has every one.`;
}

// A bar's <title>: the counter's name, sizes and share.
export function rowTitle(r) {
	return `${r.name}${r.address ? ` (${r.address})` : ''}: download ${iec(r.rxs)}, upload ${iec(r.txs)}, ` +
		`${shareText(r.share)} of the total`;
}

// The counts line under the switches: "23 devices, 1.2 GiB in all".
export function countText(rows, kind, total) {
	const k = kindOf(kind) ?? KINDS[0];
	return `${rows.length} ${rows.length === 1 ? k.one : k.many}, ${iec(total)} in all`;
}
