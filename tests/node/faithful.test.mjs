// Proves the fake router is faithful to a real third-party RouterOS API
// client: node-routeros 1.6.9 logs in (6.43+ and pre-6.43 challenge
// flavours), prints interfaces (and /ip/address) with a query and .proplist, streams and
// cancels /interface/monitor-traffic, and talks TLS to a self-signed router. It also
// reads the client menus (simple queues, kid-control devices, DHCP leases) the way
// per-client accounting does.
//
// Run: FAKEROUTER=/path/to/fakerouter node --test faithful.test.mjs
//
// Known node-routeros limits, deliberately not exercised here: it treats the
// 7.18+ `!empty` reply as an unknown reply and throws from its socket
// handler, and it only finishes a reply when a read ends on a word boundary,
// so the `dribble` fault (one byte per write) hangs it.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import routeros from 'node-routeros';

const { RouterOSAPI } = routeros;
const PASSWORD = 's3cret pw';
const INTERVAL_MS = 150;

/** Starts fakerouter, reads its "router ..." lines up to "ready". */
async function startFake(args) {
  const bin = process.env.FAKEROUTER;
  if (!bin) throw new Error('FAKEROUTER is not set: point it at the built fakerouter binary');
  const proc = spawn(bin, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: proc.stdout });
  const waiting = [];
  const queued = [];
  lines.on('line', (l) => (waiting.length ? waiting.shift()(l) : queued.push(l)));
  const nextLine = () =>
    new Promise((resolve, reject) => {
      if (queued.length) return resolve(queued.shift());
      const timer = setTimeout(() => reject(new Error('fakerouter did not answer')), 10000);
      waiting.push((l) => {
        clearTimeout(timer);
        resolve(l);
      });
    });
  const exited = new Promise((resolve) => proc.on('exit', (code) => resolve(code)));
  const routers = {};
  for (;;) {
    const line = await nextLine();
    if (line.startsWith('ready ')) break;
    const kv = Object.fromEntries(line.split(' ').slice(1).map((f) => f.split(/=(.*)/s).slice(0, 2)));
    routers[kv.name] = { ...kv, port: Number(kv.port) };
  }
  return {
    routers,
    /** Sends one control command and returns its reply line. */
    async ctl(cmd) {
      proc.stdin.write(cmd + '\n');
      return nextLine();
    },
    async stop() {
      proc.stdin.end();
      return exited;
    },
  };
}

/** Parses a `counters` reply into { name: { id, rx, tx } } with BigInts. */
function parseCounters(line) {
  assert.match(line, /^ok /);
  const out = {};
  for (const m of line.matchAll(/id=(\S+) name=(\S+) rx=(\d+) tx=(\d+)/g)) {
    out[decodeURIComponent(m[2].replace(/%E9/g, '%C3%A9'))] = {
      id: m[1],
      rx: BigInt(m[3]),
      tx: BigInt(m[4]),
    };
  }
  return out;
}

/** Parses a `queues` or `devices` reply into { key: { id, up, down, ... } }
 * keyed by queue name or MAC address, counters as BigInts. */
function parseClients(line, key) {
  assert.match(line, /^ok/);
  const out = {};
  for (const item of line.slice(3).split(/ (?=id=)/)) {
    if (!item) continue;
    const kv = Object.fromEntries(item.split(' ').map((f) => f.split(/=(.*)/s).slice(0, 2)));
    for (const f of ['up', 'down', 'truth_up', 'truth_down']) kv[f] = BigInt(kv[f]);
    // Names are raw bytes, percent-encoded; node-routeros decodes them as win1252.
    out[kv[key].replace(/%([0-9A-F]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16)))] = kv;
  }
  return out;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let fake;
let certDir;
const apiErrors = [];

before(async () => {
  certDir = mkdtempSync(join(tmpdir(), 'fakerouter-node-'));
  fake = await startFake([
    '--password', PASSWORD,
    '--noapi-user', 'monitor:mon',
    '--monitor-interval-ms', String(INTERVAL_MS),
    '--cert-out', join(certDir, 'ca.pem'),
    '--queues', '3',
    '--devices', '5',
    '--spec', 'seven:v7:plain',
    '--spec', 'old:v6old:plain',
    '--spec', 'six:v6:plain',
    '--spec', 'secure:v7:tls',
    '--spec', 'anon:v6:adh',
  ]);
});

