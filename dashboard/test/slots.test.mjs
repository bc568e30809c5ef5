// slots.js: the buckets a chart shows, and their labels and titles.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
	barTitle, daySlots, fill, firstMonthShown, monthSlots, slot, summary, tickKeys, tickText, timeSlots, titleText,
} from '../src/slots.js';
import { wallOf, ym, ymd } from '../src/time.js';

const H = 3600000;
const point = (start, rx, tx) => ({ start, rx: String(rx), tx: String(tx) });

test('monthSlots covers first to last inclusive across a year end', () => {
	const s = monthSlots({ y: 2025, mo: 11, d: 1, off: 0 }, { y: 2026, mo: 2, d: 17, off: 0 });
	assert.deepEqual(s.map((x) => x.key), ['2025-11', '2025-12', '2026-01', '2026-02']);
	assert.ok(s.every((x) => x.step === 'month' && x.start === null && x.rxs === '0'));
});

test('daySlots covers first up to end, end excluded', () => {
	const s = daySlots(wallOf('2026-02-27'), wallOf('2026-03-02'));
	assert.deepEqual(s.map((x) => x.key), ['2026-02-27', '2026-02-28', '2026-03-01']);
});

test('fill puts points into their slots exactly and skips points without one', () => {
	const s = fill(monthSlots({ y: 2026, mo: 1, d: 1, off: 60 }, { y: 2026, mo: 2, d: 1, off: 60 }), [
		point('2025-12-01T00:00:00+01:00', 5, 5),
		point('2026-02-01T00:00:00+01:00', '18446744073709551615', 7),
		{ start: 'not a time', rx: '1', tx: '1' },
	], ym);
	assert.equal(s[0].start, null);
	assert.equal(s[1].start, '2026-02-01T00:00:00+01:00');
	assert.equal(s[1].rxs, '18446744073709551615');
	assert.equal(s[1].rx, 18446744073709551615);
	assert.equal(s[1].txs, '7');
	assert.equal(s[1].tx, 7);
});

test('timeSlots aligns on the recorded buckets (half-hour zones) and fills the gaps', () => {
	const pts = [point('2026-05-01T10:00:00+05:30', 1, 2), point('2026-05-01T12:00:00+05:30', 3, 4)];
	const last = wallOf(pts[1].start).ms;
	const s = timeSlots(pts, H, last - 3 * H + 1, last + H / 2, 'hour');
	assert.deepEqual(s.map((x) => `${x.w.h}:${x.w.mi}`), ['10:0', '11:0', '12:0']);
	assert.deepEqual(s.map((x) => x.rxs), ['1', '0', '3']);
	assert.equal(s[1].w.off, 330);
	assert.equal(s[1].start, null);
});

test('timeSlots labels an empty slot with the offset of the nearest earlier record', () => {
	// Summer time ends in Berlin on 2026-10-25 at 03:00 (+02:00 -> +01:00).
	const pts = [point('2026-10-25T01:00:00+02:00', 1, 1), point('2026-10-25T03:00:00+01:00', 1, 1)];
	const first = wallOf(pts[0].start).ms;
	const s = timeSlots(pts, H, first, wallOf(pts[1].start).ms + 1, 'hour');
	assert.deepEqual(s.map((x) => `${x.w.h}${x.w.off}`), ['1120', '2120', '3120', '360']);
});

test('timeSlots without points has no slots', () => {
	assert.deepEqual(timeSlots([], H, 0, 10 * H, 'hour'), []);
});

test('firstMonthShown shows a year at least, back to the first record, never before the oldest asked', () => {
	const now = { y: 2026, mo: 6, d: 17, h: 9, mi: 0, off: 0 };
	const oldest = { y: 2024, mo: 7, d: 1, off: 0 };
	assert.equal(ym(firstMonthShown(now, null, oldest, 12)), '2025-07');
	assert.equal(ym(firstMonthShown(now, wallOf('2026-03-01T00:00:00Z'), oldest, 12)), '2025-07');
	assert.equal(ym(firstMonthShown(now, wallOf('2025-02-01T00:00:00Z'), oldest, 12)), '2025-02');
	assert.equal(ym(firstMonthShown(now, wallOf('2020-02-01T00:00:00Z'), oldest, 12)), '2024-07');
	assert.equal(firstMonthShown(now, wallOf('2025-02-01T00:00:00Z'), oldest, 12).d, 1);
});

