// Stateful analysis of TCP at DEBUG verbosity (reference §4–§6, with its defects fixed):
// one event-ordered pass in capture order, capture timestamps as the clock. Per packet:
// connection lookup (exact key), timers due by this packet's time, roles, reassembly cursors,
// the HTTP/1.x or HTTP/2 parser of the direction, request/response pairing, and the choice of
// the trace the record carries. Its output is JSON fragments in scratch buffers (HTTP, L7, the
// message suffix) and the exchange whose trace goes at the record's top level; render.ts
// copies them into the record at their sorted place. Nothing here ever blocks or reorders.

import { MAX_HEAD, MAX_METHOD, MAX_URL } from "../config";
import * as T from "../flow/table";
import { idleExpired, untrackDeadline, due } from "../flow/timers";
import { Conn, Dir, Mode, ex, conn, Exchange } from "../flow/conn";
import { H1, H1Ev, Body, h1Step, h1Event, h1Body, h1Resync, h1BodyBytes, Head, parseHead, nameIs, looksLikeStart as looksLikeStartAt } from "../http/h1";
import { Frame, H2Ev, h2Step, h2Event, h2Start, h2Release, framePtr, frameAvail, isPreface } from "../http/h2";
import { takeBuf, freeBuf, bufPtr } from "../http/buffers";
import { takeTable, freeTable, table } from "../http/hpackpool";
import { hpackDecode, hpackOutLen } from "../http/hpack";
import * as E from "./entry";
import { hdrReset, hdrAdd, hdrWrite, Drop } from "../http/headers";
import { TraceRepr, parseTraceparent, parseCloudTrace } from "../trace/context";
import { renderBuffer, frag, w, b, raw, u32dec, u64dec, i64dec, str, strBody, hex32, bin32, pos, setPos } from "../json/writer";
import { rfc3339 } from "../json/format";
import { ClientHelloRepr, ServerHelloRepr, parseClientHello, parseServerHello, ja4 } from "../wire/tls";
import { WireErr } from "../wire/errors";
import { copy, findByte } from "../util/mem";
import { Opt, optEscPtr, optEscLength } from "./options";

// ---- per-packet results -------------------------------------------------------------------

const SCRATCH_CAP: i32 = 1 << 20;
const HTTP_BUF: usize = renderBuffer(SCRATCH_CAP);
// Scratch sizes cover the worst case: every byte of a MAX_HEAD head escaped to 6 bytes.
const L7_BUF: usize = renderBuffer(MAX_HEAD * 7 + 4096);
const SUFFIX_BUF: usize = renderBuffer(MAX_HEAD * 7 + 4096);
/** JSON of the record's `HTTP` object (without the key), or length 0. */
export let httpLen: i32 = 0;
/** JSON of the record's `L7` object, or length 0. */
export let l7Len: i32 = 0;
/** Text appended to the TCP message (already JSON-escaped), or length 0. */
export let suffixLen: i32 = 0;
/** Whether the record has a `message` (false for an HTTP/2 preface-only segment, as upstream). */
export let hasMessage = true;
/** Exchange whose trace the record carries at top level (-1 none). */
export let traceEx: i32 = -1;
/** HTTP/2 frames carry their own trace keys: none at top level. */
export let traceInFrames = false;

@inline export function httpPtr(): usize { return HTTP_BUF; }
@inline export function l7Ptr(): usize { return L7_BUF; }
@inline export function suffixPtr(): usize { return SUFFIX_BUF; }


let initialised = false;
let flowCap: i32 = 0;
/** Caps the connections tracked (0 or more than MAX_FLOWS: MAX_FLOWS); takes effect on the first packet. */
export function setFlowCap(n: i32): void { if (!initialised) flowCap = n; }

// Packet context
let now: i64 = 0;
let pSec: i64 = 0;
let pNsec: i32 = 0;
let payload: usize = 0;
let payloadLen: i32 = 0;
let segSeq: u32 = 0;
/** Offset (in the direction's stream) of the byte being parsed. */
let curOff: u32 = 0;

const head = new Head();
const tmpHead = new Head();
const RENDER_HEAD: usize = heap.alloc(<usize>MAX_HEAD);
let rendered = false;          // an HTTP/1 head was rendered for this packet
let renderEx: i32 = -1;
let renderBodyStart: usize = 0;
let renderBodyLen: i32 = 0;
let renderDeclared: i64 = 0;
let renderChunked = false;
let renderBodyOpen = false;    // the rendered message's body continues in this packet
const trace2 = new TraceRepr();

function resetPacket(): void {
  httpLen = 0; l7Len = 0; suffixLen = 0; tlsLen = 0; tlsN = 0; helloClient = false; helloServer = false; traceEx = -1; traceInFrames = false; hasMessage = true;
  rendered = false; renderEx = -1; renderBodyLen = 0; renderBodyOpen = false;
  h2Frames = 0; h2Size = 0; h2Preface = false; streamSetN = 0; reqSetN = 0; resSetN = 0; dataSetN = 0;
  fragUsed = 0; h2LastStream = 0;
}

// ---- connection lifecycle ----------------------------------------------------------------

function releaseDir(d: Dir): void {
  freeBuf(d.head); d.head = -1;
  freeBuf(d.fBuf); d.fBuf = -1;
  freeBuf(d.blockBuf); d.blockBuf = -1;
  freeTable(d.hpack); d.hpack = -1;
}

function releaseConn(c: Conn): void { releaseDir(unchecked(c.d[0])); releaseDir(unchecked(c.d[1])); c.reset(); }

function evict(f: i32): void { releaseConn(conn(f)); T.remove(f); }

/** Forgets every connection (a new capture). */
export function resetAnalysis(): void {
  if (!initialised) return;
  let f = T.oldest();
  while (f >= 0) { evict(f); f = T.oldest(); }
}

// ---- entry point --------------------------------------------------------------------------

/**
 * Analyses one TCP segment. Addresses are 4 or 16 bytes; flags the TCP flag byte; payload the
 * captured TCP payload.
 */
export function analyzeTcp(iface: i32, src: usize, dst: usize, alen: i32, sp: u32, dp: u32, seq: u32, ack: u32,
  flags: u32, pl: usize, plen: i32, sec: i64, nsec: i32): void {
  if (!initialised) { T.initTable(flowCap); initialised = true; }
  resetPacket();
  pSec = sec; pNsec = nsec; now = sec * 1000000000 + <i64>nsec;
  payload = pl; payloadLen = plen; segSeq = seq;

  T.makeKey(iface, src, dst, alen, sp, dp);
  const dir = T.dirOf;
  let f = T.find();
  // The reaper (600 s of capture time without a packet): oldest connections first.
  let o = T.oldest();
  while (o >= 0 && idleExpired(unchecked(T.lastSeen[o]), now)) {
    if (o == f) f = -1;
    evict(o);
    o = T.oldest();
  }
  if (f < 0) {
    if (T.full()) { const victim = T.oldest(); if (victim >= 0) { T.countEviction(); evict(victim); } }
    f = T.insert(now);
    if (f < 0) return;
    conn(f).reset();
  }
  T.touch(f, now);
  const c = conn(f);
  const syn = (flags & 0x02) != 0, ackf = (flags & 0x10) != 0, fin = (flags & 0x01) != 0, rst = (flags & 0x04) != 0;

  // A new connection on the same addresses and ports after the old one closed.
  if (syn && !ackf && (c.closing || c.untracked || c.synSeen && unchecked(c.d[dir]).known && unchecked(c.d[dir]).next != seq + 1)) releaseConn(c);
  // Timer: trace context is dropped 10 s after the connection closed with nothing pending.
  if (due(c.untrackAt, now)) { c.untracked = true; c.untrackAt = 0; }

  if (syn) {
    c.synSeen = true;
    if (!ackf) c.client = dir; else if (c.client < 0) c.client = 1 - dir;
  }
  const d = unchecked(c.d[dir]);
  if (syn) { d.known = true; d.base = seq + 1; d.next = seq + 1; }

  if (plen > 0) {
    if (!d.known) { d.known = true; d.base = seq; d.next = seq; joinMidstream(c, dir); }
    let skip = 0;
    const diff = <i32>(seq - d.next);
    if (diff > 0) {
      // Bytes are missing (lost by the capture or still to come out of order): resynchronise.
      gap(c, dir);
      d.next = seq;
    } else if (diff < 0) {
      skip = -diff; // retransmitted bytes already parsed
    }
    if (skip < plen) {
      curOff = d.off(seq + <u32>skip);
      feed(c, dir, pl + <usize>skip, plen - skip);
      d.next = seq + <u32>plen;
    }
  }
  if (fin && d.known && <i32>(seq + <u32>plen - d.next) == 0) d.next++;
  if (fin) d.fin = true;
  if (fin || rst) {
    c.closing = true;
    scheduleUntrack(c);
  }
  pickTrace(c, dir, ack, plen, syn);
}

