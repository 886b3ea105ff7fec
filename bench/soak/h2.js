// HTTP/2 (prior-knowledge h2c) connections of the soak generator and what their records must show.
//
// h2Script(c, g): client preface and SETTINGS both ways with their ACKs, then batches of
// requests on odd stream ids (up to 100 at once), header blocks HPACK-encoded as real encoders
// do (hpack.js: dynamic table with eviction, indexed repeats, Huffman), some split into HEADERS
// + CONTINUATION, request and response bodies in DATA frames over many segments, responses
// interleaved across streams, gRPC-style trailers on some, RST_STREAM on some, WINDOW_UPDATE and
// PING, GOAWAY at the close; some connections reset in the middle of a frame, some abandoned.
//
// H2Observer: a segment shows every frame that completes in it, grouped by stream (at most 40
// streams a send, under the 64 rendered); a header block's fields and kind appear on the frame
// that ends it. A frame of a stream carries the stream's request trace while the connection
// keeps the stream's exchange: from its request block until it has finished (END_STREAM from
// both sides, or a RST_STREAM from either) and then until 32 later streams of the connection
// have finished (flow/conn.ts finish, http/h2exchange.ts streamEnded). A segment that completes
// no frame and ends inside a frame's payload carries that frame's stream trace at top level
// (while kept); other segments carry none (README difference 22).
import { CLIENT, SERVER } from './tcp.js';
import { HpackEncoder } from '../hpack.js';
import { drawTrace, canonical } from './trace.js';

const DATA = 0, HEADERS = 1, RST_STREAM = 3, SETTINGS = 4, PING = 6, GOAWAY = 7, WINDOW_UPDATE = 8, CONTINUATION = 9;
const NAMES = ['DATA', 'HEADERS', 'PRIORITY', 'RST_STREAM', 'SETTINGS', 'PUSH_PROMISE', 'PING', 'GOAWAY', 'WINDOW_UPDATE', 'CONTINUATION'];
const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
const STREAMS_PER_SEND = 40;
const MAX_FRAME = 16384;

function flagNames(type, flags) {
  const out = [];
  for (let bit = 0; bit < 8; bit++) {
    const m = 1 << bit;
    if (!(flags & m)) continue;
    if (m === 1 && (type === DATA || type === HEADERS)) out.push('END_STREAM');
    else if (m === 1 && (type === SETTINGS || type === PING)) out.push('ACK');
    else if (m === 4 && (type === HEADERS || type === CONTINUATION)) out.push('END_HEADERS');
    else out.push(`0x${m.toString(16)}`);
  }
  return out.join('|');
}

/** A frame to send: bytes plus what its record must show. */
function frame(type, flags, stream, payload, extra = {}) {
  const h = Buffer.alloc(9);
  h.writeUIntBE(payload.length, 0, 3); h[3] = type; h[4] = flags; h.writeUInt32BE(stream, 5);
  const f = flags ? ` flags=${flagNames(type, flags)}` : '';
  const raw = `${NAMES[type]}${f}${stream ? ` stream=${stream}` : ''} len=${payload.length}`;
  return { bytes: Buffer.concat([h, payload]), type, flags, stream, raw, ...extra };
}

const u32 = (v) => { const b = Buffer.alloc(4); b.writeUInt32BE(v); return b; };
const settings = (pairs) => Buffer.concat(pairs.map(([id, v]) => { const b = Buffer.alloc(6); b.writeUInt16BE(id); b.writeUInt32BE(v, 2); return b; }));

/** The header map a frame must show: pseudo-headers as sent, other names Go-canonical, values in arrays. */
function expectedFields(fields) {
  const m = {};
  for (const [n, v] of fields) (m[n.startsWith(':') ? n : canonical(n)] ||= []).push(v);
  return m;
}

// A header block as frames: HEADERS alone, or HEADERS + CONTINUATION(s); the last ends the block.
function headerFrames(g, stream, block, endStream, info) {
  const parts = [];
  const splits = block.length > 40 && g.rng.chance(0.15) ? g.rng.int(1, 2) : 0;
  if (splits) g.mark('h2.continuation');
  let o = 0;
  for (let i = 0; i < splits; i++) { const n = g.rng.int(1, Math.floor((block.length - o) / 2)); parts.push(block.subarray(o, o + n)); o += n; }
  parts.push(block.subarray(o));
  return parts.map((p, i) => {
    const last = i === parts.length - 1;
    const flags = (i === 0 && endStream ? 1 : 0) | (last ? 4 : 0);
    return frame(i === 0 ? HEADERS : CONTINUATION, flags, stream, p, last ? { ...info, blockEnd: true, endStream } : {});
  });
}

