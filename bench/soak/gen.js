#!/usr/bin/env node
// Soak generator: a long classic pcap with churn, and its ground truth.
//
//   node bench/soak/gen.js --mix <h1|h2|tls|dns|mix> --connections N [--hours H] [--concurrency C]
//                          [--seed S] [--ns] --out F.pcap
//
// Connections arrive over H hours of capture time (default 2) at N/H per hour, and live about
// C·H·3600/N seconds on average, so that about C are open at once (Little's law). Each runs a
// script (h1.js, h2.js, tls.js, dns.js) that queues its packets; an event queue over the open
// connections writes them globally in timestamp order. The ground truth, F.truth.ndjson, is
// written as the capture is: one line per packet that has something to check, in packet order
// ({"p": packet number from 0, "c": connection number in order of arrival, "m": mix, "k": item
// kind, …}; see check.js), after a first line with the run's parameters. Memory is bounded by
// the open connections, whatever N. Deterministic for a seed. `generate(options)` is the same
// as a function (for tests and the benchmark harness).
import { openSync, writeSync, closeSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { Rng } from './rng.js';
import { PcapWriter, tcpFrame, udpFrame } from './pcap.js';
import { TcpConn } from './tcp.js';
import { h1Script } from './h1.js';
import { h2Script } from './h2.js';
import { tlsScript } from './tls.js';
import { dnsScript, DnsExchange } from './dns.js';

/** The mixes and, for `mix`, their share of arriving connections. */
export const MIXES = { h1: 45, h2: 15, tls: 25, dns: 15 };
const SCRIPTS = { h1: h1Script, h2: h2Script, tls: tlsScript, dns: dnsScript };
const BASE_SEC = 1_700_000_000;

/** Probabilities of the rarer features (tests raise them to exercise every one in a small capture). */
export const DEFAULT_FEATURES = {
  http10: 0.03, pipeline: 0.08, reset: 0.04, abandon: 0.04, expect100: 0.1, bigHead: 0.004, slow: 0.01, idle: 0.02,
  headCut: 0.2, reuse: 0.05, h2Big: 0.05, h2ResetMidFrame: 0.05, h2Wide: 0.06, tlsSplit: 0.3, shortFirst: 0.05, straggler: 0.3, deepPipeline: 0.005,
};

const USAGE = `usage: node bench/soak/gen.js --mix <h1|h2|tls|dns|mix> --connections N [--hours H] [--concurrency C] [--seed S] [--ns] [--max-packets N] --out F.pcap
  writes F.pcap (classic pcap, Ethernet; µs timestamps, ns with --ns) and F.truth.ndjson (the ground truth)
  --hours H        capture time over which connections arrive (default 2)
  --concurrency C  connections open at once, about (default 200)
  --seed S         random seed (default 1)
  --max-packets N  stop after N packets: the start of the capture the same options write whole (to look into one place)`;

// A binary min-heap of [time, tie, item].
class Heap {
  constructor() { this.a = []; this.tie = 0; }
  get size() { return this.a.length; }
  push(t, item) {
    const a = this.a, e = [t, this.tie++, item];
    let i = a.length; a.push(e);
    while (i > 0) { const j = (i - 1) >> 1; if (less(a[j], e)) break; a[i] = a[j]; i = j; }
    a[i] = e;
  }
  pop() {
    const a = this.a, top = a[0], last = a.pop();
    if (a.length) {
      let i = 0;
      for (;;) {
        let k = 2 * i + 1;
        if (k >= a.length) break;
        if (k + 1 < a.length && less(a[k + 1], a[k])) k++;
        if (less(last, a[k])) break;
        a[i] = a[k]; i = k;
      }
      a[i] = last;
    }
    return top;
  }
}
const less = (x, y) => x[0] < y[0] || (x[0] === y[0] && x[1] < y[1]);

// Buffered line writer for the ground truth.
class LineWriter {
  constructor(path) { this.fd = openSync(path, 'w'); this.parts = []; this.len = 0; }
  line(obj) { const s = JSON.stringify(obj); this.parts.push(s); this.len += s.length; if (this.len > 1 << 22) this.flush(); }
  flush() { if (this.parts.length) writeSync(this.fd, this.parts.join('\n') + '\n'); this.parts = []; this.len = 0; }
  close() { this.flush(); closeSync(this.fd); }
}

// Client endpoints: many addresses (some IPv6), ephemeral ports cycled so that a 4-tuple comes
// back only after 1.4M connections, except on purpose (port reuse, seconds after a close).
const CLIENTS_V4 = 45, CLIENTS_V6 = 5;
function clientAddr(i) {
  if (i < CLIENTS_V4) return Buffer.from([10, 1, i >> 8, (i & 0xff) + 1]);
  const b = Buffer.alloc(16); b.writeUInt16BE(0xfd00, 0); b.writeUInt16BE(0x0001, 2); b[15] = i; return b;
}
function serverAddr(v6, k) {
  if (!v6) return Buffer.from([10, 100, 0, k]);
  const b = Buffer.alloc(16); b.writeUInt16BE(0xfd00, 0); b.writeUInt16BE(0x0100, 2); b[15] = k; return b;
}
const SERVER_PORTS = { h1: [80, 8080], h2: [8080, 50051], tls: [443, 8443], dns: [53] };
const SERVER_HOST = { h1: 1, h2: 2, tls: 3, dns: 53 };

/** The generation context the scripts share: random source, feature probabilities, lifetimes, port reuse. */
class Context {
  constructor(o) {
    this.rng = new Rng(o.seed);
    this.p = { ...DEFAULT_FEATURES, ...o.features };
    this.meanLife = (o.concurrency * o.hours * 3600) / o.connections;
    this.reusable = []; // [free time, client index, port, mix, server port]
    this.used = {};
  }
  /** Counts a feature the capture exercises (the summary lists them). */
  mark(feature) { this.used[feature] = (this.used[feature] || 0) + 1; }
  /** A connection's intended lifetime in seconds (exponential around the mean, bounded). */
  lifetime() { return Math.min(Math.max(this.rng.exp(this.meanLife), 0.05), this.meanLife * 8); }
}

function endpoints(g, k, mix, t) {
  const rng = g.rng;
  if (mix === 'h1' && g.reusable.length && rng.chance(0.5)) {
    while (g.reusable.length && g.reusable[0][0] < t - 30) g.reusable.shift();
    const i = g.reusable.findIndex((r) => r[0] <= t);
    if (i >= 0) { const [, ci, port, , sport] = g.reusable.splice(i, 1)[0]; g.mark('h1.port_reuse'); return { ci, cport: port, sport, reused: true }; }
  }
  const ci = k % (CLIENTS_V4 + CLIENTS_V6);
  return { ci, cport: 32768 + (Math.floor(k / (CLIENTS_V4 + CLIENTS_V6)) % 28000), sport: rng.pick(SERVER_PORTS[mix]), reused: false };
}

function newConnection(g, id, mix, t) {
  const e = endpoints(g, id, mix, t);
  const v6 = e.ci >= CLIENTS_V4;
  const o = { id, mix, rng: g.rng, t, now: t, rtt: g.rng.logUniform(0.0002, 0.08), addr: [clientAddr(e.ci), serverAddr(v6, SERVER_HOST[mix])], port: [e.cport, e.sport] };
  const c = mix === 'dns' ? new DnsExchange(o) : new TcpConn(o);
  c.clientIndex = e.ci;
  c.script = SCRIPTS[mix](c, g);
  return c;
}

/** Generates a capture and its ground truth; returns a summary (packets, bytes, connections, seconds, features used). */
export function generate(o) {
  const opts = { mix: 'mix', connections: 1000, hours: 2, concurrency: 200, seed: 1, ns: false, features: {}, ...o };
  if (!opts.out) throw new Error('generate: out is required');
  if (opts.mix !== 'mix' && !SCRIPTS[opts.mix]) throw new Error(`generate: unknown mix ${opts.mix}`);
  const started = Date.now();
  const g = new Context(opts);
  const pcap = new PcapWriter(opts.out, opts.ns);
  const truth = new LineWriter(opts.out.replace(/\.pcap$/, '') + '.truth.ndjson');
  truth.line({ soak: 1, mix: opts.mix, connections: opts.connections, hours: opts.hours, concurrency: opts.concurrency, seed: opts.seed, ns: opts.ns });
  const heap = new Heap();
  const arrivalGap = (opts.hours * 3600) / opts.connections;
  const mixNames = Object.keys(MIXES), mixWeights = Object.values(MIXES);
  let arrived = 0, ipId = 0;
  heap.push(0, null);
  const schedule = (c) => {
    const wake = c.scriptDone ? Infinity : c.now;
    const t = Math.min(c.nextTime(), wake);
    if (t < Infinity) heap.push(t, c);
    else if (c.reusable) g.reusable.push(c.reusable); // a closed connection whose 4-tuple a later one may take
  };
  const maxPackets = opts.maxPackets ?? Infinity;
  while (heap.size && pcap.packets < maxPackets) {
    const [t, , c] = heap.pop();
    if (c === null) { // the next arrival
      const mix = opts.mix === 'mix' ? mixNames[g.rng.weighted(mixWeights)] : opts.mix;
      schedule(newConnection(g, arrived, mix, t));
      if (++arrived < opts.connections) heap.push(t + g.rng.exp(arrivalGap), null);
      continue;
    }
    if (c.nextTime() <= (c.scriptDone ? Infinity : c.now)) {
      const p = c.q.shift();
      if (c.settle ? c.settle(p) : true) {
        const sec = Math.floor(p.t), ns = Math.min(999999999, Math.round((p.t - sec) * 1e9));
        // The capture time the core will read: whole µs unless --ns (the models' deadlines compare these ticks).
        p.tick = sec * 1e9 + (opts.ns ? ns : Math.floor(ns / 1000) * 1000);
        const item = c.observer.segment(p);
        const frame = c.udp ? udpFrame(c.addr[p.dir], c.addr[1 - p.dir], c.port[p.dir], c.port[1 - p.dir], p.payload, p.dir === 1, ipId++)
          : tcpFrame(c.addr[p.dir], c.addr[1 - p.dir], c.port[p.dir], c.port[1 - p.dir], c.numbers(p).seq, c.numbers(p).ack, p.flags, 65535 - (p.off & 0x3ff), p.payload, p.dir === 1, ipId++);
        if (item) truth.line({ p: pcap.packets, c: c.id, m: c.mix, ...item });
        pcap.packet(BASE_SEC + sec, ns, frame);
      }
    } else if (c.script.next().done) c.scriptDone = true;
    schedule(c);
  }
  pcap.close();
  truth.line({ end: true, packets: pcap.packets, connections: arrived });
  truth.close();
  return { packets: pcap.packets, bytes: pcap.bytes, connections: arrived, seconds: (Date.now() - started) / 1000, features: g.used };
}

function parseArgs(argv) {
  const o = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--help' || a === '-h') return null;
    if (a === '--ns') { o.ns = true; continue; }
    const v = argv[++i];
    if (v === undefined) throw new Error(`${a} needs a value`);
    if (a === '--mix') o.mix = v;
    else if (a === '--connections') o.connections = Number(v);
    else if (a === '--hours') o.hours = Number(v);
    else if (a === '--concurrency') o.concurrency = Number(v);
    else if (a === '--seed') o.seed = v;
    else if (a === '--out') o.out = v;
    else if (a === '--max-packets') o.maxPackets = Number(v);
    else throw new Error(`unknown option ${a}`);
  }
  return o;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  let o;
  try { o = parseArgs(process.argv.slice(2)); } catch (e) { console.error(`gen: ${e.message}\n${USAGE}`); process.exit(1); }
  if (!o) { console.log(USAGE); process.exit(0); }
  if (!o.out) { console.error(`gen: --out is required\n${USAGE}`); process.exit(1); }
  const r = generate(o);
  console.log(`gen: ${r.connections} connections, ${r.packets} packets, ${(r.bytes / 1e6).toFixed(1)} MB in ${r.seconds.toFixed(1)} s -> ${o.out}`);
}