function scheduleUntrack(c: Conn): void {
  if (!c.closing || c.untrackAt != 0 || c.untracked) return;
  if (c.mode == Mode.HTTP1 && c.firstUnanswered < c.count && c.at(c.firstUnanswered) >= 0) return; // a response is still due
  c.untrackAt = untrackDeadline(now);
}

@inline function isServer(c: Conn, dir: i32): bool { return c.client >= 0 ? dir != c.client : false; }

function roleFallback(c: Conn): void {
  if (c.client >= 0) return;
  // Without a handshake: the lower (non-ephemeral) port is the server's.
  const f = T.find();
  if (f < 0) return;
  c.client = T.portOf(f, 0) < T.portOf(f, 1) ? 1 : 0;
}

// ---- mode detection and feeding ------------------------------------------------------------

// Whether a frame header at p is plausible (RFC 9113 §6: known type, length within the default
// SETTINGS_MAX_FRAME_SIZE, stream 0 exactly for the connection-level types).
function plausibleFrame(p: usize): bool {
  const fl = (<u32>load<u8>(p) << 16) | (<u32>load<u8>(p + 1) << 8) | <u32>load<u8>(p + 2);
  const ty = <u32>load<u8>(p + 3);
  const sid = ((<u32>load<u8>(p + 5) << 24) | (<u32>load<u8>(p + 6) << 16) | (<u32>load<u8>(p + 7) << 8) | <u32>load<u8>(p + 8));
  if (ty > 9 || fl > 16384 || (sid & 0x80000000) != 0) return false;
  const connLevel = ty == Frame.SETTINGS || ty == Frame.PING || ty == Frame.GOAWAY;
  if (connLevel != (sid == 0) && ty != Frame.WINDOW_UPDATE) return false;
  if (ty == Frame.SETTINGS && fl % 6 != 0) return false;
  if (ty == Frame.PING && fl != 8) return false;
  if ((ty == Frame.RST_STREAM || ty == Frame.WINDOW_UPDATE) && fl != 4) return false;
  return true;
}

// Whether a segment starts with HTTP/2 frames: a capture that joins an HTTP/2 connection after
// its preface. Frames must chain plausibly to the end of the segment, or at least two must.
function looksLikeH2(p: usize, len: i32): bool {
  let off = 0, frames = 0;
  while (off + 9 <= len) {
    if (!plausibleFrame(p + <usize>off)) return false;
    off += 9 + <i32>((<u32>load<u8>(p + <usize>off) << 16) | (<u32>load<u8>(p + <usize>(off + 1)) << 8) | <u32>load<u8>(p + <usize>(off + 2)));
    frames++;
  }
  return frames >= 2 || (frames == 1 && off == len);
}

// Whether the segment has a line that starts an HTTP/1 request or status line.
function hasH1Start(p: usize, len: i32): bool {
  let lineStart = true;
  for (let i = 0; i < len; i++) {
    if (lineStart && looksLikeStartAt(p + <usize>i, len - i)) return true;
    lineStart = load<u8>(p + <usize>i) == 0x0a;
  }
  return false;
}

function joinMidstream(c: Conn, dir: i32): void {
  const d = unchecked(c.d[dir]);
  if (c.mode == Mode.HTTP1) h1Resync(d);
}

function setMode(c: Conn, m: Mode, prefaceDir: i32): void {
  c.mode = m;
  for (let i = 0; i < 2; i++) {
    const d = unchecked(c.d[i]);
    if (m == Mode.HTTP1) { d.st = d.known ? H1.START : H1.RESYNC; }
    if (m == Mode.HTTP2) h2Start(d, i == prefaceDir);
  }
}

function detect(c: Conn, dir: i32, p: usize, len: i32): void {
  if (isPreface(p, len)) { if (c.client < 0) c.client = dir; setMode(c, Mode.HTTP2, dir); return; }
  if (plausibleTlsRecord(p, len)) { c.mode = Mode.TLS; return; }
  if (hasH1Start(p, len)) {
    setMode(c, Mode.HTTP1, -1);
    h1Resync(unchecked(c.d[0])); h1Resync(unchecked(c.d[1]));
    return;
  }
  if (looksLikeH2(p, len)) {
    // Joined mid-connection: each direction waits for a segment that starts at a frame boundary.
    roleFallback(c); setMode(c, Mode.HTTP2, -1);
    unchecked(c.d[0]).h2st = H2_SYNC; unchecked(c.d[1]).h2st = H2_SYNC;
  }
  // Otherwise the mode stays unknown and the next segment is tried.
}

/** Framer state of a direction that joined mid-stream and has not found a frame boundary yet. */
const H2_SYNC: i32 = 3;

function gap(c: Conn, dir: i32): void {
  const d = unchecked(c.d[dir]);
  if (c.mode == Mode.HTTP1) { h1Resync(d); d.cur = -1; }
  else if (c.mode == Mode.TLS) { d.tlsLost = true; freeBuf(d.head); d.head = -1; }
  else if (c.mode == Mode.HTTP2) {
    // Frame boundaries are lost with the bytes: wait for a segment that starts a frame. The
    // HPACK table may have missed insertions, so it is emptied: older references decode as
    // unknown instead of as the wrong entry.
    d.h2st = H2_SYNC; d.fhdrLen = 0; d.fLeft = 0;
    if (d.hpack >= 0) table(d.hpack).forget();
    freeBuf(d.blockBuf); d.blockBuf = -1; freeBuf(d.fBuf); d.fBuf = -1;
  }
}

function feed(c: Conn, dir: i32, p: usize, len: i32): void {
  if (c.mode == Mode.UNKNOWN) detect(c, dir, p, len);
  if (c.mode == Mode.HTTP1) feedH1(c, dir, p, len);
  else if (c.mode == Mode.HTTP2) feedH2(c, dir, p, len);
  else if (c.mode == Mode.TLS) { feedTls(c, dir, p, len); renderL7(p, len); }
  else renderL7(p, len);
}

// ---- HTTP/1 -------------------------------------------------------------------------------

function feedH1(c: Conn, dir: i32, p: usize, len: i32): void {
  const d = unchecked(c.d[dir]);
  const start = p;
  let sawHead = false;
  while (len > 0) {
    const before = d.st;
    const n = h1Step(d, p, len);
    if (before == H1.START && d.st == H1.HEAD) curMsgStart = curOff + <u32>n;
    if (rendered && renderBodyOpen) renderBodyLen += h1BodyBytes;
    p += <usize>n; len -= n; curOff += <u32>n;
    if (h1Event == H1Ev.HEAD) { sawHead = true; onHead(c, dir, d, p); }
    else if (h1Event == H1Ev.DONE) { onDone(c, dir, d); }
    else if (h1Event == H1Ev.HEAD_TOO_LARGE) { d.cur = -1; }
    if (d.st == H1.OPAQUE && c.mode == Mode.HTTP2) { if (len > 0) feedH2(c, dir, p, len); break; }
  }
  if (!sawHead && !rendered) renderL7(start, <i32>(p - start));
}

let curMsgStart: u32 = 0;

