// The trigger ring driven with real captures at their real timestamps: what a trigger writes is
// exactly the translation of the ring's time window plus the after-window, cut from the file and
// numbered from the same serial; the byte and time bounds under a flood; max-triggers; and the
// trigger sources (SIGUSR1 in a child process, a followed log file that is rotated and truncated).
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, renameSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTranslator, type TranslatorOptions } from '../../../src/index.js';
import {
  createTriggerRing, followTriggerFile, compileTriggerRegex, triggerAll, MIN_RING_BYTES, MAX_CAPLEN,
  type Instant, type TriggerRingOptions, type WindowEvent,
} from '../../../runtimes/node/ring.js';
import { readPcap, writePcap, type PcapPacket } from '../../helpers/pcap-records.js';

const core = new WebAssembly.Module(readFileSync('build/tracecap.wasm'));
const HTTP = new URL('../../../../shared/corpus/http/', import.meta.url).pathname;
const dec = new TextDecoder();
const opts: TranslatorOptions = { ifaceName: 'lo', ifaceIndex: 1, project: 'p' };

// Exact capture times, independent of the ring's own arithmetic.
const ns = (p: { sec: number; nsec: number }): bigint => BigInt(p.sec) * 1_000_000_000n + BigInt(p.nsec);
const at = (t: bigint): Instant => ({ sec: Number(t / 1_000_000_000n), nsec: Number(t % 1_000_000_000n) });

async function translateRange(linktype: number, packets: PcapPacket[], from: number, to: number): Promise<string> {
  const t = await createTranslator(core, { ...opts, firstSerial: from });
  const out = dec.decode(t.push(writePcap(linktype, packets.slice(from, to)))) + dec.decode(t.finish());
  expect(t.error).toBeNull();
  return out;
}

// A ring whose clock is the capture time of the last packet pushed, collecting its output.
function harness(o: Partial<TriggerRingOptions> & { linktype: number; afterSecs: number }) {
  let clock: Instant = { sec: 0, nsec: 0 };
  const chunks: string[] = [];
  const events: WindowEvent[] = [];
  const errors: string[] = [];
  const ring = createTriggerRing({
    core, translatorOptions: opts, now: () => clock,
    sink: (v) => chunks.push(dec.decode(v)), onWindow: (e) => events.push(e), onError: (m) => errors.push(m), ...o,
  });
  return {
    ring, events, errors,
    push(p: PcapPacket) { clock = { sec: p.sec, nsec: p.nsec }; ring.push(p); },
    take(): string { const s = chunks.join(''); chunks.length = 0; return s; },
  };
}

