// The slots of a chart and their words: one slot per bucket on the wall
// clock (month, day, hour, 5 minutes), with or without a record; tick
// labels, titles and the chart's summary. Pure: no DOM, no d3, no clock.
import { iec } from './format.js';
import { MONTH_NAMES, addDays, addMonths, hm, pad, wallAt, wallOf, weekday, ym, ymd } from './time.js';

// A slot: key (unique in its chart), wall time w, step ('month', 'day',
// 'hour', '5min'); rx/tx as Numbers for drawing, rxs/txs exact strings,
// start the API's time string (null: no record).
export function slot(key, w, step) {
	return { key, w, step, rx: 0, tx: 0, rxs: '0', txs: '0', start: null };
}

// Puts each point ({ start, rx, tx }) into the slot keyOf(its wall time)
// names; points without a slot are left out. Returns slots.
export function fill(slots, points, keyOf) {
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

// Slots for the months [first, last], keyed "YYYY-MM".
export function monthSlots(first, last) {
	const out = [];
	for (let w = first; ym(w) <= ym(last); w = addMonths(w, 1)) out.push(slot(ym(w), w, 'month'));
	return out;
}

// Slots for the days [first, end), keyed "YYYY-MM-DD".
export function daySlots(first, end) {
	const out = [];
	for (let w = first; ymd(w) < ymd(end); w = addDays(w, 1)) out.push(slot(ymd(w), w, 'day'));
	return out;
}

// Slots of size ms over [from, to), keyed by their instant, filled with
// points, aligned on a bucket start seen in the data (hours in half-hour
// zones start at :30 UTC). No points: no slots.
export function timeSlots(points, size, from, to, step) {
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

// The first month shown: a year back at least, back to the first record
// when that is earlier, never before oldest (the first month asked for).
export function firstMonthShown(now, firstRecord, oldest, least) {
	let shown = addMonths({ ...now, d: 1 }, -(least - 1));
	if (firstRecord && ym(firstRecord) < ym(shown)) shown = ym(firstRecord) < ym(oldest) ? oldest : { ...firstRecord, d: 1 };
	return { ...shown, d: 1 };
}

// The label of slot s under its tick; first: the leftmost tick, which
// names the year or month the others leave out.
export function tickText(s, first) {
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

// The period slot s covers, in words: "Mar 2026", "Tue 3 Mar 2026",
// "Tue 3 Mar, 14:00–15:00".
export function titleText(s) {
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

// The title of a bar: its period and sizes, or that it has no record.
export function barTitle(s) {
	return s.start ? `${titleText(s)}: download ${iec(s.rx)}, upload ${iec(s.tx)}` : `${titleText(s)}: no record`;
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

// The ticks of a chart of step over buckets, width px wide with px per
// label: a Map from slot key to label, in slot order.
export function tickKeys(step, buckets, width, px) {
	const t = TICKS[step];
	let pick = [];
	for (const stride of t.strides) {
		pick = buckets.filter((b) => t.pos(b.w) % stride === 0 && (!t.ok || t.ok(b.w, stride)));
		if (pick.length * px <= width) break;
	}
	const hasJan = step === 'month' && pick.some((b) => b.w.mo === 1);
	return new Map(pick.map((b, i) => [b.key, tickText(b, i === 0 && !hasJan && step !== 'hour')]));
}

// What a chart named name shows, in one sentence (its aria-label).
export function summary(name, buckets) {
	const rec = buckets.filter((b) => b.start);
	if (!rec.length) return `${name}: no records`;
	const max = rec.reduce((a, b) => (a.rx + a.tx >= b.rx + b.tx ? a : b));
	return `${name}, ${titleText(buckets[0])} to ${titleText(buckets[buckets.length - 1])}: ` +
		`${rec.length} ${rec.length === 1 ? 'period' : 'periods'} with records, highest ${iec(max.rx + max.tx)} in ${titleText(max)}. ` +
		'Use the Table button for exact values.';
}