function onHead(c: Conn, dir: i32, d: Dir, after: usize): void {
  let h = tmpHead;
  let buf = bufPtr(d.head);
  const first = !rendered;
  if (first) {
    copy(RENDER_HEAD, buf, <usize>d.headLen);
    buf = RENDER_HEAD; h = head;
  }
  parseHead(buf, d.headLen, h);
  const headLen = d.headLen;
  // Not an HTTP/1 message after all (binary data that began with a capital letter): resync.
  if (!h.valid) { h1Resync(d); return; }
  if (c.client < 0) c.client = h.isRequest ? dir : 1 - dir;
  let exIdx: i32 = -1;
  let kind = Body.NONE;
  let length: i64 = 0;
  const chunked = isChunked(buf, h);
  const cl = contentLength(buf, h);
  if (h.isRequest) {
    // Close the previous request's byte range; open this one's.
    const prevI = c.at(c.count - 1);
    if (prevI >= 0 && ex(prevI).hasReq && ex(prevI).reqEnd == 0xffffffff) ex(prevI).reqEnd = curMsgStart;
    const pos = c.append();
    exIdx = c.at(pos);
    const e = ex(exIdx);
    e.hasReq = true; e.reqStart = curMsgStart; e.tsSec = pSec; e.tsNsec = pNsec;
    const ml = h.methodLen < MAX_METHOD ? h.methodLen : MAX_METHOD;
    copy(e.method, buf + <usize>h.method, <usize>ml); e.methodLen = ml;
    e.isHead = ml == 4 && load<u32>(e.method) == 0x44414548;
    e.isConnect = ml == 7 && load<u32>(e.method) == 0x4e4e4f43;
    setUrl(e, buf, h);
    extractTrace(buf, h, e.trace);
    d.cur = pos;
    if (chunked) kind = Body.CHUNKED; else if (cl >= 0) { kind = Body.LENGTH; length = cl; }
    // An h2c upgrade request (RFC 7540 §3.2): stream 1 is this request if the server agrees.
    if (hasToken(buf, h, "upgrade", "h2c")) e.stream = 1; else e.stream = 0;
  } else {
    // Pair with the oldest unanswered request (HTTP/1.1 answers in order, RFC 9112 §9.3.2).
    let pos = c.firstUnanswered;
    while (pos < c.count && c.at(pos) < 0) pos++;
    c.firstUnanswered = pos;
    if (pos < c.count) {
      exIdx = c.at(pos);
      const e = ex(exIdx);
      if (!e.hasRes) {
        const prevI = c.at(pos - 1);
        if (prevI >= 0 && ex(prevI).hasRes && ex(prevI).resEnd == 0xffffffff) ex(prevI).resEnd = curMsgStart;
        e.hasRes = true; e.resStart = curMsgStart;
      }
      const interim = h.code >= 100 && h.code < 200 && h.code != 101;
      if (!interim) { e.answered = true; c.firstUnanswered = pos + 1; }
      d.cur = pos;
    }
    const req = exIdx >= 0 ? ex(exIdx) : null;
    if ((h.code >= 100 && h.code < 200 && h.code != 101) || h.code == 204 || h.code == 304 || (req !== null && req.isHead)) kind = Body.NONE;
    else if (h.code == 101) kind = Body.OPAQUE;
    else if (req !== null && req.isConnect && h.code >= 200 && h.code < 300) kind = Body.OPAQUE;
    else if (chunked) kind = Body.CHUNKED;
    else if (cl >= 0) { kind = Body.LENGTH; length = cl; }
    else kind = Body.UNTIL_EOF;
  }
  if (first) {
    rendered = true; renderEx = exIdx; renderBodyStart = after; renderBodyLen = 0;
    renderDeclared = kind == Body.LENGTH ? length : kind == Body.CHUNKED || kind == Body.UNTIL_EOF ? -1 : 0;
    renderChunked = kind == Body.CHUNKED;
    renderBodyOpen = kind != Body.NONE && kind != Body.OPAQUE;
    writeH1(buf, headLen, h);
  }
  const doneNow = h1Body(d, kind, length);
  if (!h.isRequest && h.code == 101) {
    const req = exIdx >= 0 ? ex(exIdx) : null;
    if (req !== null && req.stream == 1) {
      // Switching to HTTP/2: the server speaks frames right after this head, the client
      // starts with the connection preface (RFC 7540 §3.2).
      c.mode = Mode.HTTP2;
      h2Start(unchecked(c.d[dir]), false);
      h2Start(unchecked(c.d[1 - dir]), true);
      unchecked(c.d[dir]).st = H1.OPAQUE;
    }
  }
  if (doneNow) onDone(c, dir, d);
}

function onDone(c: Conn, dir: i32, d: Dir): void {
  if (rendered) renderBodyOpen = false;
  if (c.closing) scheduleUntrack(c);
}

function isChunked(buf: usize, h: Head): bool {
  // The final transfer coding is "chunked" (RFC 9112 §6.3 rule 4).
  for (let i = h.n - 1; i >= 0; i--) {
    if (!nameIs(buf, h, i, "transfer-encoding")) continue;
    let e = unchecked(h.value[i]) + unchecked(h.valueLen[i]);
    let s = e;
    while (s > unchecked(h.value[i]) && load<u8>(buf + <usize>(s - 1)) != 0x2c) s--;
    while (s < e && load<u8>(buf + <usize>s) == 0x20) s++;
    if (e - s != 7) return false;
    const p = buf + <usize>s;
    return (load<u32>(p) | 0x20202020) == 0x6e756863 && (load<u16>(p + 4) | 0x2020) == 0x656b && (load<u8>(p + 6) | 0x20) == 0x64;
  }
  return false;
}

function contentLength(buf: usize, h: Head): i64 {
  for (let i = 0; i < h.n; i++) {
    if (!nameIs(buf, h, i, "content-length")) continue;
    const p = buf + <usize>unchecked(h.value[i]);
    const n = unchecked(h.valueLen[i]);
    if (n == 0 || n > 18) return -1;
    let v: i64 = 0;
    for (let k = 0; k < n; k++) {
      const c = <i32>load<u8>(p + <usize>k);
      if (c < 0x30 || c > 0x39) return -1;
      v = v * 10 + <i64>(c - 0x30);
    }
    return v;
  }
  return -1;
}

function hasToken(buf: usize, h: Head, name: string, token: string): bool {
  for (let i = 0; i < h.n; i++) {
    if (!nameIs(buf, h, i, name)) continue;
    const p = buf + <usize>unchecked(h.value[i]);
    const n = unchecked(h.valueLen[i]);
    for (let k = 0; k + token.length <= n; k++) {
      let ok = true;
      for (let j = 0; j < token.length; j++) if ((<u32>load<u8>(p + <usize>(k + j)) | 0x20) != <u32>token.charCodeAt(j)) { ok = false; break; }
      if (ok) return true;
    }
  }
  return false;
}

// HTTP.request.url as pcap-sidecar builds it: Host + request-target (an absolute-form target
// already names its host).
function setUrl(e: Exchange, buf: usize, h: Head): void {
  let n = 0;
  const t = buf + <usize>h.target;
  const abs = h.targetLen >= 7 && (load<u32>(t) | 0x20202020) == 0x70747468;
  if (!abs) {
    for (let i = 0; i < h.n; i++) {
      if (!nameIs(buf, h, i, "host")) continue;
      const l = unchecked(h.valueLen[i]) < MAX_URL ? unchecked(h.valueLen[i]) : MAX_URL;
      memory.copy(e.url, buf + <usize>unchecked(h.value[i]), <usize>l); n = l;
      break;
    }
  }
  const tl = h.targetLen < MAX_URL - n ? h.targetLen : MAX_URL - n;
  memory.copy(e.url + <usize>n, t, <usize>tl);
  e.urlLen = n + tl;
}

/**
 * Trace context of a request. Precedence (fixed, documented): a valid `traceparent` wins,
 * else a valid `X-Cloud-Trace-Context`; an invalid value never cancels a valid one.
 */
function extractTrace(buf: usize, h: Head, out: TraceRepr): void {
  out.clear();
  for (let i = 0; i < h.n; i++) {
    if (nameIs(buf, h, i, "traceparent")) {
      if (parseTraceparent(buf + <usize>unchecked(h.value[i]), unchecked(h.valueLen[i]), trace2)) { out.copyFrom(trace2); return; }
    }
  }
  for (let i = 0; i < h.n; i++) {
    if (nameIs(buf, h, i, "x-cloud-trace-context")) {
      if (parseCloudTrace(buf + <usize>unchecked(h.value[i]), unchecked(h.valueLen[i]), trace2)) { out.copyFrom(trace2); return; }
    }
  }
}

// ---- JSON of HTTP/1 ------------------------------------------------------------------------

const K_BODY_OPEN = frag("\"body\":{");
const K_F_BODY_OPEN = frag(",\"body\":{");
const K_LENGTH_ARR = frag("\"length\":[\"");
const K_BODY_DECL = frag("\",\"");
const K_CODE = frag("\"code\":");
const K_FRAGMENTED_T = frag("\"fragmented\":true,");
const K_FRAGMENTED_F = frag("\"fragmented\":false,");
const K_HEADERS = frag("\"headers\":");
const K_KIND_REQ = frag(",\"kind\":\"request\",\"method\":");
const K_KIND_RES = frag(",\"kind\":\"response\"");
const K_PROTO = frag(",\"proto\":");
const K_RAW = frag(",\"raw\":");
const K_REQUEST = frag(",\"request\":{\"latency\":");
const K_REQ_METHOD = frag(",\"method\":");
const K_REQ_TS = frag(",\"timestamp\":\"");
const K_REQ_URL = frag("\",\"url\":");
const K_SIZE = frag(",\"size\":");
const K_STATUS = frag(",\"status\":");
const K_URL = frag(",\"url\":");
const K_ELLIPSIS = frag("...");
const K_SUFFIX_SPACE = frag(" ");
const K_BAR = frag(" | ");

/** Writes bytes as a JSON string, cut to `max` bytes + "..." (cut at `cut` bytes) when longer. */
function strCut(p: usize, len: i32, max: i32, cut: i32): void {
  if (len <= max) { str(p, len); return; }
  b(0x22); strBody(p, cut); w(K_ELLIPSIS); b(0x22);
}

// The HTTP object of an HTTP/1 head (reference §6.2), into HTTP_BUF. Body fields are added in
// finishH1() once the packet's body bytes are known.
let h1Buf: usize = 0;
let h1HeadLen: i32 = 0;

function writeH1(buf: usize, headLen: i32, h: Head): void {
  h1Buf = buf; h1HeadLen = headLen;
}

