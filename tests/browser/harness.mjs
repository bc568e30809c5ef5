// What the dashboard's browser test and benchmark share: the fake router
// (simulator: control channel on stdin, "ready" on stdout), a real
// tikstatd on a free loopback port, traffic the fake router counts exactly,
// and Debian's Chromium driven by playwright-core (never a downloaded
// browser). Only 127.0.0.1 is ever contacted.
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { parseSizes } from '../../dashboard/src/format.js';

export const PASSWORD = 'browser-Secret-9c1e';
export const IFACES = { home: ['ether1', 'ether2 lan', 'bridge', 'ether9'], office: ['ether1'] };
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
	'--disable-component-update', '--disable-sync', '--no-first-run'];

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Percent-encodes an interface name for the fake router's control channel.
export const pct = (name) => [...Buffer.from(name, 'latin1')]
	.map((b) => (b > 0x20 && b < 0x7f && b !== 0x25 ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`))
	.join('');

// JSON with the sizes kept exact (decimal strings): the dashboard's own
// parser, so the test reads the API exactly as the page does.
export { parseSizes } from '../../dashboard/src/format.js';

// The options of a browser test (script: its file name, for the usage
// line): --tikstatd, --tikstat, --fakerouter (the programs), --out (the
// screenshots' directory, created), --chromium, --keep (the work
// directory is left for a look). Exits 2 when a program is missing.
export function testOptions(script) {
	const { values: opt } = parseArgs({
		options: {
			tikstatd: { type: 'string' },
			tikstat: { type: 'string' },
			fakerouter: { type: 'string' },
			out: { type: 'string', default: '.' },
			chromium: { type: 'string', default: '/usr/bin/chromium' },
			keep: { type: 'boolean', default: false },
		},
	});
	for (const k of ['tikstatd', 'tikstat', 'fakerouter']) {
		if (!opt[k]) {
			console.error(`usage: ${script} --tikstatd BIN --tikstat BIN --fakerouter BIN --out DIR (missing --${k})`);
			process.exit(2);
		}
	}
	mkdirSync(opt.out, { recursive: true });
	return opt;
}

// The checks of a test, each printed as "ok - name" or "not ok - name"
// with the error's stack; a failed check does not stop the next ones.
export class Checks {
	constructor() {
		this.passed = 0;
		this.failed = 0;
	}

	async check(name, fn) {
		try {
			await fn();
			this.passed++;
			console.log(`ok - ${name}`);
		} catch (e) {
			this.failed++;
			console.log(`not ok - ${name}\n  ${String(e.stack || e).split('\n').join('\n  ')}`);
		}
	}

	// The test as a whole could not run (e: why).
	broken(e) {
		this.failed++;
		console.log(`not ok - the test could not run: ${e.stack || e}`);
	}
}

// Throws unless got and want are the same as JSON.
export function equal(got, want, what) {
	const g = JSON.stringify(got);
	const w = JSON.stringify(want);
	if (g !== w) throw new Error(`${what}: got ${g}, want ${w}`);
}

// What the pages of a test did wrong: uncaught exceptions and console
// errors (other than a refused connection's) in errors, every request
// that leaves base (other than data: URLs) in external.
export class PageWatch {
	constructor(base) {
		this.base = base;
		this.errors = [];
		this.external = [];
	}

	// Watches page; returns it.
	watch(page) {
		page.on('pageerror', (e) => this.errors.push(e.message));
		page.on('console', (m) => m.type() === 'error' && !/Failed to load resource|ERR_CONNECTION_REFUSED/.test(m.text()) && this.errors.push(m.text()));
		page.on('request', (r) => !r.url().startsWith(this.base) && !r.url().startsWith('data:') && this.external.push(r.url()));
		return page;
	}

	// A new desktop-sized page (1200 × 900, light) in a new context of
	// browser, watched, at path of base; returns { ctx, page }.
	async open(browser, path) {
		const ctx = await browser.newContext({ viewport: { width: 1200, height: 900 }, colorScheme: 'light' });
		const page = this.watch(await ctx.newPage());
		await page.goto(this.base + path);
		return { ctx, page };
	}

	// Throws unless nothing went wrong.
	clean() {
		equal(this.errors, [], 'page errors');
		equal(this.external, [], 'external requests');
	}
}

// Ends a test: checks the pages of watch (a PageWatch, or null), closes
// the browser, stops tikstatd and the fake router, prints tikstatd's log
// tail when a check failed, removes the work directory (unless keep),
// prints the count and exits (1 when a check failed).
export async function finish(checks, { stack, browser, watch, keep }) {
	if (watch) await checks.check('no page errors and no request leaves the daemon', () => watch.clean());
	if (browser) await browser.close().catch(() => {});
	const status = checks.failed ? 1 : 0;
	if (stack) {
		await stack.daemon.stop().catch(() => {});
		stack.fake.stop();
		if (status !== 0) {
			try {
				console.log('# tikstatd log (tail):');
				console.log(readFileSync(stack.log, 'utf8').split('\n').slice(-40).map((l) => `#   ${l}`).join('\n'));
			} catch {
				/* no log */
			}
		}
		if (!keep) rmSync(stack.dir, { recursive: true, force: true });
		else console.log(`# kept ${stack.dir}`);
	}
	console.log(`${checks.passed} passed, ${checks.failed} failed`);
	process.exit(status);
}