after(async () => {
  if (fake) assert.equal(await fake.stop(), 0, 'fakerouter must exit 0 on stdin EOF');
  if (certDir) rmSync(certDir, { recursive: true, force: true });
  assert.deepEqual(apiErrors, [], 'no connection-level errors');
});

function client(router, extra = {}) {
  const api = new RouterOSAPI({
    host: '127.0.0.1',
    port: fake.routers[router].port,
    user: 'admin',
    password: PASSWORD,
    timeout: 20,
    ...extra,
  });
  api.on('error', (e) => apiErrors.push(`${router}: ${e.message}`));
  return api;
}

test('v7 login, ?name= query and .proplist return exact values', async () => {
  const api = client('seven');
  await api.connect();
  try {
    const rows = await api.write('/interface/print', [
      '?name=ether2 lan',
      '=.proplist=.id,name,type,comment,disabled,running,mtu,no-such-prop',
    ]);
    assert.deepEqual(rows, [
      { '.id': '*2', name: 'ether2 lan', type: 'ether', comment: 'a=b=c', disabled: 'false', running: 'true', mtu: '1500' },
    ]);
    assert.deepEqual(Object.keys(rows[0]), ['.id', 'name', 'type', 'comment', 'disabled', 'running', 'mtu'],
      'properties come in .proplist order, unknown ones left out');

    // Latin-1 byte 0xE9 in the name; node-routeros speaks win1252.
    const cafe = await api.write('/interface/print', ['?name=wlan-caf\u00e9', '=.proplist=.id,name,type']);
    assert.deepEqual(cafe, [{ '.id': '*4', name: 'wlan-caf\u00e9', type: 'wlan' }]);

    const empty = await api.write('/interface/print', ['?comment=', '=.proplist=name,comment']);
    assert.deepEqual(empty, [{ name: 'pppoe-out1', comment: '' }]);

    // Counters: 64-bit values bracketed by the control channel's view.
    const before = parseCounters(await fake.ctl('counters seven'));
    const [e1] = await api.write('/interface/print', ['?name=ether1', '=.proplist=.id,name,rx-byte,tx-byte,rx-packet']);
    const after = parseCounters(await fake.ctl('counters seven'));
    assert.equal(e1['.id'], before.ether1.id);
    const rx = BigInt(e1['rx-byte']);
    assert.ok(rx > 2n ** 32n, 'counter is beyond 32 bits');
    assert.ok(before.ether1.rx <= rx && rx <= after.ether1.rx, `${before.ether1.rx} <= ${rx} <= ${after.ether1.rx}`);
    assert.ok(after.ether1.rx > before.ether1.rx, 'ether1 grows with time');
    assert.equal(BigInt(e1['rx-packet']), rx / 1000n);

    const [identity] = await api.write('/system/identity/print');
    assert.deepEqual(identity, { name: 'seven' });
    const [res] = await api.write('/system/resource/print', ['=.proplist=version,uptime']);
    assert.equal(res.version, '7.18.2 (stable)');
    assert.match(res.uptime, /^(\d+w)?(\d+d)?(\d+h)?(\d+m)?(\d+s)?$/);
  } finally {
    await api.close();
  }
});

test('v6 print without a match answers an empty list', async () => {
  const api = client('six');
  await api.connect();
  try {
    assert.deepEqual(await api.write('/interface/print', ['?name=nonexistent']), []);
  } finally {
    await api.close();
  }
});

test('/ip/address/print with ?interface= and .proplist (the ip_file query)', async () => {
  assert.match(await fake.ctl('address six ether1 192.0.2.7/24'), /^ok/);
  assert.match(await fake.ctl('address six pppoe-out1 100.64.1.2/10'), /^ok/);
  const api = client('six');
  await api.connect();
  try {
    const rows = await api.write('/ip/address/print', [
      '?interface=pppoe-out1',
      '=.proplist=address,interface,disabled,invalid',
    ]);
    assert.deepEqual(rows, [{ address: '100.64.1.2/10', interface: 'pppoe-out1', disabled: 'false', invalid: 'false' }]);
    const all = await api.write('/ip/address/print', ['=.proplist=.id,address,network,interface']);
    assert.deepEqual(all, [
      { '.id': '*1', address: '192.0.2.7/24', network: '192.0.2.0', interface: 'ether1' },
      { '.id': '*3', address: '100.64.1.2/10', network: '100.64.0.0', interface: 'pppoe-out1' },
    ]);
    assert.match(await fake.ctl('address six pppoe-out1 none'), /^ok/);
    assert.deepEqual(await api.write('/ip/address/print', ['?interface=pppoe-out1']), []);
  } finally {
    await api.close();
  }
});