function finishH1(): void {
  const h = head;
  const buf = h1Buf;
  const save = pos;
  setPos(HTTP_BUF);
  // body (when known), code, fragmented, headers, kind, method, proto, raw, request, size, status, url
  const bodyBytes = renderBodyLen;
  b(0x7b);
  // body: {"data" | "length":[read, declared], "sample"}; chunked bodies are counted, not de-chunked.
  bodyObj(K_BODY_OPEN, renderBodyStart, renderChunked ? 0 : bodyBytes, bodyBytes, renderDeclared);
  b(0x2c);
  if (!h.isRequest) { w(K_CODE); u32dec(<u32>h.code); b(0x2c); }
  w(renderDeclared > <i64>bodyBytes ? K_FRAGMENTED_T : K_FRAGMENTED_F);
  // headers with Go's parser side effects (reference §6.2.1)
  hdrReset(Drop.TRANSFER_ENCODING | (h.isRequest ? Drop.HOST : 0) | (renderChunked ? Drop.CONTENT_LENGTH | Drop.TRAILER : 0));
  for (let i = 0; i < h.n; i++) hdrAdd(buf + <usize>unchecked(h.name[i]), unchecked(h.nameLen[i]), buf + <usize>unchecked(h.value[i]), unchecked(h.valueLen[i]));
  w(K_HEADERS); hdrWrite();
  if (h.isRequest) {
    w(K_KIND_REQ); str(buf + <usize>h.method, h.methodLen);
  } else w(K_KIND_RES);
  w(K_PROTO); b(0x22); raw(buf + <usize>h.version, h.versionLen); b(0x22);
  // raw: the head plus this segment's body bytes, cut at 512 like upstream's raw payload.
  w(K_RAW);
  const rawLen = h1HeadLen + bodyBytes;
  if (rawLen <= 512) { b(0x22); strBody(buf, h1HeadLen); strBody(renderBodyStart, bodyBytes); b(0x22); }
  else if (h1HeadLen >= 509) { strCut(buf, h1HeadLen, 0, 509); }
  else { b(0x22); strBody(buf, h1HeadLen); strBody(renderBodyStart, 509 - h1HeadLen); w(K_ELLIPSIS); b(0x22); }
  if (!h.isRequest && renderEx >= 0 && ex(renderEx).hasReq) {
    const e = ex(renderEx);
    // latency in whole milliseconds, truncated (reference §4.5)
    const lat = ((pSec - e.tsSec) * 1000000000 + <i64>(pNsec - e.tsNsec)) / 1000000;
    w(K_REQUEST); i64dec(lat); w(K_REQ_METHOD); str(e.method, e.methodLen);
    w(K_REQ_TS); rfc3339(e.tsSec, e.tsNsec); w(K_REQ_URL); str(e.url, e.urlLen); b(0x7d);
  }
  w(K_SIZE); u32dec(<u32>payloadLen);
  if (!h.isRequest) { w(K_STATUS); str(buf + <usize>h.status, h.statusLen); }
  else { w(K_URL); str(buf + <usize>h.target, h.targetLen); }
  b(0x7d);
  httpLen = <i32>(pos - HTTP_BUF);
  // message suffix: " | HTTP/1.1 GET /path" or " | HTTP/1.1 200 OK"
  setPos(SUFFIX_BUF);
  w(K_BAR); raw(buf + <usize>h.version, h.versionLen); w(K_SUFFIX_SPACE);
  if (h.isRequest) { strBody(buf + <usize>h.method, h.methodLen); w(K_SUFFIX_SPACE); strBody(buf + <usize>h.target, h.targetLen); }
  else strBody(buf + <usize>h.status, h.statusLen);
  suffixLen = <i32>(pos - SUFFIX_BUF);
  setPos(save);
  writeL7H1(buf, h);
}


// L7 quasi-raw view of an HTTP/1 message (reference §6.2): first line, header lines, body lines.
const K_L7_BODY = frag("{\"body\":[");
const K_L7_HEADERS = frag("\"headers\":[");
const K_L7_PREFACE = frag("],\"preface\":");
const K_L7_PROTO = frag(",\"proto\":\"HTTP\"}");
const K_EMPTY = frag("\"<EMPTY>\"");

function writeL7H1(buf: usize, h: Head): void {
  const save = pos;
  setPos(L7_BUF);
  // body lines: the body bytes of this segment split on CRLF (present when the head ended).
  w(K_L7_BODY);
  lines(renderBodyStart, renderBodyLen, true);
  b(0x5d); b(0x2c);
  w(K_L7_HEADERS);
  // head lines after the first, up to the empty line
  let p = findByte(buf, h.lineLen, h1HeadLen, 0x0a) + 1;
  let n = 0;
  while (p < h1HeadLen) {
    const q = findByte(buf, p, h1HeadLen, 0x0a);
    let e = q; if (e > p && load<u8>(buf + <usize>(e - 1)) == 0x0d) e--;
    if (e == p) break;
    if (n++) b(0x2c);
    const l = e - p;
    // Header lines longer than 128 bytes keep their first 125 bytes, without an ellipsis.
    str(buf + <usize>p, l > 128 ? 125 : l);
    p = q + 1;
  }
  w(K_L7_PREFACE); str(buf, h.lineLen); w(K_L7_PROTO);
  l7Len = <i32>(pos - L7_BUF);
  setPos(save);
}

// Body split on CRLF: lines over 128 bytes become 125 + "...", empty ones "<EMPTY>".
function lines(p: usize, len: i32, always: bool): void {
  let s = 0, n = 0;
  if (len == 0) { if (always) w(K_EMPTY); return; }
  while (s <= len) {
    // the next CRLF: each CR found 16 bytes at a time, then checked for its LF
    let e = s;
    for (;;) {
      e = findByte(p, e, len - 1, 0x0d);
      if (e >= len - 1) { e = len; break; }
      if (load<u8>(p + <usize>(e + 1)) == 0x0a) break;
      e++;
    }
    if (n++) b(0x2c);
    const l = e - s;
    if (l == 0) w(K_EMPTY); else strCut(p + <usize>s, l, 128, 125);
    s = e + 2;
    if (n > 64) break;
  }
}

// ---- L7 best effort ------------------------------------------------------------------------

const K_L7_LENGTH = frag("{\"length\":");
const K_L7_CONTENT = frag("{\"content\":");
const K_L7_LENGTH_C = frag(",\"length\":");
const K_L7_SAMPLE = frag(",\"sample\":");
const K_SIZE_SUFFIX = frag(" | size:");

/** L7 = {length, content (≤ 128 bytes) | sample (125 bytes + "...")} and " | size:n" (reference §2.3.11). */
function renderL7(p: usize, len: i32): void {
  if (l7Len > 0 || len <= 0) return;
  const save = pos;
  setPos(L7_BUF);
  if (payloadLen <= 128) { w(K_L7_CONTENT); str(payload, payloadLen); w(K_L7_LENGTH_C); u32dec(<u32>payloadLen); }
  else { w(K_L7_LENGTH); u32dec(<u32>payloadLen); w(K_L7_SAMPLE); b(0x22); strBody(payload, 125); w(K_ELLIPSIS); b(0x22); }
  b(0x7d);
  l7Len = <i32>(pos - L7_BUF);
  setPos(SUFFIX_BUF);
  w(K_SIZE_SUFFIX); u32dec(<u32>payloadLen);
  suffixLen = <i32>(pos - SUFFIX_BUF);
  setPos(save);
}

// ---- HTTP/2 -------------------------------------------------------------------------------

const MAX_STREAMS_LISTED: i32 = 64;
const streamSet = new StaticArray<u32>(MAX_STREAMS_LISTED);
const reqSet = new StaticArray<u32>(MAX_STREAMS_LISTED);
const resSet = new StaticArray<u32>(MAX_STREAMS_LISTED);
const dataSet = new StaticArray<u32>(MAX_STREAMS_LISTED);
let streamSetN = 0, reqSetN = 0, resSetN = 0, dataSetN = 0;
let h2Frames = 0;
let h2Size = 0;
let h2Preface = false;
let h2LastStream: u32 = 0;

// Frame JSON fragments of this packet, grouped by stream when the HTTP object is assembled.
const MAX_FRAMES: i32 = 512;
const FRAG_BUF: usize = renderBuffer(SCRATCH_CAP);
const fragStream = new StaticArray<u32>(MAX_FRAMES);
const fragOff = new StaticArray<i32>(MAX_FRAMES);
const fragLen = new StaticArray<i32>(MAX_FRAMES);
let fragUsed = 0;
let fragBytes = 0;

function addTo(set: StaticArray<u32>, n: i32, v: u32): i32 {
  for (let i = 0; i < n; i++) if (unchecked(set[i]) == v) return n;
  if (n >= MAX_STREAMS_LISTED) return n;
  // keep ascending order (the fixed rule for upstream's random set order)
  let j = n;
  while (j > 0 && unchecked(set[j - 1]) > v) { unchecked(set[j] = set[j - 1]); j--; }
  unchecked(set[j] = v);
  return n + 1;
}

const DECODED: usize = heap.alloc(<usize>(MAX_HEAD * 2));

