// The daemon's JSON API as the page reads it: one GET, sizes kept exact
// (format.js parseSizes), failures told apart as HttpError (the daemon
// answered, not 2xx; message: its "error" field, else the status text) and
// Unreachable (no answer at all). fetch is injected so that the callers'
// states can be tested in node with a fake one.
import { parseSizes } from './format.js';

export class HttpError extends Error {
	constructor(status, message) {
		super(message);
		this.status = status;
	}
}
export class Unreachable extends Error {}

// Returns api(path, params): the parsed answer of GET path?params (params
// an object or nothing), or a rejection with HttpError or Unreachable.
// fetchFn(url, options) has the signature of the browser's fetch.
export function apiClient(fetchFn) {
	return async (path, params) => {
		const url = params ? `${path}?${new URLSearchParams(params)}` : path;
		let text, res;
		try {
			res = await fetchFn(url, { cache: 'no-store', headers: { Accept: 'application/json' } });
			text = await res.text();
		} catch (e) {
			throw new Unreachable(e.message || String(e));
		}
		if (!res.ok) {
			let msg = res.statusText;
			try {
				msg = JSON.parse(text).error || msg;
			} catch {
				/* not JSON: keep the status text */
			}
			throw new HttpError(res.status, msg);
		}
		return parseSizes(text);
	};
}