test('pre-6.43 challenge login (=ret=) and old uptime format', async () => {
  const api = client('old');
  await api.connect();
  try {
    const [res] = await api.write('/system/resource/print', ['=.proplist=uptime,version']);
    assert.equal(res.version, '6.40.9 (bugfix)');
    assert.match(res.uptime, /^(\d+w)?(\d+d)?\d\d:\d\d:\d\d$/);
  } finally {
    await api.close();
  }
  const stats = await fake.ctl('stats old');
  assert.match(stats, /^ok sessions=\d+ logins=1 failed_logins=0 /);
});

test('wrong credentials and a user without the api policy are refused', async () => {
  await assert.rejects(client('seven', { password: 'wrong' }).connect(), (e) => e.errno === 'CANTLOGIN');
  await assert.rejects(client('old', { password: 'wrong' }).connect(), (e) => e.errno === 'CANTLOGIN');
  await assert.rejects(client('seven', { user: 'monitor', password: 'mon' }).connect(), /not allowed \(9\)/);
});

test('streaming monitor-traffic yields rows until /cancel ends it cleanly', async () => {
  const api = client('seven');
  await api.connect();
  const rows = [];
  const errors = [];
  const events = [];
  const stream = api.stream(['/interface/monitor-traffic', '=interface=ether1'], (err, data) => {
    if (err) errors.push(err);
    else if (data && !Array.isArray(data)) rows.push(data);
  });
  stream.on('done', () => events.push('done'));
  stream.on('close', () => events.push('close'));
  stream.on('trap', (t) => errors.push(t));
  try {
    for (let i = 0; i < 50 && rows.length < 2; i++) await sleep(50);
    assert.ok(rows.length >= 2, `got ${rows.length} rows`);
    for (const r of rows) {
      assert.deepEqual(r, {
        name: 'ether1',
        'rx-packets-per-second': '1250',
        'rx-bits-per-second': '10000000',
        'tx-packets-per-second': '250',
        'tx-bits-per-second': '2000000',
      });
    }
    await stream.stop();
    assert.deepEqual(events, ['done', 'close'], 'the interrupted command ended with its !done');
    assert.deepEqual(errors, []);
    const seen = rows.length;
    // A row for the cancelled tag now would throw UNREGISTEREDTAG in node-routeros.
    await sleep(INTERVAL_MS * 3);
    assert.equal(rows.length, seen, 'no rows after cancel');
    assert.deepEqual(await api.write('/system/identity/print'), [{ name: 'seven' }], 'session still usable');
  } finally {
    await api.close();
  }
  // The fake saw the client leave.
  for (let i = 0; i < 40; i++) {
    if (/sessions=0 /.test(await fake.ctl('stats seven'))) break;
    await sleep(25);
  }
  assert.match(await fake.ctl('stats seven'), /^ok sessions=0 /);
});

test('two streams and a print share one session; each /cancel stops only its stream', async () => {
  const api = client('seven');
  await api.connect();
  const monitors = async () => (await fake.ctl('monitors seven')).trim();
  const rows = { a: [], b: [] };
  const errors = [];
  const open = (key, iface) => {
    const st = api.stream(['/interface/monitor-traffic', `=interface=${iface}`], (err, data) => {
      if (err) errors.push(err);
      else if (data && !Array.isArray(data)) rows[key].push(data);
    });
    st.on('trap', (t) => errors.push(t));
    return st;
  };
  const a = open('a', 'ether1');
  const b = open('b', 'bridge');
  try {
    for (let i = 0; i < 100 && (rows.a.length < 2 || rows.b.length < 2); i++) await sleep(50);
    assert.ok(rows.a.length >= 2 && rows.b.length >= 2, `rows ${rows.a.length}/${rows.b.length}`);
    assert.ok(rows.a.every((r) => r.name === 'ether1') && rows.b.every((r) => r.name === 'bridge'));
    assert.equal(await monitors(), 'ok 2');
    // A print in the middle of both streams gets exactly its own reply.
    assert.deepEqual(await api.write('/system/identity/print'), [{ name: 'seven' }]);
    await a.stop();
    assert.equal(await monitors(), 'ok 1');
    const seenB = rows.b.length;
    for (let i = 0; i < 100 && rows.b.length < seenB + 2; i++) await sleep(50);
    assert.ok(rows.b.length >= seenB + 2, 'the other stream keeps going');
    await b.stop();
    assert.equal(await monitors(), 'ok 0');
    assert.deepEqual(errors, []);
  } finally {
    await api.close();
  }
});