function dataFrames(g, stream, size, endStream) {
  const out = [];
  let left = size;
  do {
    const n = Math.min(left, g.rng.chance(0.5) ? MAX_FRAME : g.rng.int(1, MAX_FRAME));
    left -= n;
    out.push(frame(DATA, endStream && left === 0 ? 1 : 0, stream, Buffer.alloc(n, 0x62)));
  } while (left > 0);
  return out;
}

function bodySize(rng) { const k = rng.weighted([45, 45, 9, 1]); return k === 0 ? 0 : k === 1 ? rng.int(1, 2000) : k === 2 ? rng.int(2000, 40000) : rng.int(40000, 200000); }

function planStream(g, c, id) {
  const rng = g.rng;
  const method = rng.pick(['GET', 'GET', 'GET', 'POST', 'PUT', 'DELETE']);
  const tr = drawTrace(rng);
  const grpc = c.grpc;
  const reqFields = [[':method', grpc ? 'POST' : method], [':scheme', 'http'], [':authority', c.host],
    [':path', grpc ? `/soak.v1.Items/Get${rng.int(1, 5)}` : `/v1/${rng.pick(['items', 'users', 'carts'])}/${rng.int(1, 99999)}?s=${id}`],
    ['user-agent', c.ua], ['accept', grpc ? 'application/grpc' : '*/*'], ...(grpc ? [['content-type', 'application/grpc'], ['te', 'trailers']] : []),
    ['x-request-id', rng.hex(16)], ...tr.headers.map(([n, v]) => [n.toLowerCase(), v])];
  const reqBody = grpc || method === 'POST' || method === 'PUT' ? bodySize(rng) : 0;
  const resFields = [[':status', grpc ? '200' : rng.pick(['200', '200', '200', '201', '404', '500'])], ['content-type', grpc ? 'application/grpc' : 'application/json'],
    ['date', 'Tue, 14 Nov 2023 22:13:20 GMT'], ['server', 'soak']];
  if (rng.chance(g.p.h2Big)) {
    g.mark('h2.big_block');
    for (let i = rng.int(2, 6); i > 0; i--) resFields.push([`x-big-${i}`, rng.hex(rng.int(500, 2000))]);
  }
  const trailers = grpc || rng.chance(0.1) ? [['grpc-status', String(rng.pick([0, 0, 0, 5, 14]))], ['grpc-message', rng.pick(['', 'not found'])]] : null;
  if (trailers) g.mark('h2.trailers');
  const rst = rng.chance(0.05) ? rng.pick([CLIENT, SERVER]) : -1;
  if (rst >= 0) g.mark('h2.rst_stream');
  return { id, tr: tr.trace, reqFields, reqBody, resFields, resBody: bodySize(rng), trailers, rst };
}

// A header block to encode when its place in the connection is known: HPACK blocks must be
// decoded in the order they were encoded, so blocks are encoded as the interleaving emits them.
const block = (g, c, dir, id, fields, endStream, info) => () => headerFrames(g, id, c.enc[dir].encode(fields), endStream, info);

// The request units of a stream: its header block, then its DATA frames.
function requestFrames(g, c, s) {
  const out = [block(g, c, CLIENT, s.id, s.reqFields, s.reqBody === 0, { kind: 'request', headers: expectedFields(s.reqFields), trace: s.tr })];
  if (s.reqBody) out.push(...dataFrames(g, s.id, s.reqBody, true));
  return out;
}

// The response units of a stream, in order (header block, data, trailers or a reset).
function responseFrames(g, c, s) {
  const out = [block(g, c, SERVER, s.id, s.resFields, s.resBody === 0 && !s.trailers, { kind: 'response', headers: expectedFields(s.resFields) })];
  if (s.rst === SERVER) { out.push(frame(RST_STREAM, 0, s.id, u32(8))); return out; }
  if (s.resBody) out.push(...dataFrames(g, s.id, s.resBody, !s.trailers));
  if (s.trailers) out.push(block(g, c, SERVER, s.id, s.trailers, true, { kind: 'trailers', headers: expectedFields(s.trailers) }));
  return out;
}

// Interleaves the streams' units round-robin into one frame order (a header block's frames stay
// together, as CONTINUATION must follow its HEADERS at once).
function interleave(lists) {
  const order = [];
  const idx = lists.map(() => 0);
  for (let left = lists.reduce((n, l) => n + l.length, 0); left > 0;) {
    for (let i = 0; i < lists.length; i++) {
      if (idx[i] >= lists[i].length) continue;
      const u = lists[i][idx[i]++]; left--;
      if (typeof u === 'function') order.push(...u()); else order.push(u);
    }
  }
  return order;
}

