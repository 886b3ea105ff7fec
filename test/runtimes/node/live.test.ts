// Live capture end to end: real traffic in a network namespace of the test's own, captured
// by runLive (both engines, INFO and DEBUG) and by a plain `tcpdump -w FILE` at the same
// time; the live records must be byte-identical to what translating FILE gives. Also the
// start errors, stopping (SIGINT, --timeout, -c) and a bounded UDP flood.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { createTranslator, type TranslatorOptions } from '../../../src/index.js';
import { Netns, netnsUnavailable, receiveTimestamps, veth, exited, collect, waitFor } from '../../helpers/netns.js';
import { SUMMARY, summaryOf, expectSameRecords, nsTcpdump, packetsOf, ECHO, PINGS } from '../../helpers/live-checks.js';
import type { ChildProcess } from 'node:child_process';

const ROOT = new URL('../../../', import.meta.url).pathname;
// Beside dist/runtimes/node/core.js, so the core finds build/tracecap.wasm as it does installed.
const ENTRY = join(ROOT, 'dist/runtimes/node/live-entry.test-bundle.js');
const TRAFFIC = join(ROOT, '../shared/tools/traffic.mjs');
const ENGINES = ['tcpdump', 'libpcap'] as const;
const VERBOSITIES = ['info', 'debug'] as const;
// What pcap-sidecar knows of `lo` inside a fresh namespace.
const LO = { ifaceName: 'lo', ifaceIndex: 1, ifaceAddrs: ['127.0.0.1', '::1'] };
const ID = { id: 'live-test', logName: 'log/live-test' };

const unavailable = netnsUnavailable();
if (unavailable) console.warn(`live capture tests skipped: ${unavailable}`);

const tmp = mkdtempSync(join(tmpdir(), 'tracecap-live-'));
let wasm: WebAssembly.Module;
let port = 19000 + (process.pid % 1000) * 10;

let rxStamps: ChildProcess | null = null;

beforeAll(async () => {
  if (unavailable) return;
  rxStamps = await receiveTimestamps();
  wasm = new WebAssembly.Module(readFileSync(join(ROOT, 'build/tracecap.wasm')));
  await build({
    entryPoints: [join(ROOT, 'test/runtimes/node/live-entry.ts')], outfile: ENTRY,
    bundle: true, format: 'esm', platform: 'node', target: 'es2022', logLevel: 'warning',
  });
});
afterAll(() => {
  rxStamps?.kill();
  rmSync(tmp, { recursive: true, force: true });
  if (!unavailable) rmSync(ENTRY, { force: true });
});

/** A runLive process in the namespace; `ready` resolves once every engine captures. */
interface Live { child: ChildProcess; ready: Promise<void>; out: () => Buffer; err: () => string }

function live(ns: Netns, options: Record<string, unknown>): Live {
  const child = ns.spawn(process.execPath, [ENTRY, JSON.stringify({ ...ID, ...options })], { stdio: ['ignore', 'pipe', 'pipe', 'pipe'] });
  const { out, err } = collect(child);
  const ready = waitFor(child.stdio[3] as NodeJS.ReadableStream, 'ready', 15_000).catch((e: Error) => {
    throw new Error(`${e.message}; stderr: ${err()}`);
  });
  ready.catch(() => { /* a run that is meant to fail never gets ready; whoever awaits `ready` sees the error */ });
  return { child, ready, out, err };
}

/** Stops a live process with SIGINT; resolves to its exit status, records and stderr lines. */
async function interrupt(l: Live): Promise<{ code: number | null; out: string; lines: string[] }> {
  l.child.kill('SIGINT');
  const { code } = await exited(l.child, 20_000);
  return { code, out: l.out().toString('utf8'), lines: l.err().split('\n').filter(Boolean) };
}