test('tickText names the year in January, the month on the 1st, the day at midnight', () => {
	const s = (step, iso) => ({ step, w: wallOf(iso) });
	assert.equal(tickText(s('month', '2026-01-01T00:00:00Z'), false), '2026');
	assert.equal(tickText(s('month', '2026-03-01T00:00:00Z'), false), 'Mar');
	assert.equal(tickText(s('month', '2026-03-01T00:00:00Z'), true), 'Mar ’26');
	assert.equal(tickText(s('day', '2026-03-01T00:00:00Z'), false), '1 Mar');
	assert.equal(tickText(s('day', '2026-03-14T00:00:00Z'), false), '14');
	assert.equal(tickText(s('hour', '2026-03-14T00:00:00Z'), false), 'Sat 14');
	assert.equal(tickText(s('hour', '2026-03-14T09:00:00Z'), false), '09h');
	assert.equal(tickText(s('5min', '2026-03-14T09:35:00Z'), false), '09:35');
});

test('titleText names the period of a slot, up to the end of an hour or five minutes', () => {
	const s = (step, iso) => ({ step, w: wallOf(iso) });
	assert.equal(titleText(s('month', '2026-03-01T00:00:00Z')), 'Mar 2026');
	assert.equal(titleText(s('day', '2026-03-03T00:00:00Z')), 'Tue 3 Mar 2026');
	assert.equal(titleText(s('hour', '2026-03-03T23:30:00+05:30')), 'Tue 3 Mar, 23:30–00:30');
	assert.equal(titleText(s('5min', '2026-03-03T23:55:00Z')), 'Tue 3 Mar, 23:55–00:00');
});

test('barTitle gives the sizes of a record and says when there is none', () => {
	const [a, b] = fill(daySlots(wallOf('2026-03-03'), wallOf('2026-03-05')), [point('2026-03-03T00:00:00Z', 2048, 1)], ymd);
	assert.equal(barTitle(a), 'Tue 3 Mar 2026: download 2 KiB, upload 1 B');
	assert.equal(barTitle(b), 'Wed 4 Mar 2026: no record');
});

test('tickKeys takes the smallest stride whose labels fit, on round wall-clock values', () => {
	const days = daySlots(wallOf('2026-03-01'), wallOf('2026-05-01'));
	const wide = tickKeys('day', days, 61 * 24, 24);
	assert.equal(wide.size, 61);
	// Weekly: no tick after the 24th, the 1st of the next month follows.
	const weekly = tickKeys('day', days, 300, 24);
	assert.deepEqual([...weekly.keys()], ['2026-03-01', '2026-03-08', '2026-03-15', '2026-03-22',
		'2026-04-01', '2026-04-08', '2026-04-15', '2026-04-22']);
	assert.equal(weekly.get('2026-03-01'), '1 Mar');
	assert.equal(weekly.get('2026-03-08'), '8');
	const fortnightly = tickKeys('day', days, 150, 24);
	assert.deepEqual([...fortnightly.keys()], ['2026-03-01', '2026-03-15', '2026-04-01', '2026-04-15']);
});

test('tickKeys names the year at January and otherwise the first month with its year', () => {
	const months = monthSlots({ y: 2025, mo: 7, d: 1, off: 0 }, { y: 2026, mo: 6, d: 1, off: 0 });
	const t = tickKeys('month', months, 1000, 34);
	assert.equal(t.get('2025-07'), 'Jul');
	assert.equal(t.get('2026-01'), '2026');
	const noJan = tickKeys('month', monthSlots({ y: 2026, mo: 2, d: 1, off: 0 }, { y: 2026, mo: 6, d: 1, off: 0 }), 1000, 34);
	assert.equal(noJan.get('2026-02'), 'Feb ’26');
});

test('summary names the range, the records and the highest period', () => {
	const s = fill(monthSlots({ y: 2026, mo: 1, d: 1, off: 0 }, { y: 2026, mo: 3, d: 1, off: 0 }),
		[point('2026-01-01T00:00:00Z', 1024, 0), point('2026-02-01T00:00:00Z', 3072, 1024)], ym);
	assert.equal(summary('Monthly traffic', s), 'Monthly traffic, Jan 2026 to Mar 2026: 2 periods with records, ' +
		'highest 4 KiB in Feb 2026. Use the Table button for exact values.');
	assert.equal(summary('Monthly traffic', [slot('2026-01', wallOf('2026-01-01'), 'month')]), 'Monthly traffic: no records');
});