function feedH2(c: Conn, dir: i32, p: usize, len: i32): void {
  const d = unchecked(c.d[dir]);
  h2Size += len;
  if (fragUsed == 0) fragBytes = 0;
  if (d.h2st == H2_SYNC) {
    if (isPreface(p, len)) h2Start(d, true);
    else if (looksLikeH2(p, len)) d.h2st = 0;
    else { renderL7(p, len); return; }
  }
  while (len > 0) {
    // The client preface can follow the server's first SETTINGS (the server may speak first).
    if (d.h2st == 0 && d.fhdrLen == 0 && isPreface(p, len)) h2Start(d, true);
    const n = h2Step(d, p, len);
    p += <usize>n; len -= n;
    if (h2Event == H2Ev.PREFACE) h2Preface = true;
    else if (h2Event == H2Ev.BAD_PREFACE) { c.mode = Mode.OPAQUE; return; }
    else if (h2Event == H2Ev.FRAME) { onFrame(c, dir, d); h2Release(d); }
    if (c.mode != Mode.HTTP2) return;
  }
  // A segment inside a frame's payload: remember the stream for the top-level trace.
  if (d.fLeft > 0) h2LastStream = d.fStream;
}

const K_F_FLAGS = frag(",\"flags\":{\"bin\":\"0b");
const K_F_DEC = frag("\",\"dec\":\"");
const K_F_HEX = frag("\",\"hex\":\"0x");
const K_F_END = frag("\"}");
const K_F_ACK = frag(",\"ack\":");
const K_F_DATA = frag(",\"data\":");
const K_F_SAMPLE = frag(",\"sample\":");
const K_F_HEADERS = frag(",\"headers\":");
const K_F_KIND_REQ = frag(",\"kind\":\"request\"");
const K_F_KIND_RES = frag(",\"kind\":\"response\"");
const K_F_KIND_TRAILERS = frag(",\"kind\":\"trailers\"");
const K_F_LEN = frag(",\"len\":");
const K_F_SPAN = frag(",\"logging.googleapis.com/spanId\":\"");
const K_F_TRACE = frag(",\"logging.googleapis.com/trace\":\"projects/");
const K_TRACES = frag("/traces/");
const K_F_SAMPLED_T = frag(",\"logging.googleapis.com/trace_sampled\":true");
const K_F_SAMPLED_F = frag(",\"logging.googleapis.com/trace_sampled\":false");
const K_F_RAW = frag(",\"raw\":\"");
const K_F_SETTINGS = frag(",\"settings\":{");
const K_F_TYPE = frag(",\"type\":\"");
const K_F_UNKNOWN = frag(",\"unknown_headers\":");
const K_F_GRPC = frag(",\"grpc\":{");
const K_STREAM_EQ = frag(" stream=");
const K_LEN_EQ = frag(" len=");
const K_FLAGS_EQ = frag(" flags=");
const FRAME_NAMES = [frag("DATA"), frag("HEADERS"), frag("PRIORITY"), frag("RST_STREAM"), frag("SETTINGS"), frag("PUSH_PROMISE"),
  frag("PING"), frag("GOAWAY"), frag("WINDOW_UPDATE"), frag("CONTINUATION")];
const K_PRIORITY_UPDATE = frag("PRIORITY_UPDATE");
const K_UNKNOWN_TYPE = frag("UNKNOWN_FRAME_TYPE_");
const TYPE_NAMES = [frag("data"), frag("headers"), frag(""), frag("rst"), frag("settings"), frag(""), frag("ping"), frag("goaway")];

// Flag names per frame type (RFC 9113 §6), from bit 0 upward.
function flagNames(type: u32, flags: u32): void {
  let n = 0;
  for (let bit: u32 = 0; bit < 8; bit++) {
    const m: u32 = 1 << bit;
    if ((flags & m) == 0) continue;
    if (n++) b(0x7c);
    let name = "";
    if (m == 1 && (type == Frame.DATA || type == Frame.HEADERS)) name = "END_STREAM";
    else if (m == 1 && (type == Frame.SETTINGS || type == Frame.PING)) name = "ACK";
    else if (m == 4 && (type == Frame.HEADERS || type == Frame.CONTINUATION || type == Frame.PUSH_PROMISE)) name = "END_HEADERS";
    else if (m == 8 && (type == Frame.DATA || type == Frame.HEADERS || type == Frame.PUSH_PROMISE)) name = "PADDED";
    else if (m == 0x20 && type == Frame.HEADERS) name = "PRIORITY";
    if (name.length) { for (let k = 0; k < name.length; k++) b(<u32>name.charCodeAt(k)); }
    else { b(0x30); b(0x78); hex32(m); }
  }
}

function writeTraceKeys(e: Exchange): void {
  if (!e.trace.valid) return;
  if (e.trace.hasSpan) { w(K_F_SPAN); hex16(e.trace.span); b(0x22); }
  w(K_F_TRACE); raw(optEscPtr(Opt.PROJECT), optEscLength(Opt.PROJECT)); w(K_TRACES); raw(e.trace.traceBuf, e.trace.traceLen); b(0x22);
  w(e.trace.sampled ? K_F_SAMPLED_T : K_F_SAMPLED_F);
}

/** Writes a 64-bit span id as 16 lowercase hex digits. */
export function hex16(v: u64): void {
  for (let s = 60; s >= 0; s -= 4) {
    const d = <u32>((v >> <u64>s) & 15);
    b(d < 10 ? 0x30 + d : 0x57 + d);
  }
}

