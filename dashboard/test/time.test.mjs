// time.js: wall-clock fields from the API's time strings, never the
// runtime's own zone.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
	addDays, addMonths, cycleRange, hm, isoZ, offText, wallAt, wallOf, weekday, ym, ymd, zoneOffset,
} from '../src/time.js';

test('wallOf reads the wall clock and the offset of an ISO string', () => {
	const w = wallOf('2026-03-29T01:30:00+05:30');
	assert.deepEqual({ ...w }, { y: 2026, mo: 3, d: 29, h: 1, mi: 30, off: 330, ms: Date.UTC(2026, 2, 28, 20, 0) });
});

test('wallOf takes negative offsets, offsets without a colon, Z and plain dates', () => {
	assert.equal(wallOf('2026-01-01T00:00:00-03:00').ms, Date.UTC(2026, 0, 1, 3));
	assert.equal(wallOf('2026-01-01T00:00-0930').off, -570);
	assert.equal(wallOf('2026-01-01T12:00:00Z').off, 0);
	assert.deepEqual({ ...wallOf('2026-02-03') }, { y: 2026, mo: 2, d: 3, h: 0, mi: 0, off: 0, ms: Date.UTC(2026, 1, 3) });
});

test('wallOf refuses what is not a date', () => {
	assert.equal(wallOf('yesterday'), null);
	assert.equal(wallOf(''), null);
});

test('wallAt is the inverse of wallOf at the same offset', () => {
	const w = wallOf('2026-10-25T02:59:00+02:00');
	const back = wallAt(w.ms, w.off);
	assert.deepEqual([back.y, back.mo, back.d, back.h, back.mi, back.off], [2026, 10, 25, 2, 59, 120]);
});

test('the short forms pad and name days by the wall-clock date', () => {
	const w = wallOf('2026-03-01T23:05:00-08:00'); // Sunday there, Monday in UTC
	assert.equal(ymd(w), '2026-03-01');
	assert.equal(ym(w), '2026-03');
	assert.equal(hm(w), '23:05');
	assert.equal(weekday(w), 'Sun');
});

test('offText writes offsets as UTC±hh:mm with a true minus sign', () => {
	assert.equal(offText(0), 'UTC+00:00');
	assert.equal(offText(330), 'UTC+05:30');
	assert.equal(offText(-570), 'UTC−09:30');
});

test('isoZ drops the milliseconds', () => {
	assert.equal(isoZ(Date.UTC(2026, 0, 2, 3, 4, 5, 678)), '2026-01-02T03:04:05Z');
});

test('addDays crosses month and year ends, addMonths clamps the day to the 28th', () => {
	const d = addDays({ y: 2026, mo: 12, d: 31, off: 60 }, 1);
	assert.deepEqual([d.y, d.mo, d.d, d.off], [2027, 1, 1, 60]);
	assert.deepEqual([addDays({ y: 2028, mo: 3, d: 1 }, -1).d], [29]);
	const m = addMonths({ y: 2026, mo: 1, d: 31 }, 1);
	assert.deepEqual([m.y, m.mo, m.d], [2026, 2, 28]);
	const back = addMonths({ y: 2026, mo: 1, d: 15 }, -13);
	assert.deepEqual([back.y, back.mo, back.d], [2024, 12, 15]);
});

test('cycleRange names the last day of the cycle and the first year only when it differs', () => {
	assert.equal(cycleRange(wallOf('2026-03-01T00:00:00+01:00'), wallOf('2026-04-01T00:00:00+02:00')), '1 Mar – 31 Mar 2026');
	assert.equal(cycleRange(wallOf('2026-12-15T00:00:00Z'), wallOf('2027-01-15T00:00:00Z')), '15 Dec 2026– 14 Jan 2027');
});

test('zoneOffset reads fixed offsets as the daemon names them and zone names from tzdata', () => {
	assert.equal(zoneOffset('UTC+05:30', 0), 330);
	assert.equal(zoneOffset('UTC−03:00', 0), -180);
	assert.equal(zoneOffset('UTC-03:00', 0), -180);
	assert.equal(zoneOffset('UTC', Date.UTC(2026, 0, 1)), 0);
	assert.equal(zoneOffset('Europe/Berlin', Date.UTC(2026, 0, 15)), 60);
	assert.equal(zoneOffset('Europe/Berlin', Date.UTC(2026, 6, 15)), 120);
	assert.equal(zoneOffset('Not/A_Zone', 0), null);
});