/** Sends frames from one side, in sends of at most 40 distinct streams; returns the time the last byte arrives. */
function sendFrames(c, dir, frames, { stopAt, gap } = {}) {
  let arrive = c.now, batch = [], streams = new Set();
  const flush = () => {
    if (!batch.length) return;
    let off = c.sent[dir];
    for (const f of batch) { c.observer.frames[dir].push({ ...f, bytes: undefined, start: off, end: off + f.bytes.length }); off += f.bytes.length; }
    arrive = c.send(dir, Buffer.concat(batch.map((f) => f.bytes)), { stopAt, gap });
    batch = []; streams = new Set();
  };
  for (const f of frames) {
    if (!streams.has(f.stream) && streams.size >= STREAMS_PER_SEND && f.type !== CONTINUATION) flush();
    streams.add(f.stream); batch.push(f);
  }
  flush();
  return arrive;
}

/** The script of one HTTP/2 connection. */
export function* h2Script(c, g) {
  const rng = g.rng;
  c.observer = new H2Observer(c);
  c.enc = [new HpackEncoder(), new HpackEncoder()];
  c.grpc = c.port[SERVER] === 50051;
  c.host = c.grpc ? `grpc.internal:${c.port[SERVER]}` : rng.pick(['api.example.com', 'h2.example.net']);
  c.ua = rng.pick(['grpc-go/1.60.0', 'soak-h2/1.0', 'okhttp/4.12.0']);
  let total = [() => rng.int(1, 5), () => rng.int(6, 40), () => rng.int(41, 300)][rng.weighted([60, 32, 8])]();
  // Up to 100 concurrent streams on some connections (the core remembers 32 exchanges per connection).
  const conc = rng.chance(g.p.h2Wide) ? rng.int(33, 100) : Math.min(total, [() => 1, () => rng.int(2, 10), () => rng.int(11, 32)][rng.weighted([40, 40, 20])]());
  total = Math.max(total, conc);
  const ending = rng.weighted([88, g.p.h2ResetMidFrame * 100, g.p.abandon * 100]); // GOAWAY and close, reset in a frame, abandoned
  const life = g.lifetime();
  if (conc > 32) g.mark('h2.over_32_streams');
  if (total > 40) g.mark('h2.long_lived');
  g.mark(['h2.goaway_close', 'h2.reset_in_frame', 'h2.abandoned'][ending]);
  c.open();
  yield;
  c.observer.frames[CLIENT].push({ start: 0, end: PREFACE.length, preface: true }); // not a frame: skipped by the observer
  // The preface sometimes in pieces, the first too short to tell the protocol.
  const prefaceCuts = rng.chance(g.p.shortFirst) ? [rng.int(1, 3), rng.int(4, 23)] : [];
  if (prefaceCuts.length) g.mark('h2.split_preface');
  c.send(CLIENT, PREFACE, { cuts: prefaceCuts });
  sendFrames(c, CLIENT, [frame(SETTINGS, 0, 0, settings([[2, 0], [4, 1 << 20]]))]);
  let arrive = sendFrames(c, SERVER, [frame(SETTINGS, 0, 0, settings([[3, 250], [4, 1 << 20]])), frame(SETTINGS, 1, 0, Buffer.alloc(0))]);
  c.until(arrive);
  sendFrames(c, CLIENT, [frame(SETTINGS, 1, 0, Buffer.alloc(0))]);
  yield;
  let next = 1, done = 0;
  while (done < total) {
    const streams = [];
    for (let k = 0; k < conc && done < total; k++, done++) { streams.push(planStream(g, c, next)); next += 2; }
    const last = done >= total;
    arrive = sendFrames(c, CLIENT, interleave(streams.map((s) => requestFrames(g, c, s))));
    const cancels = streams.filter((s) => s.rst === CLIENT).map((s) => frame(RST_STREAM, 0, s.id, u32(8)));
    if (cancels.length) arrive = sendFrames(c, CLIENT, cancels);
    if (last && ending === 2 && rng.chance(0.5)) { c.done = true; return; } // abandoned with requests waiting
    yield;
    c.until(arrive + 0.0005 + rng.exp(0.02));
    yield;
    const responses = interleave(streams.filter((s) => s.rst !== CLIENT).map((s) => responseFrames(g, c, s)));
    if (last && ending === 1) { resetInFrame(c, rng, responses); return; }
    arrive = sendFrames(c, SERVER, responses, { gap: rng.chance(0.2) ? 0.001 : 0.00002 });
    yield;
    c.until(arrive + 0.001);
    const updates = [frame(WINDOW_UPDATE, 0, 0, u32(1 << 20)), ...streams.filter((s) => s.resBody > 20000 && s.rst < 0).slice(0, 20).map((s) => frame(WINDOW_UPDATE, 0, s.id, u32(s.resBody)))];
    if (rng.chance(0.2)) { updates.push(frame(PING, 0, 0, rng.bytes(8))); g.mark('h2.ping'); }
    arrive = sendFrames(c, CLIENT, updates);
    if (updates.at(-1).type === PING) { c.until(arrive); sendFrames(c, SERVER, [frame(PING, 1, 0, updates.at(-1).bytes.subarray(9))]); }
    yield;
    if (!last) { c.until(c.now + Math.min(rng.exp(life / Math.ceil(total / conc)), 500)); yield; }
  }
  if (ending === 2) { c.done = true; return; }
  c.until(c.now + rng.exp(0.5));
  yield;
  sendFrames(c, SERVER, [frame(GOAWAY, 0, 0, Buffer.concat([u32(next - 2), u32(0)]))]);
  c.close(rng.chance(0.5) ? CLIENT : SERVER);
}