function onFrame(c: Conn, dir: i32, d: Dir): void {
  const type = d.fType, flags = d.fFlags, stream = d.fStream, flen = d.fLen;
  const fp = framePtr;
  const favail = frameAvail;
  h2Frames++;
  streamSetN = addTo(streamSet, streamSetN, stream);
  let exIdx = stream != 0 ? c.findStream(stream) : -1;
  let kind = 0; // 1 request, 2 response, 3 trailers
  let unknownFields = 0;
  let decoded = false;
  let decodedLen = 0;
  // Header blocks: HEADERS (+ CONTINUATION) joined, then HPACK with the direction's table.
  if (type == Frame.HEADERS || type == Frame.CONTINUATION || type == Frame.PUSH_PROMISE) {
    let fragStart: i32 = 0, fragLen2 = favail;
    if (type == Frame.HEADERS) {
      if (flags & 8) { if (favail < 1) fragLen2 = 0; else { const padLen = <i32>load<u8>(fp); fragStart = 1; fragLen2 = favail - 1 - padLen; } }
      if (flags & 0x20) { fragStart += 5; fragLen2 -= 5; }
      if (fragLen2 < 0) fragLen2 = 0;
      freeBuf(d.blockBuf); d.blockBuf = takeBuf(); d.blockLen = 0; d.blockStream = stream; d.blockFlags = flags;
    } else if (type == Frame.PUSH_PROMISE) {
      fragLen2 = 0; // promised request headers are not analysed
    }
    if (d.blockBuf >= 0 && type != Frame.PUSH_PROMISE) {
      const room = MAX_HEAD - d.blockLen;
      const k = fragLen2 < room ? fragLen2 : room;
      if (k > 0) { memory.copy(bufPtr(d.blockBuf) + <usize>d.blockLen, fp + <usize>fragStart, <usize>k); d.blockLen += k; }
    }
    if ((flags & 4) != 0 && d.blockBuf >= 0 && type != Frame.PUSH_PROMISE) {
      if (d.hpack < 0) d.hpack = takeTable();
      let n = 0;
      if (d.hpack >= 0) {
        const r = hpackDecode(table(d.hpack), bufPtr(d.blockBuf), d.blockLen, DECODED, MAX_HEAD * 2);
        n = r >= 0 ? r : hpackOutLen;
      }
      decoded = true; decodedLen = n;
      freeBuf(d.blockBuf); d.blockBuf = -1;
      // Classify and track.
      kind = classify(DECODED, n);
      const bs = d.blockStream;
      if (kind == 1) {
        let e: Exchange;
        if (exIdx >= 0 && ex(exIdx).stream == bs && !ex(exIdx).hasReq) e = ex(exIdx);
        else { const pos = c.append(); exIdx = c.at(pos); e = ex(exIdx); }
        e.stream = bs; e.hasReq = true; e.tsSec = pSec; e.tsNsec = pNsec;
        h2Request(DECODED, n, e);
        reqSetN = addTo(reqSet, reqSetN, bs);
      } else if (kind == 2) {
        if (exIdx >= 0) { const e = ex(exIdx); e.hasRes = true; e.answered = true; }
        resSetN = addTo(resSet, resSetN, bs);
      }
      unknownFields = countUnknown(DECODED, n);
    }
  } else if (type == Frame.DATA && flen > 0) {
    dataSetN = addTo(dataSet, dataSetN, stream);
  }
  if (fragUsed >= MAX_FRAMES || fragBytes > SCRATCH_CAP - (MAX_HEAD * 2 * 7 + 65536)) return;
  // The frame object, keys sorted: ack, body, flags, grpc, headers, kind, len, logging.* , raw, settings, type, unknown_headers
  const save = pos;
  const start = FRAG_BUF + <usize>fragBytes;
  setPos(start);
  b(0x7b);
  const mark = pos;
  if (type == Frame.SETTINGS || type == Frame.PING) { w(K_F_ACK); rmComma(mark); w((flags & 1) != 0 ? frag_true : frag_false); }
  if (type == Frame.DATA) {
    let dl = <i32>flen, pad = 0;
    if ((flags & 8) != 0 && favail >= 1) { pad = <i32>load<u8>(fp); dl = <i32>flen - 1 - pad; if (dl < 0) dl = 0; }
    const off = (flags & 8) != 0 ? 1 : 0;
    let have = favail - off; if (have > dl) have = dl; if (have < 0) have = 0;
    // A frame whose payload was not all kept shows a sample even when it is short.
    bodyObj(K_F_BODY_OPEN, fp + <usize>off, have, dl, <i64>flen, have < dl);
    rmComma(mark);
  }
  w(K_F_FLAGS); rmComma(mark); bin32(flags); w(K_F_DEC); u32dec(flags); w(K_F_HEX); hex32(flags); w(K_F_END);
  if (decoded) {
    grpcKeys(DECODED, decodedLen, kind);
    w(K_F_HEADERS); fieldsMap(DECODED, decodedLen);
    if (kind == 1) w(K_F_KIND_REQ); else if (kind == 2) w(K_F_KIND_RES); else if (kind == 3) w(K_F_KIND_TRAILERS);
  }
  w(K_F_LEN); u32dec(flen);
  if (exIdx >= 0 && !c.untracked) writeTraceKeys(ex(exIdx));
  w(K_F_RAW);
  if (type <= 9) w(unchecked(FRAME_NAMES[type])); else if (type == 16) w(K_PRIORITY_UPDATE); else if (type >= 10 && type <= 15) {} else { w(K_UNKNOWN_TYPE); u32dec(type); }
  if (flags != 0) { w(K_FLAGS_EQ); flagNames(type, flags); }
  if (stream != 0) { w(K_STREAM_EQ); u32dec(stream); }
  w(K_LEN_EQ); u32dec(flen); b(0x22);
  if (type == Frame.SETTINGS && (flags & 1) == 0) {
    w(K_F_SETTINGS);
    // Repeated ids: the last value wins, as a Go map would keep it.
    let n = 0;
    for (let o = 0; o + 6 <= favail; o += 6) {
      const id = (<u32>load<u8>(fp + <usize>o) << 8) | <u32>load<u8>(fp + <usize>(o + 1));
      let later = false;
      for (let o2 = o + 6; o2 + 6 <= favail; o2 += 6) if (((<u32>load<u8>(fp + <usize>o2) << 8) | <u32>load<u8>(fp + <usize>(o2 + 1))) == id) later = true;
      if (later) continue;
      if (n++) b(0x2c);
      b(0x22); b(0x30); b(0x78); hex32(id); b(0x22); b(0x3a); b(0x22);
      u32dec((<u32>load<u8>(fp + <usize>(o + 2)) << 24) | (<u32>load<u8>(fp + <usize>(o + 3)) << 16) | (<u32>load<u8>(fp + <usize>(o + 4)) << 8) | <u32>load<u8>(fp + <usize>(o + 5)));
      b(0x22);
    }
    b(0x7d);
  }
  if (type < 8 && unchecked(TYPE_NAMES[type]) >>> 32 != 0) { w(K_F_TYPE); w(unchecked(TYPE_NAMES[type])); b(0x22); }
  if (unknownFields > 0) { w(K_F_UNKNOWN); u32dec(<u32>unknownFields); }
  b(0x7d);
  unchecked(fragStream[fragUsed] = stream);
  unchecked(fragOff[fragUsed] = <i32>(start - FRAG_BUF));
  unchecked(fragLen[fragUsed] = <i32>(pos - start));
  fragUsed++;
  fragBytes = <i32>(pos - FRAG_BUF);
  setPos(save);
}

const frag_true = frag("true");
const frag_false = frag("false");

// The first key of an object must not start with a comma: drop it when nothing precedes.
@inline function rmComma(mark: usize): void {
  if (pos > mark && load<u8>(mark) == 0x2c) { memory.copy(mark, mark + 1, pos - mark - 1); setPos(pos - 1); }
}

// Decoded fields (hpack output): u8 flags, u8 0, u16 nameLen, u32 valueLen, name, value.
@inline function fName(p: usize): usize { return p + 8; }
@inline function fNameLen(p: usize): i32 { return <i32>load<u16>(p + 2); }
@inline function fValueLen(p: usize): i32 { return <i32>load<u32>(p + 4); }
@inline function fNext(p: usize): usize { return p + 8 + <usize>fNameLen(p) + <usize>fValueLen(p); }

function fIs(p: usize, s: string): bool {
  if (fNameLen(p) != s.length) return false;
  for (let i = 0; i < s.length; i++) if ((<u32>load<u8>(fName(p) + <usize>i) | (s.charCodeAt(i) >= 0x61 ? 0x20 : 0)) != <u32>s.charCodeAt(i)) return false;
  return true;
}

function classify(p0: usize, n: i32): i32 {
  const end = p0 + <usize>n;
  let p = p0;
  while (p < end) { if (fIs(p, ":method")) return 1; if (fIs(p, ":status")) return 2; p = fNext(p); }
  return 3;
}

function countUnknown(p0: usize, n: i32): i32 {
  const end = p0 + <usize>n;
  let p = p0, k = 0;
  while (p < end) { if ((load<u8>(p) & 1) != 0) k++; p = fNext(p); }
  return k;
}

function fieldsMap(p0: usize, n: i32): void {
  hdrReset();
  const end = p0 + <usize>n;
  let p = p0;
  while (p < end) {
    if ((load<u8>(p) & 1) == 0) hdrAdd(fName(p), fNameLen(p), fName(p) + <usize>fNameLen(p), fValueLen(p));
    p = fNext(p);
  }
  hdrWrite();
}

const K_G_MESSAGE = frag("\"message\":");
const K_G_METHOD = frag("\"method\":");
const K_G_STATUS = frag("\"status\":");

// gRPC (PROTOCOL-HTTP2.md of grpc/grpc): requests name the method in :path, trailers carry
// grpc-status and grpc-message.
function grpcKeys(p0: usize, n: i32, kind: i32): void {
  const end = p0 + <usize>n;
  let isGrpc = false, path: usize = 0, statusP: usize = 0, msgP: usize = 0;
  let p = p0;
  while (p < end) {
    if (fIs(p, "content-type") && fValueLen(p) >= 16 && memory.compare(fName(p) + <usize>fNameLen(p), GRPC_CT, 16) == 0) isGrpc = true;
    if (fIs(p, ":path")) path = p;
    if (fIs(p, "grpc-status")) { statusP = p; isGrpc = true; }
    if (fIs(p, "grpc-message")) msgP = p;
    p = fNext(p);
  }
  if (!isGrpc) return;
  w(K_F_GRPC);
  let k = 0;
  if (msgP) { w(K_G_MESSAGE); str(fName(msgP) + <usize>fNameLen(msgP), fValueLen(msgP)); k++; }
  if (kind == 1 && path) { if (k++) b(0x2c); w(K_G_METHOD); str(fName(path) + <usize>fNameLen(path), fValueLen(path)); }
  if (statusP) {
    if (k++) b(0x2c);
    w(K_G_STATUS);
    let v: u32 = 0; const vp = fName(statusP) + <usize>fNameLen(statusP);
    for (let i = 0; i < fValueLen(statusP) && i < 9; i++) v = v * 10 + <u32>(load<u8>(vp + <usize>i) - 0x30);
    u32dec(v);
  }
  b(0x7d);
}
const GRPC_CT: usize = asciiBytes("application/grpc");
function asciiBytes(s: string): usize { const p = heap.alloc(<usize>s.length); for (let i = 0; i < s.length; i++) store<u8>(p + i, <u8>s.charCodeAt(i)); return p; }

function h2Request(p0: usize, n: i32, e: Exchange): void {
  const end = p0 + <usize>n;
  let p = p0;
  let auth: usize = 0, path: usize = 0, method: usize = 0;
  e.trace.clear();
  let tp: usize = 0, xc: usize = 0;
  while (p < end) {
    if (fIs(p, ":authority")) auth = p;
    else if (fIs(p, ":path")) path = p;
    else if (fIs(p, ":method")) method = p;
    else if (fIs(p, "traceparent") && tp == 0) tp = p;
    else if (fIs(p, "x-cloud-trace-context") && xc == 0) xc = p;
    p = fNext(p);
  }
  if (tp && parseTraceparent(fName(tp) + <usize>fNameLen(tp), fValueLen(tp), trace2)) e.trace.copyFrom(trace2);
  else if (xc && parseCloudTrace(fName(xc) + <usize>fNameLen(xc), fValueLen(xc), trace2)) e.trace.copyFrom(trace2);
  e.methodLen = 0; e.urlLen = 0;
  if (method) { const l = min(fValueLen(method), MAX_METHOD); memory.copy(e.method, fName(method) + <usize>fNameLen(method), <usize>l); e.methodLen = l; }
  if (auth) { const l = min(fValueLen(auth), MAX_URL); memory.copy(e.url, fName(auth) + <usize>fNameLen(auth), <usize>l); e.urlLen = l; }
  if (path) { const l = min(fValueLen(path), MAX_URL - e.urlLen); memory.copy(e.url + <usize>e.urlLen, fName(path) + <usize>fNameLen(path), <usize>l); e.urlLen += l; }
}

