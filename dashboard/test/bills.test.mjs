// bills.js: the cycle panel's sentence per bill.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { billRows, billText, ordinal } from '../src/bills.js';

test('ordinal suffixes, teens included', () => {
	assert.deepEqual([1, 2, 3, 4, 11, 12, 13, 21, 22, 95, 99].map(ordinal),
		['1st', '2nd', '3rd', '4th', '11th', '12th', '13th', '21st', '22nd', '95th', '99th']);
});

// bill.h's worked example as /api/v1/bill sends it (direction both).
const example = {
	name: 'internet', counters: ['home/ether1', 'home/lte1'], direction: 'both',
	start: '2026-12-01T00:00:00+01:00', end: '2027-01-01T00:00:00+01:00',
	rx: '4125000000', tx: '1350000000', used: 5475000000, estimate: '2396117647058',
	quota: '5000000000', used_percent: 109.5, overage: 475000000, percentile: 95,
	percentile_bps: { rx: 8000000, tx: 12000000 }, billed_bps: 12000000,
	committed_bps: 10000000, rate_overage_bps: 2000000,
};

test('a bill with quota and percentile names used, share, estimate and the billed rate', () => {
	assert.equal(billText(example),
		'5.1 GiB of 4.66 GiB (109.50 %), estimate 2.18 TiB, 95th percentile 12 Mbit/s (2 Mbit/s over 10 Mbit/s)');
});

test('a bill without quota or percentile gives used and the estimate only', () => {
	const b = { name: 'kids', used: 1536, estimate: '3072', quota: null, used_percent: null, overage: 0 };
	assert.equal(billText(b), '1.5 KiB, estimate 3 KiB');
});

test('rows keep the order and mark bills over their quota', () => {
	const rows = billRows([example, { ...example, name: 'b', used_percent: 99.99 }]);
	assert.deepEqual(rows.map((r) => [r.name, r.over]), [['internet', true], ['b', false]]);
	assert.deepEqual(billRows(null), []);
});