// Sends the responses up to a point inside a DATA or HEADERS frame, then resets the connection.
function resetInFrame(c, rng, frames) {
  const candidates = [];
  let off = c.sent[SERVER];
  for (const f of frames) { if ((f.type === DATA || f.type === HEADERS) && f.bytes.length > 10) candidates.push([off, f.bytes.length]); off += f.bytes.length; }
  const [start, len] = candidates.length ? rng.pick(candidates) : [c.sent[SERVER], 2];
  sendFrames(c, SERVER, frames, { stopAt: start + rng.int(1, len - 1) });
  c.wait(rng.exp(0.01));
  c.reset(rng.chance(0.5) ? SERVER : CLIENT);
}

/** Works out, packet by packet, what the records of one HTTP/2 connection must show. */
export class H2Observer {
  constructor(c) {
    this.c = c;
    this.frames = [[], []];
    this.streams = new Map(); // stream id → its exchange while kept: { trace, reqEnded, resEnded }
    this.finished = [];       // ids of the kept streams that finished, in the order they finished
  }

  /** The truth item of a packet about to be written. */
  segment(p) {
    const c = this.c;
    c.beforePacket(p.tick);
    const a = p.off, b = p.off + p.payload.length;
    const shown = [];
    let inside = null;
    if (p.payload.length && !c.released) {
      const list = this.frames[p.dir];
      for (const f of list) {
        if (f.start >= b) break;
        if (f.preface) continue;
        if (f.end > a && f.end <= b) shown.push(this.show(f, p.dir));
        else if (f.end > b && f.start + 9 <= b) inside = f;
      }
      while (list.length && list[0].end <= b) list.shift();
    }
    c.afterPacket(p, false);
    const item = { k: 'seg', tr: null };
    if (shown.length) item.frames = shown;
    if (!c.untracked && !(p.flags & 0x02) && !shown.length && inside && inside.stream) item.tr = this.streams.get(inside.stream)?.trace ?? null;
    return item;
  }

  // END_STREAM from one side (a RST_STREAM: both); the stream finishes when both sides ended,
  // and the connection then lets go of the stream that finished 33rd to last.
  ended(st, id, client) {
    if (st.reqEnded && st.resEnded) return;
    if (client) st.reqEnded = true; else st.resEnded = true;
    if (!st.reqEnded || !st.resEnded) return;
    this.finished.push(id);
    if (this.finished.length > 32) this.streams.delete(this.finished.shift());
  }

  show(f, dir) {
    const client = dir === CLIENT;
    if (f.kind === 'request') this.streams.set(f.stream, { trace: f.trace, reqEnded: false, resEnded: false });
    const st = f.stream ? this.streams.get(f.stream) : undefined;
    const tr = st && !this.c.untracked ? st.trace : null;
    if (st) {
      if (f.blockEnd && f.endStream) this.ended(st, f.stream, client);
      else if (f.type === DATA && f.flags & 1) this.ended(st, f.stream, client);
      else if (f.type === RST_STREAM) { this.ended(st, f.stream, true); this.ended(st, f.stream, false); }
    }
    const o = { s: f.stream, raw: f.raw, tr };
    if (f.kind) { o.kind = f.kind; o.headers = f.headers; }
    return o;
  }
}