const K_H2_INCLUDES = frag("{\"includes\":\"[");
const K_H2_PREFACE = frag(",\"preface\":true");
const K_H2_PROTO = frag(",\"proto\":\"h2c\"");
const K_H2_STREAMS = frag(",\"streams\":{");
const K_H2_FRAMES = frag("\":{\"frames\":[");
const K_H2_ID = frag("],\"id\":");
const K_H2C = frag(" | h2c");
const K_H2_S = frag(" | streams:");
const K_H2_REQ = frag(" | req:");
const K_H2_RES = frag(" | res:");
const K_H2_DATA = frag(" | data:");

// Stream ids sort as strings in the `streams` object (Go map keys): "1" < "11" < "3".
function streamKeyLess(a: u32, c: u32): bool {
  // compare decimal strings bytewise
  let sa = a, sc = c;
  let da = 1, dc = 1;
  while (sa >= 10 * <u32>da && da < 1000000000) da *= 10;
  while (sc >= 10 * <u32>dc && dc < 1000000000) dc *= 10;
  while (da > 0 && dc > 0) {
    const xa = (sa / <u32>da) % 10, xc = (sc / <u32>dc) % 10;
    if (xa != xc) return xa < xc;
    da /= 10; dc /= 10;
  }
  return da < dc; // shorter first
}

function setList(set: StaticArray<u32>, n: i32, sep: u32): void {
  b(0x5b);
  for (let i = 0; i < n; i++) { if (i) b(sep); u32dec(unchecked(set[i])); }
  b(0x5d);
}

function finishH2(): void {
  if (h2Frames == 0 && !h2Preface) return;
  const save = pos;
  setPos(HTTP_BUF);
  w(K_H2_INCLUDES);
  for (let i = 0; i < streamSetN; i++) { if (i) b(0x2c); u32dec(unchecked(streamSet[i])); }
  b(0x5d); b(0x22);
  if (h2Preface) w(K_H2_PREFACE);
  w(K_H2_PROTO);
  w(K_H2_SIZE); u32dec(<u32>h2Size);
  w(K_H2_STREAMS);
  // streams in string order of their ids
  const order = streamOrder;
  let m = 0;
  for (let i = 0; i < streamSetN; i++) {
    const s = unchecked(streamSet[i]);
    let j = m;
    while (j > 0 && streamKeyLess(s, unchecked(order[j - 1]))) { unchecked(order[j] = order[j - 1]); j--; }
    unchecked(order[j] = s); m++;
  }
  for (let k = 0; k < m; k++) {
    const s = unchecked(order[k]);
    if (k) b(0x2c);
    b(0x22); u32dec(s); w(K_H2_FRAMES);
    let n = 0;
    for (let i = 0; i < fragUsed; i++) {
      if (unchecked(fragStream[i]) != s) continue;
      if (n++) b(0x2c);
      raw(FRAG_BUF + <usize>unchecked(fragOff[i]), unchecked(fragLen[i]));
    }
    w(K_H2_ID); u32dec(s); b(0x7d);
  }
  b(0x7d); b(0x7d);
  httpLen = <i32>(pos - HTTP_BUF);
  setPos(SUFFIX_BUF);
  w(K_H2C);
  if (!(streamSetN == 0 || (streamSetN == 1 && unchecked(streamSet[0]) == 0) || streamSetN > 10)) {
    w(K_H2_S); setList(streamSet, streamSetN, 0x20); w(K_H2_REQ); setList(reqSet, reqSetN, 0x20);
    w(K_H2_RES); setList(resSet, resSetN, 0x20); w(K_H2_DATA); setList(dataSet, dataSetN, 0x20);
  }
  suffixLen = <i32>(pos - SUFFIX_BUF);
  setPos(save);
  // A preface-only segment has no message (reference §6.1 step 6).
  if (h2Frames == 0) hasMessage = false;
}
const streamOrder = new StaticArray<u32>(MAX_STREAMS_LISTED);
const K_H2_SIZE = frag(",\"size\":");

// ---- trace of the record --------------------------------------------------------------------

function pickTrace(c: Conn, dir: i32, ack: u32, plen: i32, syn: bool): void {
  if (rendered) finishH1();
  if (c.mode == Mode.HTTP2 && !rendered) { finishH2(); traceInFrames = true; }
  if (c.mode == Mode.TLS) { finishTls(); return; }
  if (c.untracked || syn) return;
  // An HTTP/1 head in this segment (also the 101 that switches a connection to HTTP/2).
  if (rendered) { if (renderEx >= 0 && ex(renderEx).trace.valid) traceEx = renderEx; return; }
  if (c.mode == Mode.HTTP2) {
    // Segments entirely inside one frame's payload carry that stream's trace at top level.
    if (h2Frames == 0 && h2LastStream != 0) { const i = c.findStream(h2LastStream); if (i >= 0 && ex(i).trace.valid) { traceEx = i; traceInFrames = false; } }
    return;
  }
  let i: i32 = -1;
  if (rendered) i = renderEx;
  else if (c.mode == Mode.HTTP1 || c.mode == Mode.UNKNOWN || c.mode == Mode.OPAQUE) {
    const server = isServer(c, dir);
    if (c.client < 0) return;
    const d = unchecked(c.d[dir]);
    if (plen > 0 && d.known) i = c.findByOffset(server, d.off(segSeq));
    else {
      // No payload: the acknowledged bytes of the other direction tell the exchange.
      const o = unchecked(c.d[1 - dir]);
      if (o.known && o.off(ack) > 0) i = c.findByOffset(!server, o.off(ack) - 1);
      // Nothing of the other side acknowledged yet (e.g. a FIN before any response): the last
      // byte this side sent tells it.
      if (i < 0 && d.known && d.off(segSeq) > 0) i = c.findByOffset(server, d.off(segSeq) - 1);
    }
  }
  if (i >= 0 && ex(i).trace.valid) traceEx = i;
}

/** Writes the top-level trace keys of traceEx (spanId, trace, trace_sampled), each followed by a comma. */
export function writeTopTrace(): void {
  if (traceEx < 0) return;
  const e = ex(traceEx);
  if (e.trace.hasSpan) { w(K_T_SPAN); hex16(e.trace.span); b(0x22); b(0x2c); }
  w(K_T_TRACE); const t0 = pos - 9; // the value starts at "projects/"
  raw(optEscPtr(Opt.PROJECT), optEscLength(Opt.PROJECT)); w(K_TRACES); raw(e.trace.traceBuf, e.trace.traceLen);
  if (E.enabled) E.trace(t0, <i32>(pos - t0));
  b(0x22); b(0x2c);
  w(e.trace.sampled ? K_T_SAMPLED_T : K_T_SAMPLED_F);
}
const K_T_SPAN = frag("\"logging.googleapis.com/spanId\":\"");
const K_T_TRACE = frag("\"logging.googleapis.com/trace\":\"projects/");
const K_T_SAMPLED_T = frag("\"logging.googleapis.com/trace_sampled\":true,");
const K_T_SAMPLED_F = frag("\"logging.googleapis.com/trace_sampled\":false,");

/**
 * Writes a body object: {"data": s} when all of it (≤ 512 bytes) is here, else
 * {"length":[...],"sample":"first 509 bytes..."}; keys in sorted order (data, length, sample).
 */
function bodyObj(open: u64, p: usize, have: i32, read: i32, declared: i64, partial: bool = false): void {
  w(open);
  const data = have > 0 && have <= 512 && !partial;
  if (data) { w(K_DATA_KEY); str(p, have); b(0x2c); }
  w(K_LENGTH_ARR); u32dec(<u32>read); w(K_BODY_DECL); i64dec(declared); b(0x22); b(0x5d);
  if (have > 0 && !data) { w(K_F_SAMPLE); b(0x22); strBody(p, have < 509 ? have : 509); w(K_ELLIPSIS); b(0x22); }
  b(0x7d);
}
const K_DATA_KEY = frag("\"data\":");

// ---- TLS --------------------------------------------------------------------------------------
// Record walk per direction (RFC 8446 §5.1): every record that starts in a segment is
// summarised, so bulk segments in the middle of a record are simply continuation, never a
// decode error. The first handshake record of each direction is kept (up to MAX_HEAD bytes)
// and parsed as ClientHello / ServerHello: SNI, ALPN, versions and the JA4 fingerprint.

