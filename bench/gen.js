// Synthetic benchmark captures (classic pcap, Ethernet), written as a stream so size is not
// limited by memory:
//   http  — keep-alive connections, 64 open at a time, their exchanges interleaved; every
//           response after its request; a third of requests with X-Cloud-Trace-Context, a third
//           with traceparent:
//           - HTTP/1.1, 10 exchanges a connection (12 connections in 13);
//           - prior-knowledge HTTP/2 (h2c), 40 exchanges a connection (1 in 13: a quarter of
//             the exchanges, as the 1 in 4 connections of 10 exchanges before). Header blocks are
//             HPACK-encoded as real clients and servers do (bench/hpack.js: static and dynamic
//             indexed fields, literals with incremental indexing, Huffman), one encoder per
//             connection direction: a block only decodes with the blocks before it on its
//             direction. The unique :path and trace headers fill the 4096-byte table after about
//             30 requests, so the later ones evict (as in real traffic).
//   flows — N concurrent connections: each opens (SYN) and sends one request (two in three
//           traced); none closes.
// Ground truth (for bench/decode-check.js and test/bench/gen.test.ts): generate() counts the
// message heads it wrote, can call opts.onMessage for each (its packet number and the header
// fields meant), and writes them to opts.truth (a <capture>.truth file, format at writeTruth).
// Usage: node bench/gen.js http <out.pcap> <bytes> [--truth]  |  node bench/gen.js flows <out.pcap> <count> [--truth]
//        (--truth: also write <out.pcap>.truth)
//        node bench/gen.js --help (exit 0); bad usage prints the usage text on stderr, exit 2.
import { openSync, writeSync, closeSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { HpackEncoder } from './hpack.js';

/** Bumped whenever the bytes written change: a capture whose truth file has another version is stale. */
export const GEN_VERSION = 2;

const REC = Buffer.alloc(16);
let ts = 1_700_000_000_000_000n; // microseconds

class Writer {
  constructor(path) { this.fd = openSync(path, 'w'); this.buf = Buffer.alloc(8 << 20); this.pos = 0; this.bytes = 0; this.packets = 0;
    const h = Buffer.alloc(24); h.writeUInt32LE(0xa1b2c3d4, 0); h.writeUInt16LE(2, 4); h.writeUInt16LE(4, 6); h.writeUInt32LE(262144, 16); h.writeUInt32LE(1, 20); this.raw(h); }
  raw(b) { if (this.pos + b.length > this.buf.length) this.flush(); b.copy(this.buf, this.pos); this.pos += b.length; this.bytes += b.length; }
  packet(frame) {
    ts += 37n;
    REC.writeUInt32LE(Number(ts / 1_000_000n), 0); REC.writeUInt32LE(Number(ts % 1_000_000n), 4);
    REC.writeUInt32LE(frame.length, 8); REC.writeUInt32LE(frame.length, 12);
    this.raw(REC); this.raw(frame); this.packets++;
  }
  flush() { writeSync(this.fd, this.buf, 0, this.pos); this.pos = 0; }
  close() { this.flush(); closeSync(this.fd); }
}

// Ethernet + IPv4 + TCP frame; checksums left zero (nothing here verifies them).
function frame(src, dst, sport, dport, seq, ack, flags, payload) {
  const f = Buffer.alloc(54 + payload.length);
  f.writeUInt32BE(0x02000000, 0); f.writeUInt16BE(0x0002, 4); f.writeUInt32BE(0x02000000, 6); f.writeUInt16BE(0x0001, 10);
  f.writeUInt16BE(0x0800, 12);
  f[14] = 0x45; f.writeUInt16BE(40 + payload.length, 16); f.writeUInt16BE(0x4000, 20); f[22] = 64; f[23] = 6;
  f.writeUInt32BE(src, 26); f.writeUInt32BE(dst, 30);
  f.writeUInt16BE(sport, 34); f.writeUInt16BE(dport, 36); f.writeUInt32BE(seq >>> 0, 38); f.writeUInt32BE(ack >>> 0, 42);
  f[46] = 0x50; f[47] = flags; f.writeUInt16BE(502, 48);
  payload.copy(f, 54);
  return f;
}

const hex = (n, w) => n.toString(16).padStart(w, '0');
// Trace ids are 32 hex digits (W3C trace-context; Cloud Trace): 8 from the exchange number and
// 24 fixed, so every traced exchange has its own trace.
const TRACE_ID = /^[0-9a-f]{32}$/;
/** The trace header of exchange i, [name, value] as HTTP/1.1 writes it, or null (one in three). */
function traceField(i) {
  const id = `${hex(i % 0x100000000, 8)}${i % 3 === 0 ? 'aa7843bc8bf206b120001000' : 'f2f3577b34da6a3ce929d0e0'}`;
  if (!TRACE_ID.test(id)) throw new Error(`gen: bad trace id ${id}`);
  if (i % 3 === 0) return ['X-Cloud-Trace-Context', `${id}/${i * 7919};o=1`];
  if (i % 3 === 1) return ['traceparent', `00-${id}-00f067aa0ba9${hex(i & 0xffff, 4)}-01`];
  return null;
}
const BODY = Buffer.from(JSON.stringify({ ok: true, items: Array.from({ length: 8 }, (_, k) => ({ id: k, name: `item-${k}` })) }));
const AUTHORITY = 'api.example.com', USER_AGENT = 'bench/1.0', JSON_TYPE = 'application/json', DATE = 'Tue, 14 Nov 2023 22:13:20 GMT';
const urlPath = (i) => `/api/v1/items/${i}?limit=10`;

function h1Exchange(i) {
  const t = traceField(i);
  const req = Buffer.from(`GET ${urlPath(i)} HTTP/1.1\r\nHost: ${AUTHORITY}\r\nUser-Agent: ${USER_AGENT}\r\nAccept: ${JSON_TYPE}\r\n${t ? `${t[0]}: ${t[1]}\r\n` : ''}\r\n`);
  const res = Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Type: ${JSON_TYPE}\r\nContent-Length: ${BODY.length}\r\nDate: ${DATE}\r\n\r\n`), BODY]);
  return { req, res };
}

/** The header fields of HTTP/2 exchange i (names in lower case, RFC 9113 §8.2.1). */
function h2Fields(i) {
  const req = [[':method', 'GET'], [':scheme', 'http'], [':path', urlPath(i)], [':authority', AUTHORITY], ['user-agent', USER_AGENT], ['accept', JSON_TYPE]];
  const t = traceField(i);
  if (t) req.push([t[0].toLowerCase(), t[1]]);
  const res = [[':status', '200'], ['content-type', JSON_TYPE], ['content-length', String(BODY.length)], ['date', DATE]];
  return { req, res };
}

const frameHeader = (len, type, flags, sid) => { const b = Buffer.alloc(9); b.writeUIntBE(len, 0, 3); b[3] = type; b[4] = flags; b.writeUInt32BE(sid, 5); return b; };
const HEADERS = 1, DATA = 0, END_STREAM = 1, END_HEADERS = 4;

// Message kinds of the ground truth.
export const KIND = { H1_REQUEST: 0, H1_RESPONSE: 1, H2_REQUEST: 2, H2_RESPONSE: 3 };
const KIND_NAMES = ['h1 request', 'h1 response', 'h2 request', 'h2 response'];

/** Ground truth of a generation: a u32 per message head, packet * 4 + kind, in packet order. */
class Truth {
  constructor(onMessage) { this.onMessage = onMessage; this.list = new Uint32Array(1 << 16); this.n = 0; this.counts = [0, 0, 0, 0]; }
  add(packet, kind, detail) {
    if (this.n === this.list.length) { const l = new Uint32Array(this.list.length * 2); l.set(this.list); this.list = l; }
    this.list[this.n++] = packet * 4 + kind;
    this.counts[kind]++;
    if (this.onMessage) this.onMessage({ packet, kind: KIND_NAMES[kind], ...detail });
  }
  entries() { return this.list.subarray(0, this.n); }
}

function genHttp(w, target, truth, hpackStats) {
  const open = [];
  let conn = 0, exchange = 0;
  const newConn = () => {
    const h2 = conn % 13 === 12;
    const c = { id: conn, src: 0x0a000000 + (conn % 60000) + 1, dst: 0x0a640001, sport: 10000 + (conn % 50000), dport: 8080, cseq: conn * 7777 + 1, sseq: conn * 3333 + 1, left: h2 ? 40 : 10, h2 };
    conn++;
    w.packet(frame(c.src, c.dst, c.sport, c.dport, c.cseq - 1, 0, 0x02, Buffer.alloc(0)));
    w.packet(frame(c.dst, c.src, c.dport, c.sport, c.sseq - 1, c.cseq, 0x12, Buffer.alloc(0)));
    w.packet(frame(c.src, c.dst, c.sport, c.dport, c.cseq, c.sseq, 0x10, Buffer.alloc(0)));
    if (c.h2) {
      const preface = Buffer.concat([Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'), Buffer.from('000000040000000000', 'hex')]);
      w.packet(frame(c.src, c.dst, c.sport, c.dport, c.cseq, c.sseq, 0x18, preface)); c.cseq += preface.length;
      const settings = Buffer.from('000000040000000000', 'hex');
      w.packet(frame(c.dst, c.src, c.dport, c.sport, c.sseq, c.cseq, 0x18, settings)); c.sseq += settings.length;
      c.stream = 1;
      // One HPACK encoder per direction, for the life of the connection.
      c.reqEnc = new HpackEncoder(); c.resEnc = new HpackEncoder();
    }
    return c;
  };
  const closeConn = (c) => {
    if (c.h2) for (const e of [c.reqEnc, c.resEnc]) for (const k in hpackStats) hpackStats[k] += e.stats[k];
  };
  while (w.bytes < target) {
    while (open.length < 64) open.push(newConn());
    const k = exchange % open.length;
    const c = open[k];
    const i = exchange++;
    if (c.h2) {
      // HEADERS (END_STREAM: a GET has no body) with the request's block; the response's
      // HEADERS and its DATA in one segment.
      const { req, res } = h2Fields(i);
      const block = c.reqEnc.encode(req);
      const reqf = Buffer.concat([frameHeader(block.length, HEADERS, END_STREAM | END_HEADERS, c.stream), block]);
      truth.add(w.packets, KIND.H2_REQUEST, { conn: c.id, stream: c.stream, headers: req });
      w.packet(frame(c.src, c.dst, c.sport, c.dport, c.cseq, c.sseq, 0x18, reqf)); c.cseq += reqf.length;
      const rblock = c.resEnc.encode(res);
      const resf = Buffer.concat([frameHeader(rblock.length, HEADERS, END_HEADERS, c.stream), rblock, frameHeader(BODY.length, DATA, END_STREAM, c.stream), BODY]);
      truth.add(w.packets, KIND.H2_RESPONSE, { conn: c.id, stream: c.stream, headers: res });
      w.packet(frame(c.dst, c.src, c.dport, c.sport, c.sseq, c.cseq, 0x18, resf)); c.sseq += resf.length;
      w.packet(frame(c.src, c.dst, c.sport, c.dport, c.cseq, c.sseq, 0x10, Buffer.alloc(0)));
      c.stream += 2;
    } else {
      const { req, res } = h1Exchange(i);
      truth.add(w.packets, KIND.H1_REQUEST, { conn: c.id });
      w.packet(frame(c.src, c.dst, c.sport, c.dport, c.cseq, c.sseq, 0x18, req)); c.cseq += req.length;
      w.packet(frame(c.dst, c.src, c.dport, c.sport, c.sseq, c.cseq, 0x10, Buffer.alloc(0)));
      truth.add(w.packets, KIND.H1_RESPONSE, { conn: c.id });
      w.packet(frame(c.dst, c.src, c.dport, c.sport, c.sseq, c.cseq, 0x18, res)); c.sseq += res.length;
      w.packet(frame(c.src, c.dst, c.sport, c.dport, c.cseq, c.sseq, 0x10, Buffer.alloc(0)));
    }
    if (--c.left === 0) {
      w.packet(frame(c.src, c.dst, c.sport, c.dport, c.cseq, c.sseq, 0x11, Buffer.alloc(0))); c.cseq++;
      w.packet(frame(c.dst, c.src, c.dport, c.sport, c.sseq, c.cseq, 0x11, Buffer.alloc(0))); c.sseq++;
      w.packet(frame(c.src, c.dst, c.sport, c.dport, c.cseq, c.sseq, 0x10, Buffer.alloc(0)));
      open.splice(k, 1);
      closeConn(c);
    }
  }
  for (const c of open) closeConn(c);
}

function genFlows(w, count, truth) {
  for (let i = 0; i < count; i++) {
    const src = 0x0a000000 + (i >>> 8) + 1, sport = 1024 + (i & 0xff) * 97 % 60000 + (i & 0xff);
    w.packet(frame(src, 0x0a640001, sport, 8080, i, 0, 0x02, Buffer.alloc(0)));
    const { req } = h1Exchange(i);
    truth.add(w.packets, KIND.H1_REQUEST, { conn: i });
    w.packet(frame(src, 0x0a640001, sport, 8080, i + 1, 1, 0x18, req));
  }
}

/**
 * Generates a capture of `kind` ('http': until `size` bytes; 'flows': `size` connections).
 * opts.onMessage(m): called for each message head written, m = { packet (0-based, as pcap.num),
 *   kind ('h1 request', 'h1 response', 'h2 request', 'h2 response'), conn, and for HTTP/2
 *   stream and headers ([[name, value], ...] as encoded) }.
 * opts.truth: a path to write the ground truth to (writeTruth).
 * Returns { packets, bytes, messages: { h1Requests, h1Responses, h2Requests, h2Responses }, hpack }
 * (hpack: the encoders' summed stats, bench/hpack.js).
 */
export function generate(kind, path, size, opts = {}) {
  const w = new Writer(path);
  const truth = new Truth(opts.onMessage);
  const hpack = { fields: 0, indexed: 0, literals: 0, huffman: 0, raw: 0, evicted: 0 };
  if (kind === 'http') genHttp(w, size, truth, hpack);
  else if (kind === 'flows') genFlows(w, size, truth);
  else throw new Error(`gen: unknown kind ${kind}`);
  w.close();
  if (opts.truth) writeTruth(opts.truth, truth.entries(), w.packets);
  const [h1Requests, h1Responses, h2Requests, h2Responses] = truth.counts;
  return { packets: w.packets, bytes: w.bytes, messages: { h1Requests, h1Responses, h2Requests, h2Responses }, hpack };
}

// ---- ground truth files --------------------------------------------------------------------------
// <capture>.truth: a 16-octet header — "tcgt", format 1, GEN_VERSION, the capture's packet
// count (u32 little-endian each) — then one u32 LE per message head in packet order:
// packet number (0-based, pcap.num) * 4 + KIND.
export const truthPath = (capture) => `${capture}.truth`;

export function writeTruth(file, entries, packets) {
  const head = Buffer.alloc(16);
  head.write('tcgt', 0, 'latin1'); head.writeUInt32LE(1, 4); head.writeUInt32LE(GEN_VERSION, 8); head.writeUInt32LE(packets, 12);
  writeFileSync(file, Buffer.concat([head, Buffer.from(entries.buffer, entries.byteOffset, entries.byteLength)]));
}

/** The truth file of `file`: { version, packets, entries: Uint32Array }, or null when it is missing or not one. */
export function readTruth(file) {
  if (!existsSync(file)) return null;
  const b = readFileSync(file);
  if (b.length < 16 || b.toString('latin1', 0, 4) !== 'tcgt' || b.readUInt32LE(4) !== 1 || (b.length - 16) % 4) return null;
  const entries = new Uint32Array(b.length / 4 - 4);
  for (let i = 0; i < entries.length; i++) entries[i] = b.readUInt32LE(16 + 4 * i);
  return { version: b.readUInt32LE(8), packets: b.readUInt32LE(12), entries };
}

/** The truth of a capture's first `packets` packets (an editcap cut), written to `file`. */
export function cutTruth(truth, packets, file) {
  let n = 0;
  while (n < truth.entries.length && Math.floor(truth.entries[n] / 4) < packets) n++;
  const entries = truth.entries.subarray(0, n);
  const head = Buffer.alloc(16);
  head.write('tcgt', 0, 'latin1'); head.writeUInt32LE(1, 4); head.writeUInt32LE(truth.version, 8); head.writeUInt32LE(packets, 12);
  writeFileSync(file, Buffer.concat([head, Buffer.from(entries.buffer, entries.byteOffset, entries.byteLength)]));
}

const USAGE = `Usage: node bench/gen.js http <out.pcap> <bytes> [--truth]    keep-alive HTTP/1.1 and h2c until the file has <bytes>
       node bench/gen.js flows <out.pcap> <count> [--truth]   <count> connections, each a SYN and one request
       node bench/gen.js --help | -h                          this text
Writes a classic pcap (Ethernet); deterministic: the same arguments write the same bytes.
--truth also writes <out.pcap>.truth, the packet number of every message head written
(bench/decode-check.js checks a translation against it).
Exit status: 0 done (or help), 2 bad usage.
`;

function usage(problem) {
  process.stderr.write(`gen.js: ${problem}\n${USAGE}`);
  process.exit(2);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const all = process.argv.slice(2);
  if (all.includes('--help') || all.includes('-h')) { process.stdout.write(USAGE); process.exit(0); }
  if (all.length === 0) usage('no arguments');
  const withTruth = all.includes('--truth');
  const args = all.filter((a) => a !== '--truth');
  const bad = args.find((a) => a.startsWith('-') && a !== '-');
  if (bad) usage(`unknown option '${bad}'`);
  const [kind, out, n] = args;
  if (kind !== 'http' && kind !== 'flows') usage(`unknown kind '${kind}' (http or flows)`);
  if (args.length !== 3) usage(`${kind} takes an output file and a ${kind === 'http' ? 'size in bytes' : 'connection count'}`);
  const size = Number(n);
  if (!Number.isSafeInteger(size) || size < 0) usage(`'${n}' is not a whole number`);
  const r = generate(kind, out, size, withTruth ? { truth: truthPath(out) } : {});
  const m = r.messages, h = r.hpack;
  console.log(`${out}: ${r.packets} packets, ${r.bytes} bytes; HTTP/1.1 ${m.h1Requests} requests, ${m.h1Responses} responses; ` +
    `HTTP/2 ${m.h2Requests} requests, ${m.h2Responses} responses` + (h.fields ? ` (HPACK: ${h.fields} fields, ${h.indexed} indexed, ${h.literals} literals, ${h.huffman} Huffman strings, ${h.evicted} evictions)` : '') +
    (withTruth ? `; truth in ${truthPath(out)}` : ''));
}