/** Resolves once `size()` stopped growing for `quietMs` (at most `maxMs`): the capture caught up. */
async function settled(size: () => number, quietMs: number, maxMs: number): Promise<void> {
  const t0 = Date.now();
  let last = -1;
  let since = Date.now();
  while (Date.now() - t0 < maxMs) {
    const n = size();
    if (n !== last) { last = n; since = Date.now(); } else if (Date.now() - since >= quietMs) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function translate(capture: Uint8Array, verbosity: 'info' | 'debug', iface: TranslatorOptions = LO): Promise<string> {
  const t = await createTranslator(wasm, { verbosity, ...iface, ...ID });
  const out = Buffer.concat([t.push(capture), t.finish()]).toString('utf8');
  expect(t.error).toBeNull();
  return out;
}

/** Capture times of records, from their `timestamp` field. */
function stampsOf(ndjson: string): { sec: number; nsec: number }[] {
  return ndjson.split('\n').filter(Boolean).map((l) => {
    const ts = (JSON.parse(l) as { timestamp: { seconds: number; nanos: number } }).timestamp;
    return { sec: ts.seconds, nsec: ts.nanos };
  });
}

/** A nanosecond pcap with the file's packets (bytes, order) and the given capture times. */
function restamped(file: Uint8Array, stamps: { sec: number; nsec: number }[]): Uint8Array {
  const packets = packetsOf(file);
  const parts: Buffer[] = [Buffer.from(file.subarray(0, 24))];
  parts[0]!.writeUInt32LE(0xa1b23c4d, 0);
  packets.forEach((p, i) => {
    const h = Buffer.alloc(16);
    h.writeUInt32LE(stamps[i]!.sec, 0); h.writeUInt32LE(stamps[i]!.nsec, 4);
    h.writeUInt32LE(p.data.length, 8); h.writeUInt32LE(p.len, 12);
    parts.push(h, Buffer.from(p.data));
  });
  return Buffer.concat(parts);
}

/** A UDP flood generator and counter: sends up to `count` datagrams within `ms`, prints {sent, received}. */
const FLOOD = `
import dgram from 'node:dgram';
const [port, count, ms] = process.argv.slice(2).map(Number);
const server = dgram.createSocket('udp4');
let received = 0;
server.on('message', () => { received++; });
await new Promise((r) => server.bind(port, '127.0.0.1', r));
const client = dgram.createSocket('udp4');
const payload = Buffer.alloc(18, 0x61);
const t0 = Date.now();
let sent = 0, inFlight = 0;
await new Promise((done) => {
  const pump = () => {
    while (inFlight < 256 && sent + inFlight < count && Date.now() - t0 < ms) {
      inFlight++;
      client.send(payload, port, '127.0.0.1', (err) => { inFlight--; if (!err) sent++; pump(); });
    }
    if (inFlight === 0) done();
  };
  pump();
});
await new Promise((r) => setTimeout(r, 300));
console.log(JSON.stringify({ sent, received, ms: Date.now() - t0 }));
client.close(); server.close();
`;

/** Records of several interfaces merged by capture time (ties: the earlier interface first), as runLive writes them. */
function mergeByTime(perIface: string[]): string {
  const lines = perIface.flatMap((text, iface) => text.split('\n').filter(Boolean).map((l, k) => {
    const ts = (JSON.parse(l) as { timestamp: { seconds: number; nanos: number } }).timestamp;
    return { l, key: [ts.seconds, ts.nanos, iface, k] };
  }));
  lines.sort((x, y) => { for (let i = 0; i < 4; i++) if (x.key[i] !== y.key[i]) return x.key[i]! - y.key[i]!; return 0; });
  return lines.map((x) => x.l + '\n').join('');
}

describe.skipIf(unavailable !== null)('live capture (runLive in a network namespace)', () => {
  for (const scenario of ['h1', 'h2', 'dns'] as const) {
    it(`${scenario}: records equal the translation of tcpdump's file, both engines, INFO and DEBUG`, async () => {
      const ns = new Netns();
      try {
        const p = port++;
        const file = join(tmp, `${scenario}.pcap`);
        const filter = `port ${p}`;
        // -Z root: the file is in a root-owned directory; tcpdump would drop to its own user first.
        const ref = ns.spawn('tcpdump', ['-i', 'lo', '-n', '-U', '-Z', 'root', '-s', '262144', '-w', file, filter]);
        const refErr = collect(ref);
        const lives = ENGINES.flatMap((engine) => VERBOSITIES.map((verbosity) => ({ engine, verbosity, run: live(ns, { ifaces: ['lo'], engine, verbosity, filter }) })));
        await waitFor(ref.stderr!, 'listening on', 15_000);
        await Promise.all(lives.map((l) => l.run.ready));
        const traffic = ns.spawn(process.execPath, [TRAFFIC, scenario, String(p), scenario === 'dns' ? '40' : '30']);
        const t = collect(traffic);
        expect((await exited(traffic, 60_000)).code, t.err()).toBe(0);
        // tcpdump's own file capture (not immediate mode) hands packets over within 1 s.
        await new Promise((r) => setTimeout(r, 1500));
        const results = await Promise.all(lives.map((l) => interrupt(l.run)));
        ref.kill('SIGINT');
        expect((await exited(ref, 10_000)).code, refErr.err()).toBe(0);
        const capture = readFileSync(file);
        const packets = packetsOf(capture);
        expect(packets.length).toBeGreaterThan(scenario === 'dns' ? 70 : 100);
        const direct = { info: await translate(capture, 'info'), debug: await translate(capture, 'debug') };
        for (const [i, l] of lives.entries()) {
          const r = results[i]!;
          const what = `${l.engine} ${l.verbosity}`;
          expect(r.code, `${what}: ${r.lines.join(' | ')}`).toBe(0);
          const [captured] = summaryOf(r.lines);
          expect(captured, what).toBe(packets.length);
          const stamps = stampsOf(r.out);
          expect(stamps, what).toHaveLength(packets.length);
          // The same packets: each within 100 ms of when tcpdump's own handle saw it.
          stamps.forEach((t, k) => expect(Math.abs((t.sec - packets[k]!.sec) * 1e9 + t.nsec - packets[k]!.nsec), `${what}: packet ${k}`).toBeLessThan(1e8));
          if (scenario === 'dns') {
            // UDP: with receive timestamps on, the kernel stamps a packet once for every handle.
            expectSameRecords(r.out, direct[l.verbosity], what);
          } else {
            // TCP carries its departure time (a monotonic clock) through loopback, so each
            // capture handle reads the clock itself and the stamps differ by microseconds; all
            // else (bytes, order, and what the timestamps feed, such as DEBUG latencies) must agree.
            expectSameRecords(r.out, await translate(restamped(capture, stamps), l.verbosity), what);
          }
        }
      } finally {
        ns.destroy();
      }
    });
  }

  it('several interfaces (-i lo -i tcv*): one translator each, records merged in timestamp order, both engines', async () => {
    const a = new Netns();
    const b = new Netns();
    try {
      const net = 1 + (process.pid % 250);
      const index = veth(a, b, net);
      const p = port++;
      const files = { lo: join(tmp, 'multi-lo.pcap'), tcv0: join(tmp, 'multi-tcv0.pcap') };
      const refs = Object.entries(files).map(([dev, file]) => nsTcpdump(a, dev, file, `udp port ${p}`));
      writeFileSync(join(tmp, 'echo.mjs'), ECHO);
      writeFileSync(join(tmp, 'pings.mjs'), PINGS);
      const echoes = [a.spawn(process.execPath, [join(tmp, 'echo.mjs'), '127.0.0.1', String(p)]), b.spawn(process.execPath, [join(tmp, 'echo.mjs'), `10.99.${net}.2`, String(p)])];
      const lives = ENGINES.map((engine) => ({ engine, run: live(a, { ifaces: ['lo', 'tcv*'], engine, verbosity: 'debug', filter: `udp port ${p}` }) }));
      await Promise.all([...refs.map((r) => r.ready), ...lives.map((l) => l.run.ready), ...echoes.map((e) => waitFor(e.stdout!, 'up', 10_000))]);
      const pings = a.spawn(process.execPath, [join(tmp, 'pings.mjs'), String(p), '40', '127.0.0.1', `10.99.${net}.2`]);
      const pe = collect(pings);
      expect((await exited(pings, 60_000)).code, pe.err()).toBe(0);
      await new Promise((r) => setTimeout(r, 1500));
      const results = await Promise.all(lives.map((l) => interrupt(l.run)));
      for (const r of refs) { r.child.kill('SIGINT'); expect((await exited(r.child, 10_000)).code).toBe(0); }
      const tcv0 = { ifaceName: 'tcv0', ifaceIndex: index, ifaceAddrs: [`10.99.${net}.1`] };
      const perIface = [await translate(readFileSync(files.lo), 'debug'), await translate(readFileSync(files.tcv0), 'debug', tcv0)];
      // 20 pings and 20 answers on each interface.
      expect(perIface.map((t) => t.split('\n').length - 1)).toEqual([40, 40]);
      const expected = mergeByTime(perIface);
      for (const [i, l] of lives.entries()) {
        const r = results[i]!;
        expect(r.code, `${l.engine}: ${r.lines.join(' | ')}`).toBe(0);
        expect(summaryOf(r.lines)[0], l.engine).toBe(80);
        expectSameRecords(r.out, expected, `${l.engine} lo+tcv0`);
      }
    } finally {
      a.destroy();
      b.destroy();
    }
  });

  it('-i any: Linux cooked v1 from both engines, index 0, no addresses, packets attributed by the OS table, as upstream', async () => {
    const ns = new Netns();
    try {
      const p = port++;
      const file = join(tmp, 'any.pcap');
      // Cooked v1 is what libpcap (and so pcap-sidecar) gives on any; tcpdump 4.99 picks v2 unless told.
      const ref = nsTcpdump(ns, 'any', file, `udp port ${p}`, ['-y', 'LINUX_SLL']);
      const lives = ENGINES.map((engine) => ({ engine, run: live(ns, { ifaces: ['any'], engine, verbosity: 'debug', filter: `udp port ${p}` }) }));
      await Promise.all([ref.ready, ...lives.map((l) => l.run.ready)]);
      const traffic = ns.spawn(process.execPath, [TRAFFIC, 'dns', String(p), '15']);
      expect((await exited(traffic, 30_000)).code).toBe(0);
      await new Promise((r) => setTimeout(r, 1500));
      const results = await Promise.all(lives.map((l) => interrupt(l.run)));
      ref.child.kill('SIGINT');
      expect((await exited(ref.child, 10_000)).code).toBe(0);
      const capture = readFileSync(file);
      expect(capture.readUInt32LE(20)).toBe(113);
      // The namespace's only interface is lo: its packets on any are attributed to it (§3.3).
      const expected = await translate(capture, 'debug', { ifaceName: 'any', ifaceIndex: 0, ifaceAddrs: [], osInterfaces: [{ index: 1, name: 'lo', addrs: LO.ifaceAddrs }] });
      expect(expected.split('\n').length - 1).toBe(30);
      for (const line of expected.split('\n').filter(Boolean)) expect((JSON.parse(line) as { message: string }).message).toMatch(/^#\d+ \| @1\/lo \| /);
      for (const [i, l] of lives.entries()) {
        const r = results[i]!;
        expect(r.code, `${l.engine}: ${r.lines.join(' | ')}`).toBe(0);
        expectSameRecords(r.out, expected, `${l.engine} any`);
      }
    } finally {
      ns.destroy();
    }
  });

  it('a bad interface and a bad filter: exit 2 and one line naming them, both engines', async () => {
    const ns = new Netns();
    try {
      for (const engine of ENGINES) {
        const cases = [
          { options: { ifaces: ['nosuch0'] }, expect: /^tracecap: -i "nosuch0": no such interface/ },
          { options: { ifaces: ['eth*'] }, expect: /^tracecap: -i "eth\*": no such interface/ },
          { options: { ifaces: ['lo'], filter: 'udp and and' }, expect: /^tracecap: lo: .*syntax error.*\(filter "udp and and"\)$/ },
          { options: { ifaces: ['lo'], filter: 'port 99999' }, expect: /^tracecap: lo: .*99999.*\(filter "port 99999"\)$/ },
        ];
        for (const c of cases) {
          const l = live(ns, { ...c.options, engine });
          const { code } = await exited(l.child, 20_000);
          const lines = l.err().split('\n').filter(Boolean);
          expect(code, `${engine} ${JSON.stringify(c.options)}: ${l.err()}`).toBe(2);
          expect(lines, engine).toHaveLength(1);
          expect(lines[0], engine).toMatch(c.expect);
          expect(l.out().length).toBe(0);
        }
      }
    } finally {
      ns.destroy();
    }
  });

  it('an interface that goes away mid-capture: exit 2, a line naming it, then the summary; both engines', async () => {
    for (const engine of ENGINES) {
      const a = new Netns();
      const b = new Netns();
      try {
        veth(a, b, 1 + (process.pid % 250));
        const l = live(a, { ifaces: ['tcv0'], engine, timeoutSecs: 30 });
        await l.ready;
        a.run('ip', ['link', 'del', 'tcv0']);
        const { code } = await exited(l.child, 20_000);
        const lines = l.err().split('\n').filter(Boolean);
        expect(code, `${engine}: ${l.err()}`).toBe(2);
        expect(lines, engine).toHaveLength(2);
        expect(lines[0], engine).toMatch(engine === 'tcpdump' ? /^tracecap: tcv0: tcpdump stopped: .*The interface disappeared$/ : /^tracecap: tcv0: libpcap: reading the capture failed/);
        expect(lines[1], engine).toMatch(SUMMARY);
      } finally {
        a.destroy();
        b.destroy();
      }
    }
  });

  it('--timeout, -c and SIGTERM stop the capture: exit 0, complete records, the summary line', async () => {
    const ns = new Netns();
    try {
      const p = port++;
      const runs = ENGINES.flatMap((engine) => [
        { engine, kind: 'timeout', run: live(ns, { ifaces: ['lo'], engine, filter: `udp port ${p}`, timeoutSecs: 12 }) },
        { engine, kind: 'count', run: live(ns, { ifaces: ['lo'], engine, filter: `udp port ${p}`, count: 7, timeoutSecs: 30 }) },
        { engine, kind: 'SIGTERM', run: live(ns, { ifaces: ['lo'], engine, filter: `udp port ${p}` }) },
      ]);
      await Promise.all(runs.map((r) => r.run.ready));
      const traffic = ns.spawn(process.execPath, [TRAFFIC, 'dns', String(p), '20']);
      expect((await exited(traffic, 30_000)).code).toBe(0);
      await new Promise((r) => setTimeout(r, 1500)); // tcpdump's block timeout: the last answers reach every capture
      for (const r of runs) if (r.kind === 'SIGTERM') r.run.child.kill('SIGTERM');
      for (const r of runs) {
        const t0 = Date.now();
        const { code } = await exited(r.run.child, 20_000);
        const out = r.run.out().toString('utf8');
        const records = out.split('\n');
        expect(records.pop(), 'ends with a newline').toBe('');
        for (const line of records) expect(() => JSON.parse(line)).not.toThrow();
        expect(code, `${r.engine} ${r.kind}: ${r.run.err()}`).toBe(0);
        const [captured] = summaryOf(r.run.err().split('\n').filter(Boolean));
        if (r.kind === 'count') {
          expect(records).toHaveLength(7);
          expect(captured).toBeGreaterThanOrEqual(7);
        } else {
          expect(records).toHaveLength(40); // 20 queries, 20 answers
          expect(captured).toBe(40);
        }
        expect(Date.now() - t0).toBeLessThan(20_000);
      }
    } finally {
      ns.destroy();
    }
  });

  for (const engine of ENGINES) {
    it(`${engine}: a UDP flood is captured or its drops are reported`, async () => {
      const ns = new Netns();
      try {
        const p = port++;
        const script = join(tmp, 'flood.mjs');
        writeFileSync(script, FLOOD);
        const l = live(ns, { ifaces: ['lo'], engine, verbosity: 'info', filter: `udp port ${p}` });
        await l.ready;
        const flood = ns.spawn(process.execPath, [script, String(p), '200000', '20000']);
        const f = collect(flood);
        expect((await exited(flood, 60_000)).code, f.err()).toBe(0);
        const { sent, received, ms } = JSON.parse(f.out().toString()) as { sent: number; received: number; ms: number };
        // Stop once the output stopped growing: then every captured packet was written.
        await settled(() => l.out().length, 1000, 60_000);
        const r = await interrupt(l);
        expect(r.code, r.lines.join(' | ')).toBe(0);
        const [captured, receivedByFilter, droppedByKernel] = summaryOf(r.lines);
        const records = r.out.split('\n');
        expect(records.pop()).toBe('');
        for (const line of records) JSON.parse(line); // throws on a cut or garbled record
        console.log(`${engine} flood: ${sent} sent in ${ms} ms (${received} reached the server); ${r.lines[0]}`);
        expect(sent).toBeGreaterThan(10_000);
        expect(records.length).toBe(captured);
        expect(captured).toBeLessThanOrEqual(sent);
        // On lo the socket sees each datagram twice, leaving and arriving, and libpcap discards
        // the leaving copy; so of what the filter received, all but at most one copy per
        // datagram sent must have been captured or counted as dropped: nothing lost silently.
        expect(captured! + droppedByKernel!).toBeGreaterThanOrEqual(receivedByFilter! - sent);
        expect(receivedByFilter).toBeGreaterThanOrEqual(sent);
      } finally {
        ns.destroy();
      }
    });
  }
});