const TLS_BUF: usize = renderBuffer(64 << 10);
/** JSON of the record's `TLS` object, or length 0. */
export let tlsLen: i32 = 0;
@inline export function tlsPtr(): usize { return TLS_BUF; }
const MAX_TLS_RECORDS: i32 = 64;
const recType = new StaticArray<u8>(MAX_TLS_RECORDS);
const recVer = new StaticArray<u16>(MAX_TLS_RECORDS);
const recLen = new StaticArray<u16>(MAX_TLS_RECORDS);
let tlsN = 0;
const hello = new ClientHelloRepr();
const shello = new ServerHelloRepr();
let helloClient = false;
let helloServer = false;

// A TLS record header: content type 20..24, version 3.0..3.4, length within RFC 8446 §5.2.
function plausibleTlsRecord(p: usize, len: i32): bool {
  if (len < 5) return false;
  const t = <u32>load<u8>(p), v1 = <u32>load<u8>(p + 1), v2 = <u32>load<u8>(p + 2);
  const l = (<u32>load<u8>(p + 3) << 8) | <u32>load<u8>(p + 4);
  return t >= 20 && t <= 24 && v1 == 3 && v2 <= 4 && l > 0 && l <= 16384 + 2048;
}

function feedTls(c: Conn, dir: i32, p: usize, len: i32): void {
  const d = unchecked(c.d[dir]);
  if (d.tlsLost) {
    // Wait for a segment that starts with a record header.
    if (!plausibleTlsRecord(p, len)) return;
    d.tlsLost = false; d.tlsLeft = 0; d.tlsHdrLen = 0;
  }
  while (len > 0) {
    if (d.tlsLeft == 0) {
      while (len > 0 && d.tlsHdrLen < 5) { d.tlsHdr = (d.tlsHdr << 8) | <u64>load<u8>(p); d.tlsHdrLen++; p++; len--; }
      if (d.tlsHdrLen < 5) return;
      const h = d.tlsHdr;
      d.tlsHdr = 0; d.tlsHdrLen = 0;
      const t = <u32>(h >> 32) & 0xff, ver = <u32>(h >> 16) & 0xffff, rl = <i32>(h & 0xffff);
      if (t < 20 || t > 24 || (ver >> 8) != 3 || rl == 0 || rl > 16384 + 2048) { d.tlsLost = true; return; }
      if (tlsN < MAX_TLS_RECORDS) { unchecked(recType[tlsN] = <u8>t); unchecked(recVer[tlsN] = <u16>ver); unchecked(recLen[tlsN] = <u16>rl); tlsN++; }
      d.tlsLeft = rl; d.tlsType = t;
      if (t == 22 && !d.tlsHello) { freeBuf(d.head); d.head = takeBuf(); d.headLen = 0; d.tlsHello = true; }
      continue;
    }
    const n = len < d.tlsLeft ? len : d.tlsLeft;
    if (d.head >= 0 && d.tlsType == 22) {
      const room = MAX_HEAD - d.headLen;
      const k = n < room ? n : room;
      if (k > 0) { memory.copy(bufPtr(d.head) + <usize>d.headLen, p, <usize>k); d.headLen += k; }
    }
    d.tlsLeft -= n; p += <usize>n; len -= n;
    if (d.tlsLeft == 0 && d.head >= 0 && d.tlsType == 22) {
      // The fields of the hello point into the buffer: it is released after rendering.
      const hp = bufPtr(d.head);
      const b0 = d.headLen > 0 ? load<u8>(hp) : 0;
      if (b0 == 1 && parseClientHello(hp, d.headLen, hello) == WireErr.OK) { helloClient = true; if (c.client < 0) c.client = dir; }
      else if (b0 == 2 && parseServerHello(hp, d.headLen, shello) == WireErr.OK) helloServer = true;
      freeBuf(helloBuf); helloBuf = d.head; d.head = -1;
    }
  }
}
let helloBuf: i32 = -1;

const K_TLS_OPEN = frag("{");
const K_CT = frag("{\"content_type\":\"");
const K_TLS_LEN = frag("\",\"length\":");
const K_TLS_MSG = frag(",\"message\":\"Change Cipher Spec Message\"");
const K_TLS_VER = frag(",\"version\":\"");
const K_ALERT = frag("\"alert\":[");
const K_APP = frag("\"app_data\":[");
const K_CCS = frag("\"change_cipher_spec\":[");
const K_HS = frag("\"handshake\":[");
const K_CH = frag("\"client_hello\":{");
const K_SH = frag("\"server_hello\":{");
const K_ALPN = frag("\"alpn\":[");
const K_CIPHER = frag("\"cipher\":\"0x");
const K_JA4 = frag("\"ja4\":\"");
const K_SNI = frag("\"sni\":");
const K_VERSIONS = frag("\"versions\":[");
const K_VERSION = frag("\"version\":\"");
const CT_NAMES = [frag("Change Cipher Spec"), frag("Alert"), frag("Handshake"), frag("Application Data"), frag("Heartbeat")];
const JA4_OUT: usize = heap.alloc(64);

/** TLS version names as gopacket prints them (0x0200 SSL 2.0 … 0x0304 TLS 1.3). */
function versionName(v: u32): void {
  if (v == 0x0300) { raw(SSL30, 7); return; }
  if (v >= 0x0301 && v <= 0x0304) { raw(TLS1X, 6); b(0x30 + (v & 0xff) - 1); return; }
  if (v == 0x0200 || v == 0x0002) { raw(SSL20, 7); return; }
  raw(UNKNOWN_V, 7);
}
const SSL30: usize = asciiBytes("SSL 3.0");
const SSL20: usize = asciiBytes("SSL 2.0");
const TLS1X: usize = asciiBytes("TLS 1.");
const UNKNOWN_V: usize = asciiBytes("Unknown");

function recList(type: u32, key: u64, first: bool): bool {
  let n = 0;
  for (let i = 0; i < tlsN; i++) {
    if (<u32>unchecked(recType[i]) != type) continue;
    if (n == 0) { if (!first) b(0x2c); w(key); } else b(0x2c);
    n++;
    w(K_CT); w(unchecked(CT_NAMES[type - 20])); w(K_TLS_LEN); u32dec(<u32>unchecked(recLen[i]));
    if (type == 20) w(K_TLS_MSG);
    w(K_TLS_VER); versionName(<u32>unchecked(recVer[i])); b(0x22); b(0x7d);
  }
  if (n > 0) b(0x5d);
  return n > 0 ? false : first;
}

/** Builds the TLS object of this segment (called once per packet after feeding). */
function finishTls(): void {
  if (tlsN == 0 && !helloClient && !helloServer) return;
  const save = pos;
  setPos(TLS_BUF);
  b(0x7b);
  // Keys: alert, app_data, change_cipher_spec, client_hello, handshake, server_hello
  let first = true;
  first = recList(21, K_ALERT, first);
  first = recList(23, K_APP, first);
  first = recList(20, K_CCS, first);
  if (helloClient) {
    if (!first) b(0x2c); first = false;
    w(K_CH);
    // alpn, ja4, sni, versions
    let k = 0;
    if (hello.hasAlpn) { w(K_ALPN); for (let i = 0; i < hello.alpnN; i++) { if (i) b(0x2c); str(unchecked(hello.alpn[i]), <i32>unchecked(hello.alpnLen[i])); } b(0x5d); k++; }
    if (k++) b(0x2c);
    const n = ja4(hello, 0x74, JA4_OUT);
    w(K_JA4); raw(JA4_OUT, n); b(0x22);
    if (hello.hasSni) { b(0x2c); w(K_SNI); str(hello.sni, hello.sniLen); }
    b(0x2c); w(K_VERSIONS);
    if (hello.hasVersions) {
      let m = 0;
      for (let i = 0; i < hello.versionN; i++) {
        const v = <u32>unchecked(hello.versions[i]);
        if ((v & 0x0f0f) == 0x0a0a) continue; // GREASE (RFC 8701)
        if (m++) b(0x2c);
        b(0x22); versionName(v); b(0x22);
      }
    } else { b(0x22); versionName(hello.legacyVersion); b(0x22); }
    b(0x5d); b(0x7d);
  }
  first = recList(22, K_HS, first);
  if (helloServer) {
    if (!first) b(0x2c); first = false;
    w(K_SH);
    if (shello.hasAlpn) { w(K_ALPN); str(shello.alpn, shello.alpnLen); b(0x5d); b(0x2c); }
    w(K_CIPHER); hex4(shello.cipherSuite); b(0x22); b(0x2c);
    w(K_VERSION); versionName(shello.version); b(0x22); b(0x7d);
  }
  b(0x7d);
  tlsLen = <i32>(pos - TLS_BUF);
  setPos(save);
  freeBuf(helloBuf); helloBuf = -1;
}

function hex4(v: u32): void { for (let s = 12; s >= 0; s -= 4) { const d = (v >> <u32>s) & 15; b(d < 10 ? 0x30 + d : 0x57 + d); } }
