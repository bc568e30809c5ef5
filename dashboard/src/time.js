// Times on the wall clock of the daemon's configured zone. Pure: no DOM, no
// d3; the clock is always passed in.
//
// The API writes the zone's offset into every time string. Labels are read
// from those strings (wallOf), never through the browser's own zone. A wall
// time is { y, mo, d, h, mi, off, ms }: the fields as on the zone's clock,
// the offset in minutes and the instant in ms since the epoch.

export const MONTH_NAMES = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAY_NAMES = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const ISO = /^(\d{4})-(\d\d)-(\d\d)(?:T(\d\d):(\d\d)(?::(\d\d))?)?(Z|[+-]\d\d:?\d\d)?/;

// Wall-clock fields of an ISO string, its offset in minutes and its
// instant; null when iso is not a date.
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
export function wallAt(ms, off) {
	const t = new Date(ms + off * 60000);
	return {
		y: t.getUTCFullYear(), mo: t.getUTCMonth() + 1, d: t.getUTCDate(),
		h: t.getUTCHours(), mi: t.getUTCMinutes(), off, ms,
	};
}

export const pad = (n) => String(n).padStart(2, '0');
export const ymd = (w) => `${w.y}-${pad(w.mo)}-${pad(w.d)}`;
export const ym = (w) => `${w.y}-${pad(w.mo)}`;
export const hm = (w) => `${pad(w.h)}:${pad(w.mi)}`;
export const weekday = (w) => DAY_NAMES[new Date(Date.UTC(w.y, w.mo - 1, w.d)).getUTCDay()];
export const offText = (off) => `UTC${off < 0 ? '−' : '+'}${pad(Math.floor(Math.abs(off) / 60))}:${pad(Math.abs(off) % 60)}`;
export const isoZ = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

// Calendar arithmetic on dates (no zone involved): midnight n days or n
// months on; a month step keeps the day of the month up to the 28th.
export function addDays(w, n) {
	const t = new Date(Date.UTC(w.y, w.mo - 1, w.d + n));
	return { y: t.getUTCFullYear(), mo: t.getUTCMonth() + 1, d: t.getUTCDate(), h: 0, mi: 0, off: w.off };
}
export function addMonths(w, n) {
	const k = w.y * 12 + (w.mo - 1) + n;
	return { y: Math.floor(k / 12), mo: (k % 12) + 1, d: Math.min(w.d, 28), h: 0, mi: 0, off: w.off };
}

// "1 Mar – 31 Mar 2026" for a cycle [start, end): the last day shown is the
// one before end; the start's year only when it differs.
export function cycleRange(start, end) {
	const last = addDays(end, -1);
	return `${start.d} ${MONTH_NAMES[start.mo - 1]} ${start.y === last.y ? '' : start.y}– ${last.d} ${MONTH_NAMES[last.mo - 1]} ${last.y}`;
}

// The offset (minutes) of the configured zone at instant ms when no time
// string showed one yet (no data): "UTC+05:30" as the daemon names a zone
// without a name, else the runtime's tzdata for the zone's name; null for a
// zone the runtime does not know.
export function zoneOffset(zone, ms) {
	const sign = (c) => (c === '+' ? 1 : -1);
	const fixed = /^UTC([+\-−])(\d\d):(\d\d)$/.exec(zone);
	if (fixed) return sign(fixed[1]) * (+fixed[2] * 60 + +fixed[3]);
	try {
		const parts = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' }).formatToParts(new Date(ms));
		const m = /^GMT(?:([+\-−])(\d\d):(\d\d))?$/.exec(parts.find((p) => p.type === 'timeZoneName')?.value ?? '');
		if (!m) return null;
		return m[1] ? sign(m[1]) * (+m[2] * 60 + +m[3]) : 0;
	} catch {
		return null;
	}
}