describe('trigger ring: windows of a real capture', () => {
  const { linktype, packets } = readPcap(readFileSync(HTTP + 'h1-keepalive-mtu1500.pcap'));
  const times = packets.map(ns);
  // First index with time >= t, and first index with time > t (timestamps are non-decreasing).
  const firstAtOrAfter = (t: bigint) => { const i = times.findIndex((x) => x >= t); return i < 0 ? times.length : i; };
  const firstAfter = (t: bigint) => { const i = times.findIndex((x) => x > t); return i < 0 ? times.length : i; };

  it('writes exactly the ring window and the after-window, twice, with real serials', async () => {
    const secs = 0.012, after = 0.008;
    const S = BigInt(secs * 1e9), A = BigInt(after * 1e9);
    const h = harness({ linktype, secs, afterSecs: after });
    expect(h.take()).toBe('');
    let expected = '';
    let windowStartFloor = 0; // the ring is empty again after a window: nothing before this index
    let i = 0;
    for (const k of [200, 480]) {
      for (; i <= k; i++) h.push(packets[i]!);
      expect(h.take()).toBe(''); // nothing is written while waiting
      h.ring.trigger(`test ${k}`);
      const T = times[k]!;
      const from = Math.max(windowStartFloor, firstAtOrAfter(T - S));
      const to = firstAfter(T + A); // the first packet past the after-window closes it
      expect(to).toBeLessThan(packets.length);
      for (; i <= to; i++) h.push(packets[i]!);
      expect(h.ring.state).toBe('waiting');
      const got = h.take();
      const want = await translateRange(linktype, packets, from, to);
      expect(got).toBe(want);
      expect(JSON.parse(got.split('\n')[0]!).pcap.num).toBe(String(from));
      expected += want;
      windowStartFloor = to; // packet `to` opened the next waiting period
    }
    expect(expected.split('\n').length).toBeGreaterThan(50);
    expect(h.events.map((e) => [e.phase, e.window])).toEqual([['start', 1], ['end', 1], ['start', 2], ['end', 2]]);
    expect(h.errors).toEqual([]);
    expect(h.ring.stats().windows).toBe(2);
  });

  it('a trigger inside a window extends it to after-secs past that trigger, and opens no second window', async () => {
    const secs = 0.005, after = 0.006;
    const S = BigInt(secs * 1e9), A = BigInt(after * 1e9);
    const h = harness({ linktype, secs, afterSecs: after, maxTriggers: 1 });
    const k = 300;
    let i = 0;
    for (; i <= k; i++) h.push(packets[i]!);
    h.ring.trigger('first');
    const k2 = firstAfter(times[k]! + A / 2n) - 1; // a packet inside the first after-window
    for (; i <= k2; i++) h.push(packets[i]!);
    h.ring.trigger('second');
    const to = firstAfter(times[k2]! + A);
    expect(to).toBeGreaterThan(firstAfter(times[k]! + A));
    for (; i <= to; i++) h.push(packets[i]!);
    expect(h.take()).toBe(await translateRange(linktype, packets, firstAtOrAfter(times[k]! - S), to));
    expect(h.ring.state).toBe('done'); // max-triggers 1: the extension did not count as a trigger
    expect(h.ring.stats().windows).toBe(1);
  });

  it('max-triggers: after N windows the ring is done, ignores packets and triggers, and `done` resolves', async () => {
    const h = harness({ linktype, secs: 0.002, afterSecs: 0.001, maxTriggers: 2 });
    let i = 0;
    const windowAt = (k: number) => { for (; i <= k; i++) h.push(packets[i]!); h.ring.trigger('t'); };
    windowAt(100);
    for (; h.ring.state === 'triggered'; i++) h.push(packets[i]!);
    windowAt(i + 50);
    for (; h.ring.state === 'triggered'; i++) h.push(packets[i]!);
    expect(h.ring.state).toBe('done');
    await h.ring.done;
    const written = h.take();
    expect(written.length).toBeGreaterThan(0);
    for (; i < packets.length; i++) h.push(packets[i]!);
    h.ring.trigger('ignored');
    expect(h.take()).toBe('');
    expect(h.ring.stats().packets).toBe(packets.length); // serials still counted
    expect(h.ring.stats().held).toBe(0);
  });

  it('an idle after-window is closed by the wall-clock timer; close() flushes an open window', async () => {
    const h = harness({ linktype, secs: 0.01, afterSecs: 0.05, graceMs: 10 });
    for (let i = 0; i < 40; i++) h.push(packets[i]!);
    h.ring.trigger('idle');
    expect(h.ring.state).toBe('triggered');
    await new Promise((r) => setTimeout(r, 300));
    expect(h.ring.state).toBe('waiting');
    const from = firstAtOrAfter(times[39]! - 10_000_000n);
    expect(h.take()).toBe(await translateRange(linktype, packets, from, 40));

    const c = harness({ linktype, afterSecs: 3600 });
    for (let i = 0; i < 10; i++) c.push(packets[i]!);
    c.ring.trigger('then close');
    c.push(packets[10]!);
    c.ring.close();
    expect(c.ring.state).toBe('done');
    expect(c.take()).toBe(await translateRange(linktype, packets, 0, 11));
  });

  it('a ring larger than a slice is translated over several event-loop turns, new packets queued behind it', async () => {
    const after = 0.02, A = BigInt(after * 1e9);
    const h = harness({ linktype, afterSecs: after, drainSliceBytes: 64 << 10 });
    const k = 400;
    let i = 0;
    for (; i <= k; i++) h.push(packets[i]!);
    h.ring.trigger('big ring');
    expect(h.ring.draining).toBe(true);
    const partial = h.take();
    expect(partial.length).toBeGreaterThan(0); // the first slice at once
    const to = firstAfter(times[k]! + A);
    expect(to).toBeLessThan(packets.length - 1);
    for (; i <= to + 1; i++) h.push(packets[i]!); // inside the window, then past it: both wait in the ring
    for (let n = 0; n < 500 && h.ring.state === 'triggered'; n++) await new Promise((r) => setImmediate(r));
    expect(h.ring.state).toBe('waiting');
    expect(partial + h.take()).toBe(await translateRange(linktype, packets, 0, to));
    expect(h.ring.stats().held).toBe(2); // packets `to` and `to + 1` begin the next waiting period
    expect(h.ring.stats().lost).toBe(0);
  });

  it('one trigger fires the ring of every interface with the same date', async () => {
    const a = harness({ linktype, secs: 0.004, afterSecs: 0 });
    const b = harness({ linktype, secs: 0.004, afterSecs: 0 });
    for (let i = 0; i <= 150; i++) { a.push(packets[i]!); b.push(packets[i]!); }
    triggerAll([a.ring, b.ring], 'all', at(times[150]!));
    a.ring.close(); b.ring.close();
    const want = await translateRange(linktype, packets, firstAtOrAfter(times[150]! - 4_000_000n), 151);
    expect(a.take()).toBe(want);
    expect(b.take()).toBe(want);
  });
});

