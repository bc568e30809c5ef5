// WhoModel: the "Who" view's state, apart from the page: the selection
// (router, kind, period), the last answer of /api/v1/top as ranked rows,
// the table's sort, and whether the view is loading, has rows, has none
// (empty), or failed (HTTP error, daemon unreachable). The API function is
// injected (api.js apiClient), so every state is tested in node with a
// fake fetch; the page (whopanel.js) draws whatever view() returns.
import { HttpError, Unreachable } from './api.js';
import { defaultDesc, sortRows, topRows, whoRows } from './who.js';

export class WhoModel {
	// api(path, params): a function of api.js apiClient; onChange(view):
	// called after every change of view().
	constructor(api, onChange) {
		this.api = api;
		this.onChange = onChange;
		this.sel = null;
		this.gen = 0; // bumped on every selection: late answers are dropped
		this.state = 'idle';
		this.rows = [];
		this.answer = null;
		this.error = null;
		this.sort = { by: 'total', desc: true };
	}

	// Shows sel ({ router, kind, period }) and loads it. The same selection
	// again only reloads, keeping what is shown meanwhile.
	select(sel) {
		const same = this.sel && ['router', 'kind', 'period'].every((k) => this.sel[k] === sel[k]);
		if (!same) {
			this.sel = { ...sel };
			this.gen++;
			this.state = 'loading';
			this.rows = [];
			this.answer = null;
			this.error = null;
			this.changed();
		}
		return this.load();
	}

	// Reloads the selection (the refresh timer); resolves when done, never
	// rejects: a failure is a state.
	async load() {
		if (!this.sel) return;
		const gen = this.gen;
		let answer;
		try {
			answer = await this.api('/api/v1/top', this.sel);
			if (gen !== this.gen) return;
			this.rows = whoRows(answer);
		} catch (e) {
			if (gen !== this.gen) return;
			this.fail(e);
			return;
		}
		this.answer = answer;
		this.error = null;
		this.state = this.rows.length ? 'ready' : 'empty';
		this.changed();
	}

	// A failed load: unreachable keeps the rows shown (marked out of date by
	// the page), an HTTP error or a malformed answer replaces them.
	fail(e) {
		this.error = e;
		if (e instanceof Unreachable) {
			this.state = 'unreachable';
		} else {
			this.state = 'error';
			this.rows = [];
			this.answer = null;
			if (!(e instanceof HttpError)) this.error = new HttpError(0, e.message);
		}
		this.changed();
	}

	// Sorts the table by column by (who.js SORTS); the same column again
	// turns the direction round.
	sortBy(by) {
		this.sort = this.sort.by === by ? { by, desc: !this.sort.desc } : { by, desc: defaultDesc(by) };
		this.changed();
	}

	// What the page shows: state ('idle', 'loading', 'ready', 'empty',
	// 'error', 'unreachable'), sel, answer, rows in the table's order, top
	// (the chart's rows, by total), error, sort, gen (changes with the
	// selection).
	view() {
		return {
			state: this.state,
			sel: this.sel,
			answer: this.answer,
			rows: sortRows(this.rows, this.sort.by, this.sort.desc),
			top: topRows(this.rows),
			error: this.error,
			sort: { ...this.sort },
			gen: this.gen,
		};
	}

	changed() {
		this.onChange(this.view());
	}
}
