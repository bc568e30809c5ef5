// Sizes as the dashboard shows them. Pure: no DOM, no d3, no clock.
//
// Sizes are exact unsigned 64-bit integers. JSON.parse would round those
// above 2^53, so size fields are turned into strings before parsing
// (parseSizes); charts use Number(), while data-rx/data-tx attributes,
// tooltips and tables keep the exact string.

export const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];
const SIZE_KEYS = /"(rx|tx|total|estimate|quota|rx_total|tx_total)":(\d+)/g;

// JSON with the size fields kept as exact decimal strings.
export function parseSizes(text) {
	return JSON.parse(text.replace(SIZE_KEYS, '"$1":"$2"'));
}

// Index in UNITS of the largest unit that max fills at least once.
export function unitOf(max) {
	let u = 0;
	while (u < UNITS.length - 1 && max >= 1024 ** (u + 1)) u++;
	return u;
}

// Three significant digits at most, no trailing zeros: 1.23, 12.3, 123.
export function trim(v) {
	const digits = v >= 100 ? 0 : v >= 10 ? 1 : 2;
	return String(+v.toFixed(digits));
}

// "1.23 GiB"; n a Number or a decimal string.
export function iec(n) {
	n = Number(n);
	const u = unitOf(n);
	return u === 0 ? `${n} B` : `${trim(n / 1024 ** u)} ${UNITS[u]}`;
}

// "1 234 567 B", exact, from a decimal string (narrow no-break spaces).
export function exact(s) {
	return `${String(s).replace(/\B(?=(\d{3})+(?!\d))/g, '\u202f')} B`;
}

// The exact sum of two decimal strings, as a decimal string.
export function sum(a, b) {
	return String(BigInt(a) + BigInt(b));
}

// Time left until a cycle ends: "3 days", "1 day", else hours rounded up.
export function timeLeft(ms) {
	const left = Math.max(0, ms);
	const days = Math.floor(left / 86400000);
	return days >= 1 ? `${days} ${days === 1 ? 'day' : 'days'}` : `${Math.ceil(left / 3600000)} h`;
}