describe('trigger ring: bounds', () => {
  const eth = (n: number, fill: number): Uint8Array => {
    const d = new Uint8Array(n).fill(fill);
    d[12] = 0x08; d[13] = 0x00; // EtherType IPv4 (the payload is junk: records get err entries, no crash)
    return d;
  };

  it('a flood never grows the buffer: byte bound, evictions, and the window is the newest contiguous packets', async () => {
    const h = harness({ linktype: 1, bytes: MIN_RING_BYTES, afterSecs: 0 });
    const buffer = h.ring.buffer;
    const before = process.memoryUsage().arrayBuffers;
    const N = 200_000;
    const sizes = [60, 1514, 400, 9000, 64];
    const data = sizes.map((n, i) => eth(n, i));
    let maxRec = 0;
    for (let i = 0; i < N; i++) {
      const d = data[i % sizes.length]!;
      maxRec = Math.max(maxRec, 16 + d.length);
      h.ring.push({ sec: 1_700_000_000 + Math.floor(i / 1000), nsec: (i % 1000) * 1_000_000, len: d.length, data: d });
    }
    const s = h.ring.stats();
    expect(h.ring.buffer).toBe(buffer);
    expect(buffer.byteLength).toBe(MIN_RING_BYTES);
    expect(s.heldBytes).toBeLessThanOrEqual(MIN_RING_BYTES);
    // Wrapping wastes less than one record at the end of the buffer.
    expect(s.heldBytes).toBeGreaterThan(MIN_RING_BYTES - 2 * maxRec);
    expect(s.evictedBySize + s.held).toBe(N);
    expect(s.evictedByTime).toBe(0);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(8 << 20);
    // The window is the last `held` packets, numbered from their real serials.
    h.ring.trigger('flood', { sec: 1_700_000_000 + N / 1000, nsec: 0 });
    h.ring.close();
    const lines = h.take().split('\n').filter(Boolean);
    expect(lines.length).toBe(s.held);
    expect(JSON.parse(lines[0]!).pcap.num).toBe(String(N - s.held));
    expect(JSON.parse(lines.at(-1)!).pcap.num).toBe(String(N - 1));
    expect(h.errors).toEqual([]);
  });

  it('packets evicted while the ring is being translated are lost, and the records keep their real serials', () => {
    const h = harness({ linktype: 1, bytes: MIN_RING_BYTES, afterSecs: 3600, drainSliceBytes: 64 << 10 });
    const d = eth(1000, 3);
    // The serial is in the timestamp, so each record says which packet it is.
    const push = (serial: number) => h.ring.push({ sec: 100, nsec: serial * 1000, len: d.length, data: d });
    let n = 0;
    for (; n < 1000; n++) push(n);
    h.ring.trigger('flood while draining', { sec: 100, nsec: n * 1000 });
    expect(h.ring.draining).toBe(true);
    for (const end = n + 2000; n < end; n++) push(n); // 2 MB into a 1 MiB ring: untranslated packets go
    h.ring.close();
    const records = h.take().split('\n').filter(Boolean).map((l) => JSON.parse(l));
    const s = h.ring.stats();
    expect(s.lost).toBeGreaterThan(0);
    expect(records.length + s.lost).toBe(n);
    expect(s.translated).toBe(records.length);
    for (const r of records) expect(r.pcap.num).toBe(String(r.timestamp.nanos / 1000));
    const nums = records.map((r) => Number(r.pcap.num));
    expect(nums.at(-1)).toBe(n - 1);
    expect(nums.every((x, i) => i === 0 || x > nums[i - 1]!)).toBe(true);
    expect(h.errors).toEqual([]);
  });

  it('the time bound keeps only the last SECS of capture time', () => {
    const h = harness({ linktype: 1, secs: 0.1, afterSecs: 0 });
    const d = eth(100, 7);
    for (let i = 0; i < 10_000; i++) h.ring.push({ sec: 5, nsec: i * 50_000, len: 100, data: d }); // 20 packets a millisecond
    const s = h.ring.stats();
    expect(s.held).toBe(2001); // the 100 ms before the newest packet, both ends included
    expect(s.evictedByTime).toBe(10_000 - 2001);
    expect(s.evictedBySize).toBe(0);
  });

  it('a packet longer than the core accepts is cut to MAX_CAPLEN, keeping its wire length', async () => {
    const h = harness({ linktype: 1, afterSecs: 0 });
    const big = eth(MAX_CAPLEN + 5000, 1);
    h.ring.push({ sec: 1, nsec: 0, len: big.length, data: big });
    h.ring.push({ sec: 1, nsec: 1, len: 60, data: eth(60, 2) });
    h.ring.trigger('big', { sec: 1, nsec: 1 });
    h.ring.close();
    const lines = h.take().split('\n').filter(Boolean).map((l) => JSON.parse(l));
    expect(lines.length).toBe(2);
    expect(lines[0].meta.cap_len).toBe(MAX_CAPLEN);
    expect(lines[0].meta.len).toBe(MAX_CAPLEN + 5000);
    expect(h.ring.stats().cut).toBe(1);
    expect(h.errors).toEqual([]);
  });

  it('rejects bad sizes and times with one-line RangeErrors', () => {
    const base = { core, linktype: 1, sink: () => {} };
    expect(() => createTriggerRing({ ...base, afterSecs: 1, bytes: 1000 })).toThrow(/ring size in bytes \(--ring-mb\) must be a number from 1048576 to 1073741824/);
    expect(() => createTriggerRing({ ...base, afterSecs: 1, bytes: 2 ** 31 })).toThrow(RangeError);
    expect(() => createTriggerRing({ ...base, afterSecs: -1 })).toThrow(/--after/);
    expect(() => createTriggerRing({ ...base, afterSecs: 1, secs: 0 })).toThrow(/--ring\)/);
    expect(() => createTriggerRing({ ...base, afterSecs: 1, maxTriggers: 1.5 })).toThrow(/--max-triggers/);
    expect(() => createTriggerRing({ ...base, afterSecs: 1, translatorOptions: { ifaceIndex: -1 } })).toThrow(RangeError);
  });
});