test('TLS with a self-signed certificate (rejectUnauthorized false, and pinned CA)', async () => {
  for (const tls of [
    { rejectUnauthorized: false },
    { ca: readFileSync(join(certDir, 'ca.pem')), servername: 'localhost' },
  ]) {
    const api = client('secure', { tls });
    await api.connect();
    try {
      const [e1] = await api.write('/interface/print', ['?name=ether1', '=.proplist=name,type']);
      assert.deepEqual(e1, { name: 'ether1', type: 'ether' });
    } finally {
      await api.close();
    }
  }
  assert.match(fake.routers.secure.fingerprint, /^sha256:([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
});

test('anonymous-DH router: ADH client works, a normal TLS client is refused', async () => {
  const anon = client('anon', {
    tls: { ciphers: 'ADH:@SECLEVEL=0', maxVersion: 'TLSv1.2', rejectUnauthorized: false },
  });
  await anon.connect();
  try {
    assert.deepEqual(await anon.write('/system/identity/print'), [{ name: 'anon' }]);
  } finally {
    await anon.close();
  }
  await assert.rejects(client('anon', { tls: { rejectUnauthorized: false } }).connect());
});

test('/queue/simple/print: ?name= and .proplist, bytes=UP/DOWN bracketed by the truth', async () => {
  const api = client('seven');
  await api.connect();
  try {
    const before = parseClients(await fake.ctl('queues seven'), 'name');
    const rows = await api.write('/queue/simple/print', [
      '?name=queue2',
      '=.proplist=.id,name,target,comment,bytes,packets,max-limit,disabled,no-such-prop',
    ]);
    const after = parseClients(await fake.ctl('queues seven'), 'name');
    assert.equal(rows.length, 1);
    const [q] = rows;
    assert.deepEqual(Object.keys(q), ['.id', 'name', 'target', 'bytes', 'packets', 'max-limit', 'disabled'],
      'queue2 has no comment; the rest in .proplist order');
    assert.deepEqual([q['.id'], q.name, q.target, q['max-limit'], q.disabled],
      [before.queue2.id, 'queue2', '192.168.88.11/32', '0/0', 'false']);
    const [up, down] = q.bytes.split('/').map(BigInt);
    assert.ok(before.queue2.up <= up && up <= after.queue2.up, 'upload first, within the truth');
    assert.ok(before.queue2.down <= down && down <= after.queue2.down);
    assert.equal(q.packets, `${up / 1000n}/${down / 1000n}`);
    const commented = await api.write('/queue/simple/print', ['?comment', '=.proplist=name,comment']);
    assert.deepEqual(commented, [{ name: 'queue1', comment: 'customer 1' }, { name: 'queue3', comment: 'customer 3' }]);
  } finally {
    await api.close();
  }
});

test('queues added, edited (counters reset), re-created (new .id) and removed', async () => {
  const api = client('seven');
  await api.connect();
  const byName = async () =>
    Object.fromEntries((await api.write('/queue/simple/print', ['=.proplist=.id,name,target,comment,bytes']))
      .map((r) => [r.name, r]));
  try {
    assert.match(await fake.ctl('queue seven add flat%20caf%E9 10.9.0.0/24 0 0'), /^ok id=\*4$/);
    assert.match(await fake.ctl('queue seven bytes flat%20caf%E9 1000 9000'), /^ok/);
    let qs = await byName();
    assert.deepEqual(qs['flat caf\u00e9'], { '.id': '*4', name: 'flat caf\u00e9', target: '10.9.0.0/24', bytes: '1000/9000' });
    assert.match(await fake.ctl('queue seven edit flat%20caf%E9 comment=room%202'), /^ok/);
    qs = await byName();
    assert.deepEqual(qs['flat caf\u00e9'], { '.id': '*4', name: 'flat caf\u00e9', target: '10.9.0.0/24', comment: 'room 2', bytes: '0/0' });
    assert.match(await fake.ctl('queue seven recreate flat%20caf%E9'), /^ok id=\*5$/);
    qs = await byName();
    assert.equal(qs['flat caf\u00e9']['.id'], '*5');
    assert.match(await fake.ctl('queue seven remove flat%20caf%E9'), /^ok/);
    assert.equal((await byName())['flat caf\u00e9'], undefined);
    const truth = parseClients(await fake.ctl('queues seven'), 'name')['flat caf\u00e9'];
    assert.deepEqual([truth.id, truth.truth_up, truth.truth_down], ['-', 1000n, 9000n]);
  } finally {
    await api.close();
  }
});

test('/ip/kid-control/device/print: MACs, addresses, names, bytes-up/down, queries', async () => {
  const api = client('seven');
  await api.connect();
  try {
    const before = parseClients(await fake.ctl('devices seven'), 'mac');
    const rows = await api.write('/ip/kid-control/device/print', [
      '=.proplist=.id,name,user,mac-address,ip-address,bytes-up,bytes-down,dynamic',
    ]);
    const after = parseClients(await fake.ctl('devices seven'), 'mac');
    assert.equal(rows.length, 5);
    for (const [i, row] of rows.entries()) {
      const mac = `02:00:00:00:00:0${i + 1}`;
      assert.equal(row['mac-address'], mac);
      assert.equal(row['ip-address'], `192.168.88.${10 + i}`);
      assert.equal(row['.id'], before[mac].id);
      assert.deepEqual([row.name, row.user, row.dynamic],
        i % 4 === 0 ? [`kid phone ${i + 1}`, 'kids', 'false'] : ['', '', 'true']);
      const up = BigInt(row['bytes-up']);
      assert.ok(before[mac].up <= up && up <= after[mac].up, `${mac} bytes-up within the truth`);
    }
    const dyn = await api.write('/ip/kid-control/device/print', ['?dynamic=true', '=count-only=']);
    assert.deepEqual(dyn, [{ ret: '3' }], 'devices 2, 3 and 4 are dynamic');
    const one = await api.write('/ip/kid-control/device/print', ['?ip-address=192.168.88.12', '=.proplist=mac-address']);
    assert.deepEqual(one, [{ 'mac-address': '02:00:00:00:00:03' }]);
  } finally {
    await api.close();
  }
});

test('devices change IP, disappear and come back; leases give host-name or comment', async () => {
  const api = client('seven');
  await api.connect();
  const mac = '02:00:00:00:00:02';
  const find = async () =>
    api.write('/ip/kid-control/device/print', [`?mac-address=${mac}`, '=.proplist=.id,ip-address,bytes-up']);
  try {
    assert.match(await fake.ctl(`device seven ip ${mac} 192.168.88.200`), /^ok/);
    const [moved] = await find();
    assert.equal(moved['ip-address'], '192.168.88.200');
    assert.match(await fake.ctl(`device seven remove ${mac}`), /^ok/);
    const devices = await api.write('/ip/kid-control/device/print', ['=.proplist=mac-address']);
    assert.ok(!devices.some((d) => d['mac-address'] === mac), 'a gone device is not listed');
    assert.match(await fake.ctl(`device seven add ${mac} 192.168.88.201 0 0`), /^ok id=\*6$/);
    const [back] = await find();
    assert.deepEqual(back, { '.id': '*6', 'ip-address': '192.168.88.201', 'bytes-up': '0' });
    const leases = await api.write('/ip/dhcp-server/lease/print', ['=.proplist=mac-address,address,host-name,comment,status']);
    assert.deepEqual(leases, [
      { 'mac-address': '02:00:00:00:00:01', address: '192.168.88.10', 'host-name': 'host-1', status: 'bound' },
      { 'mac-address': '02:00:00:00:00:02', address: '192.168.88.201', comment: 'lease 2', status: 'bound' },
      { 'mac-address': '02:00:00:00:00:04', address: '192.168.88.13', 'host-name': 'host-4', status: 'bound' },
      { 'mac-address': '02:00:00:00:00:05', address: '192.168.88.14', comment: 'lease 5', status: 'bound' },
    ]);
  } finally {
    await api.close();
  }
});

test('kid-control on RouterOS 6: an empty table on 6.49, no such menu before 6.41', async () => {
  const six = client('six');
  await six.connect();
  try {
    assert.deepEqual(await six.write('/ip/kid-control/device/print'), []);
    assert.equal((await six.write('/queue/simple/print', ['=.proplist=name'])).length, 3);
  } finally {
    await six.close();
  }
  const old = client('old');
  await old.connect();
  try {
    await assert.rejects(old.write('/ip/kid-control/device/print'), /no such command prefix/);
  } finally {
    await old.close();
  }
});