// Polls fn until it returns something truthy; throws after ms.
export async function until(what, fn, ms = 20000) {
	const end = Date.now() + ms;
	let last;
	for (;;) {
		try {
			const v = await fn();
			if (v) return v;
		} catch (e) {
			last = e;
		}
		if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${last.message}` : ''}`);
		await sleep(200);
	}
}

export function freePort() {
	return new Promise((resolve, reject) => {
		const s = createServer();
		s.on('error', reject);
		s.listen(0, '127.0.0.1', () => {
			const { port } = s.address();
			s.close(() => resolve(port));
		});
	});
}

// playwright-core from tests/browser/node_modules (npm ci there).
export async function launchChromium(executablePath = '/usr/bin/chromium') {
	let chromium;
	try {
		({ chromium } = await import('playwright-core'));
	} catch (e) {
		throw new Error(`playwright-core is missing: run scripts/deps.sh --test (npm ci in tests/browser): ${e.message}`);
	}
	// launch() gives the browser a new, empty profile directory of its own.
	return chromium.launch({ executablePath, args: CHROMIUM_ARGS });
}

// The MAC of the fake's start-up device i (0-based): 02:00:00:00:HH:LL of
// i + 1 (simulator/README.md); its queues are queue1, queue2, ...
export const deviceMac = (i) =>
	`02:00:00:00:${((i + 1) >> 8).toString(16).padStart(2, '0')}:${((i + 1) & 255).toString(16).padStart(2, '0')}`.toUpperCase();

export class Fake {
	// more: further arguments (e.g. --queues N --devices M)
	constructor(bin, more = []) {
		this.p = spawn(bin, ['--password', PASSWORD, '--spec', 'home:v7:plain', '--spec', 'office:v6:plain', ...more],
			{ stdio: ['pipe', 'pipe', 'inherit'] });
		this.lines = [];
		this.waiters = [];
		createInterface({ input: this.p.stdout }).on('line', (l) => {
			const w = this.waiters.shift();
			if (w) w(l);
			else this.lines.push(l);
		});
		this.routers = {};
	}

	line() {
		if (this.lines.length) return Promise.resolve(this.lines.shift());
		return new Promise((r) => this.waiters.push(r));
	}

	// Reads the start-up lines: name and port of every router.
	async ready() {
		for (;;) {
			const [kind, ...kv] = (await this.line()).split(' ');
			if (kind === 'ready') return;
			const f = Object.fromEntries(kv.map((x) => x.split('=')));
			this.routers[f.name] = f;
		}
	}

	async cmd(text) {
		this.p.stdin.write(`${text}\n`);
		const answer = await this.line();
		if (!answer.startsWith('ok')) throw new Error(`fake router: ${text} -> ${answer}`);
		return answer;
	}

	stop() {
		this.p.stdin.end();
	}
}

// tikstatd refuses to start as root without -u USER, and the tests run as
// root in CI: there the daemon runs as nobody, owner of the work directory
// (root still reads and writes everything in it).
export function daemonUserArgs(dir) {
	if (process.getuid() !== 0) return [];
	const [uid, gid] = ['-u', '-g'].map((o) => Number(execFileSync('id', [o, 'nobody']).toString().trim()));
	chownSync(dir, uid, gid);
	for (const f of readdirSync(dir)) chownSync(join(dir, f), uid, gid);
	return ['-u', 'nobody'];
}

export class Daemon {
	constructor(bin, conf, log) {
		Object.assign(this, { bin, conf, log, p: null });
	}

