// Synthetic benchmark captures (classic pcap, Ethernet), written as a stream so size is not
// limited by memory:
//   http  — keep-alive HTTP/1.1 connections (10 exchanges each, 64 open at a time, interleaved)
//           and prior-knowledge HTTP/2 connections, a third of requests with
//           X-Cloud-Trace-Context, a third with traceparent; every response after its request.
//   flows — N concurrent connections: each opens (SYN) and sends one traced request; none closes.
// Usage: node bench/gen.js http <out.pcap> <bytes>   |   node bench/gen.js flows <out.pcap> <count>
//        node bench/gen.js --help (exit 0); bad usage prints the usage text on stderr, exit 2.
import { openSync, writeSync, closeSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

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
function traceHeader(i) {
  const id = `${hex(i % 0x100000000, 8)}${i % 3 === 0 ? 'aa7843bc8bf206b120001000' : 'f2f3577b34da6a3ce929d0e0'}`;
  if (!TRACE_ID.test(id)) throw new Error(`gen: bad trace id ${id}`);
  if (i % 3 === 0) return `X-Cloud-Trace-Context: ${id}/${i * 7919};o=1\r\n`;
  if (i % 3 === 1) return `traceparent: 00-${id}-00f067aa0ba9${hex(i & 0xffff, 4)}-01\r\n`;
  return '';
}
const BODY = Buffer.from(JSON.stringify({ ok: true, items: Array.from({ length: 8 }, (_, k) => ({ id: k, name: `item-${k}` })) }));

function h1Exchange(i) {
  const req = Buffer.from(`GET /api/v1/items/${i}?limit=10 HTTP/1.1\r\nHost: api.example.com\r\nUser-Agent: bench/1.0\r\nAccept: application/json\r\n${traceHeader(i)}\r\n`);
  const res = Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${BODY.length}\r\nDate: Tue, 14 Nov 2023 22:13:20 GMT\r\n\r\n`), BODY]);
  return { req, res };
}

function genHttp(w, target) {
  const open = [];
  let conn = 0, exchange = 0;
  const newConn = () => {
    const c = { src: 0x0a000000 + (conn % 60000) + 1, dst: 0x0a640001, sport: 10000 + (conn % 50000), dport: 8080, cseq: conn * 7777 + 1, sseq: conn * 3333 + 1, left: 10, h2: conn % 4 === 3 };
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
    }
    return c;
  };
  while (w.bytes < target) {
    while (open.length < 64) open.push(newConn());
    const k = exchange % open.length;
    const c = open[k];
    const i = exchange++;
    if (c.h2) {
      // HEADERS with literal fields (no indexing) so every request decodes alone, then DATA.
      const lit = (n, v) => Buffer.concat([Buffer.from([0x00, n.length]), Buffer.from(n), Buffer.from([v.length]), Buffer.from(v)]);
      const th = traceHeader(i);
      const fields = [Buffer.from([0x82, 0x86]), lit(':path', `/api/v1/items/${i}`), lit(':authority', 'api.example.com')];
      if (th) { const [n, v] = th.trim().split(': '); fields.push(lit(n.toLowerCase(), v)); }
      const block = Buffer.concat(fields);
      const hdr = (len, type, flags, sid) => { const b = Buffer.alloc(9); b.writeUIntBE(len, 0, 3); b[3] = type; b[4] = flags; b.writeUInt32BE(sid, 5); return b; };
      const reqf = Buffer.concat([hdr(block.length, 1, 5, c.stream), block]);
      w.packet(frame(c.src, c.dst, c.sport, c.dport, c.cseq, c.sseq, 0x18, reqf)); c.cseq += reqf.length;
      const rblock = Buffer.concat([Buffer.from([0x88]), lit('content-type', 'application/json')]);
      const resf = Buffer.concat([hdr(rblock.length, 1, 4, c.stream), rblock, hdr(BODY.length, 0, 1, c.stream), BODY]);
      w.packet(frame(c.dst, c.src, c.dport, c.sport, c.sseq, c.cseq, 0x18, resf)); c.sseq += resf.length;
      w.packet(frame(c.src, c.dst, c.sport, c.dport, c.cseq, c.sseq, 0x10, Buffer.alloc(0)));
      c.stream += 2;
    } else {
      const { req, res } = h1Exchange(i);
      w.packet(frame(c.src, c.dst, c.sport, c.dport, c.cseq, c.sseq, 0x18, req)); c.cseq += req.length;
      w.packet(frame(c.dst, c.src, c.dport, c.sport, c.sseq, c.cseq, 0x10, Buffer.alloc(0)));
      w.packet(frame(c.dst, c.src, c.dport, c.sport, c.sseq, c.cseq, 0x18, res)); c.sseq += res.length;
      w.packet(frame(c.src, c.dst, c.sport, c.dport, c.cseq, c.sseq, 0x10, Buffer.alloc(0)));
    }
    if (--c.left === 0) {
      w.packet(frame(c.src, c.dst, c.sport, c.dport, c.cseq, c.sseq, 0x11, Buffer.alloc(0))); c.cseq++;
      w.packet(frame(c.dst, c.src, c.dport, c.sport, c.sseq, c.cseq, 0x11, Buffer.alloc(0))); c.sseq++;
      w.packet(frame(c.src, c.dst, c.sport, c.dport, c.cseq, c.sseq, 0x10, Buffer.alloc(0)));
      open.splice(k, 1);
    }
  }
}

function genFlows(w, count) {
  for (let i = 0; i < count; i++) {
    const src = 0x0a000000 + (i >>> 8) + 1, sport = 1024 + (i & 0xff) * 97 % 60000 + (i & 0xff);
    w.packet(frame(src, 0x0a640001, sport, 8080, i, 0, 0x02, Buffer.alloc(0)));
    const { req } = h1Exchange(i);
    w.packet(frame(src, 0x0a640001, sport, 8080, i + 1, 1, 0x18, req));
  }
}

/** Generates a capture; returns {packets, bytes}. */
export function generate(kind, path, size) {
  const w = new Writer(path);
  if (kind === 'http') genHttp(w, size); else genFlows(w, size);
  w.close();
  return { packets: w.packets, bytes: w.bytes };
}

const USAGE = `Usage: node bench/gen.js http <out.pcap> <bytes>     keep-alive HTTP/1.1 and h2c until the file has <bytes>
       node bench/gen.js flows <out.pcap> <count>    <count> connections, each a SYN and one request
       node bench/gen.js --help | -h                 this text
Writes a classic pcap (Ethernet); deterministic: the same arguments write the same bytes.
Exit status: 0 done (or help), 2 bad usage.
`;

function usage(problem) {
  process.stderr.write(`gen.js: ${problem}\n${USAGE}`);
  process.exit(2);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) { process.stdout.write(USAGE); process.exit(0); }
  if (args.length === 0) usage('no arguments');
  const [kind, out, n] = args;
  if (kind !== 'http' && kind !== 'flows') usage(`unknown kind '${kind}' (http or flows)`);
  if (args.length !== 3) usage(`${kind} takes an output file and a ${kind === 'http' ? 'size in bytes' : 'connection count'}`);
  const size = Number(n);
  if (!Number.isSafeInteger(size) || size < 0) usage(`'${n}' is not a whole number`);
  const r = generate(kind, out, size);
  console.log(`${out}: ${r.packets} packets, ${r.bytes} bytes`);
}
