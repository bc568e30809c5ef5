// format.js: exact sizes through JSON, IEC units, exact byte strings.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { exact, iec, parseSizes, sum, timeLeft, trim, unitOf } from '../src/format.js';

test('parseSizes keeps sizes above 2^53 exact and leaves other numbers alone', () => {
	const text = '{"rx":18446744073709551615,"tx":9007199254740993,"total":0,"quota":5,"estimate":7,' +
		'"rx_total":1,"tx_total":2,"interval":30,"used_percent":1.5}';
	assert.deepEqual(parseSizes(text), {
		rx: '18446744073709551615', tx: '9007199254740993', total: '0', quota: '5', estimate: '7',
		rx_total: '1', tx_total: '2', interval: 30, used_percent: 1.5,
	});
});

test('parseSizes reads sizes inside arrays of points', () => {
	const got = parseSizes('{"points":[{"start":"2026-01-01T00:00:00+01:00","rx":12,"tx":34}]}');
	assert.deepEqual(got.points[0], { start: '2026-01-01T00:00:00+01:00', rx: '12', tx: '34' });
});

test('unitOf picks the largest unit the value fills once, up to EiB', () => {
	assert.equal(unitOf(0), 0);
	assert.equal(unitOf(1023), 0);
	assert.equal(unitOf(1024), 1);
	assert.equal(unitOf(1024 ** 3 - 1), 2);
	assert.equal(unitOf(1024 ** 3), 3);
	assert.equal(unitOf(1024 ** 8), 6);
});

test('trim keeps three significant digits and drops trailing zeros', () => {
	assert.equal(trim(1.234), '1.23');
	assert.equal(trim(12.34), '12.3');
	assert.equal(trim(123.4), '123');
	assert.equal(trim(2.5), '2.5');
	assert.equal(trim(3), '3');
});

test('iec writes bytes plainly and larger sizes in IEC units, from Numbers or strings', () => {
	assert.equal(iec(0), '0 B');
	assert.equal(iec(1023), '1023 B');
	assert.equal(iec(1024), '1 KiB');
	assert.equal(iec('1536'), '1.5 KiB');
	assert.equal(iec(10 * 1024 ** 2), '10 MiB');
	assert.equal(iec(1.234 * 1024 ** 3), '1.23 GiB');
	assert.equal(iec('18446744073709551615'), '16 EiB');
});

test('exact groups the digits of a decimal string with narrow no-break spaces', () => {
	assert.equal(exact('0'), '0 B');
	assert.equal(exact('999'), '999 B');
	assert.equal(exact('1234567'), '1\u202f234\u202f567 B');
	assert.equal(exact('18446744073709551615'), '18\u202f446\u202f744\u202f073\u202f709\u202f551\u202f615 B');
});

test('sum adds decimal strings exactly beyond 2^53', () => {
	assert.equal(sum('9007199254740993', '1'), '9007199254740994');
	assert.equal(sum('0', '0'), '0');
});

test('timeLeft gives whole days, one day singular, else hours rounded up, never negative', () => {
	const h = 3600000;
	assert.equal(timeLeft(3 * 24 * h + 5), '3 days');
	assert.equal(timeLeft(24 * h), '1 day');
	assert.equal(timeLeft(5 * h + 1), '6 h');
	assert.equal(timeLeft(-h), '0 h');
});