	start() {
		const fd = openSync(this.log, 'a');
		this.p = spawn(this.bin, ['-f', '-c', this.conf, ...daemonUserArgs(dirname(this.conf))], {
			stdio: ['ignore', fd, fd],
		});
		this.exited = new Promise((r) => this.p.on('exit', (code, sig) => r({ code, sig })));
	}

	async stop() {
		if (!this.p || this.p.exitCode !== null || this.p.signalCode !== null) return;
		this.p.kill('SIGTERM');
		const t = setTimeout(() => this.p.kill('SIGKILL'), 15000);
		await this.exited;
		clearTimeout(t);
	}
}

// Writes a config: both fake routers polled every second, home with a
// quota of 10 MB, HTTP on 127.0.0.1:port.
// clients: home reads its simple queues and kid-control devices too.
export function writeConfig(path, dir, fake, port, clients = false) {
	const r = (name) => `
[router ${name}]
host = 127.0.0.1
port = ${fake.routers[name].port}
user = admin
password_file = ${join(dir, 'password')}
interval = 1
timeout = 1
${name === 'home' ? 'quota = 10M\n' : ''}${name === 'home' && clients ? 'queues = *\ndevices = kid-control\n' : ''}interfaces = ${IFACES[name].map((i) => `"${i}"`).join(', ')}
`;
	writeFileSync(path, `[tikstat]
database = ${join(dir, 'tikstat.db')}
timezone = Europe/Berlin
commit_interval = 1
retention_5min = 32d

[http]
listen = 127.0.0.1:${port}
${r('home')}${r('office')}
[bill internet]
counters = home/ether1 + office/ether1
quota = 1G
percentile = 95
`);
	chmodSync(path, 0o600);
}

// Starts the fake router (growth rates zeroed: traffic only as added) and
// tikstatd on a free port; returns { dir, conf, fake, daemon, base, get, log }.
// clients: { queues, devices } the fake's home router has (growth zeroed
// too), and tikstatd reads.
export async function startStack({ tikstatd, fakerouter }, clients = null) {
	const dir = mkdtempSync(join(tmpdir(), 'tikstat-browser-'));
	const log = join(dir, 'tikstatd.log');
	writeFileSync(join(dir, 'password'), `${PASSWORD}\n`, { mode: 0o600 });
	const fake = new Fake(fakerouter, clients ? ['--queues', `${clients.queues}`, '--devices', `${clients.devices}`] : []);
	await fake.ready();
	for (const [router, ifaces] of Object.entries(IFACES)) {
		for (const i of ifaces) if (i !== 'ether9') await fake.cmd(`rate ${router} ${pct(i)} 0 0`);
	}
	for (let i = 0; i < (clients?.devices ?? 0); i++) await fake.cmd(`device home rate ${deviceMac(i)} 0 0`);
	for (let i = 0; i < (clients?.queues ?? 0); i++) await fake.cmd(`queue home rate queue${i + 1} 0 0`);
	const port = await freePort();
	const base = `http://127.0.0.1:${port}`;
	const conf = join(dir, 'tikstat.conf');
	writeConfig(conf, dir, fake, port, !!clients);
	const daemon = new Daemon(tikstatd, conf, log);
	daemon.start();
	const get = async (path) => {
		const res = await fetch(base + path);
		const text = await res.text();
		if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${text.trim()}`);
		return parseSizes(text);
	};
	await until('the HTTP API', () => get('/api/v1/interfaces'), 15000);
	await until('a first reading of home/ether1', async () =>
		(await get('/api/v1/interfaces')).some((i) => i.router === 'home' && i.interface === 'ether1' && i.last_reading));
	return { dir, conf, fake, daemon, base, get, log };
}

// Adds traffic to home's ether1 and "ether2 lan" in a few polls; returns
// the bytes added per interface as [rx, tx] BigInts.
export async function driveTraffic(fake, steps = 3) {
	const expect = { ether1: [0n, 0n], 'ether2 lan': [0n, 0n] };
	await sleep(1500); // past the baseline reading
	for (let step = 1; step <= steps; step++) {
		for (const [n, iface] of Object.keys(expect).entries()) {
			const rx = BigInt(1000003 * step + 7919 * n);
			const tx = BigInt(500009 * step + n);
			await fake.cmd(`add home ${pct(iface)} ${rx} ${tx}`);
			expect[iface][0] += rx;
			expect[iface][1] += tx;
		}
		await sleep(1200);
	}
	return expect;
}
