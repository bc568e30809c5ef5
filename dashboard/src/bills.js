// The bills of the cycle panel: the [bill] sections that sum the selected
// interface, queue or device (GET /api/v1/bills?router=R&interface=I, the
// contract in daemon/billing.h). Pure: no DOM, no d3, no clock.
import { iec } from './format.js';
import { bps } from './live.js';

// "1st", "2nd", "3rd", "95th" ... of p (1..99).
export function ordinal(p) {
	const teen = p % 100 >= 11 && p % 100 <= 13;
	const suffix = teen ? 'th' : ({ 1: 'st', 2: 'nd', 3: 'rd' })[p % 10] || 'th';
	return `${p}${suffix}`;
}

// One bill's figures as a sentence: used (of its quota and the share),
// the estimate at the cycle's end and, for a bill with a percentile, the
// billed rate (the higher of rx and tx where it counts both).
export function billText(b) {
	let t = iec(b.used);
	if (b.quota !== null && b.quota !== undefined) t += ` of ${iec(b.quota)} (${Number(b.used_percent).toFixed(2)} %)`;
	t += `, estimate ${iec(b.estimate)}`;
	if (b.percentile) {
		t += `, ${ordinal(b.percentile)} percentile ${bps(Number(b.billed_bps))}`;
		if (b.committed_bps !== null && b.committed_bps !== undefined && Number(b.rate_overage_bps) > 0) {
			t += ` (${bps(Number(b.rate_overage_bps))} over ${bps(Number(b.committed_bps))})`;
		}
	}
	return t;
}

// The rows to show: { name, text, over } per bill, in the API's order;
// over when the bill is at or above its quota.
export function billRows(bills) {
	return (Array.isArray(bills) ? bills : []).map((b) => ({
		name: b.name,
		text: billText(b),
		over: b.quota !== null && b.quota !== undefined && Number(b.used_percent) >= 100,
	}));
}