describe('trigger sources', () => {
  it('SIGUSR1 sent by a process to itself fires every ring, and the records are written', () => {
    const dist = (p: string) => new URL(`../../../dist/runtimes/node/${p}`, import.meta.url).href;
    const script = `
      import { readFileSync } from 'node:fs';
      import { createTriggerRing, watchTriggers, triggerAll } from ${JSON.stringify(dist('ring.js'))};
      import { loadCore } from ${JSON.stringify(dist('core.js'))};
      const file = readFileSync(${JSON.stringify(HTTP + 'dns-udp.pcap')});
      const core = await loadCore();
      const rings = [0, 1].map((i) => createTriggerRing({ core, linktype: 1, afterSecs: 0, maxTriggers: 1,
        translatorOptions: { ifaceName: 'eth' + i, ifaceIndex: i + 2 }, sink: (v) => process.stdout.write(v.slice()) }));
      for (let off = 24; off < file.length;) {
        const incl = file.readUInt32LE(off + 8);
        const p = { sec: file.readUInt32LE(off), nsec: file.readUInt32LE(off + 4) * 1000, len: file.readUInt32LE(off + 12), data: file.subarray(off + 16, off + 16 + incl) };
        for (const r of rings) r.push(p);
        off += 16 + incl;
      }
      const stop = watchTriggers({ signal: 'SIGUSR1' }, (reason) => { triggerAll(rings, reason, { sec: 2 ** 31, nsec: 0 }); for (const r of rings) r.close(); });
      const guard = setTimeout(() => { process.stderr.write('no trigger\\n'); process.exit(3); }, 5000);
      process.kill(process.pid, 'SIGUSR1');
      await Promise.all(rings.map((r) => r.done));
      stop(); clearTimeout(guard);
    `;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const lines = r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l));
    expect(lines.length).toBe(60); // 30 packets on each of two interfaces
    expect(lines.filter((l) => l.iface.name === 'eth1').map((l) => l.pcap.num)).toEqual(Array.from({ length: 30 }, (_, i) => String(i)));
  });

  it('a followed file: only matching lines appended after the start count, through rotation, truncation and re-creation', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tracecap-trigger-'));
    const path = join(dir, 'app.log');
    writeFileSync(path, 'ERROR before the start\n');
    const matches: string[] = [];
    const errors: string[] = [];
    const stop = followTriggerFile(path, compileTriggerRegex('ERROR|panic'), (l) => matches.push(l), { pollMs: 25, onError: (m) => errors.push(m) });
    const settle = () => new Promise((r) => setTimeout(r, 120));
    const waitFor = async (n: number) => {
      for (let i = 0; i < 200 && matches.length < n; i++) await new Promise((r) => setTimeout(r, 10));
      await settle(); // and nothing more arrives
    };
    try {
      await settle();
      expect(matches).toEqual([]);
      appendFileSync(path, 'INFO all well\n');
      await settle();
      expect(matches).toEqual([]);
      appendFileSync(path, 'ERROR one\r\nINFO x\n');
      await waitFor(1);
      expect(matches).toEqual(['ERROR one']);
      appendFileSync(path, 'a pan');
      await settle();
      expect(matches.length).toBe(1); // no newline yet: not a line
      appendFileSync(path, 'ic split\n');
      await waitFor(2);
      expect(matches.at(-1)).toBe('a panic split');
      renameSync(path, path + '.1'); // rotation: the old file is finished, a new one appears
      appendFileSync(path + '.1', 'ERROR last words of the old file\n');
      await settle();
      writeFileSync(path, 'ERROR first of the new file\n');
      await waitFor(4);
      expect(matches.slice(2)).toEqual(['ERROR last words of the old file', 'ERROR first of the new file']);
      truncateSync(path, 0); // truncated in place
      await settle();
      appendFileSync(path, 'ERROR after truncation\n');
      await waitFor(5);
      expect(matches.slice(4)).toEqual(['ERROR after truncation']);
      appendFileSync(path, 'x'.repeat(200_000) + ' ERROR beyond the kept 64 KiB\nERROR short\n');
      await waitFor(6);
      expect(matches.slice(5)).toEqual(['ERROR short']);
      expect(errors).toEqual([]);
    } finally { stop(); }
    appendFileSync(path, 'ERROR after stop\n');
    await settle();
    expect(matches.length).toBe(6);
  });

  it('a trigger file created after the start counts from its first line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tracecap-trigger-'));
    const path = join(dir, 'later.log');
    const matches: string[] = [];
    const stop = followTriggerFile(path, /boom/, (l) => matches.push(l), { pollMs: 25 });
    try {
      await new Promise((r) => setTimeout(r, 60));
      writeFileSync(path, 'boom 1\nquiet\n');
      for (let i = 0; i < 200 && matches.length < 1; i++) await new Promise((r) => setTimeout(r, 10));
      expect(matches).toEqual(['boom 1']);
    } finally { stop(); }
  });

  it('a trigger file in a directory that does not exist yet is found by polling', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tracecap-trigger-'));
    const path = join(dir, 'later', 'app.log');
    const matches: string[] = [];
    const stop = followTriggerFile(path, /boom/, (l) => matches.push(l), { pollMs: 25 });
    try {
      await new Promise((r) => setTimeout(r, 60));
      mkdirSync(join(dir, 'later'));
      writeFileSync(path, 'boom in a new directory\n');
      for (let i = 0; i < 200 && matches.length < 1; i++) await new Promise((r) => setTimeout(r, 10));
      expect(matches).toEqual(['boom in a new directory']);
    } finally { stop(); }
  });

  it('an invalid regex is a one-line error naming the flag', () => {
    expect(() => compileTriggerRegex('(')).toThrow(/^--trigger-regex: Invalid regular expression/);
  });
});
