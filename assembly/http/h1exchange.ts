// HTTP/1.x exchanges (RFC 9112): heads parsed from the reassembled stream become requests and
// responses, paired in order per connection, with their bodies (Content-Length, chunked) and the
// trace a request carries.
//
// Pairing is by position: every request takes the next position, every final response answers
// the oldest unanswered one (RFC 9112 §9.3.2), whatever the analysis could keep of either. A
// head that could not be kept still takes or answers its position; a request whose exchange was
// reclaimed still holds its position, and its response says so — so a lost head or exchange
// never shifts later pairings. A capture gap that may have swallowed whole messages makes the
// pairing uncertain: a response is then paired only when exactly one request can be its own,
// and otherwise says `pairing_lost` (see pairResponse).

import { MAX_METHOD, MAX_URL } from "../config";
import { Conn, Dir, Mode, ex, Exchange, finish, bindStream } from "../flow/conn";
import { H1, H1Ev, Body, h1Step, h1Event, h1Body, h1Resync, h1BodyBytes, Head, parseHead, nameIs } from "./h1";
import { h2Start } from "./h2";
import { bufPtr } from "./buffers";
import { TraceRepr, parseTraceparent, parseCloudTrace, trace2 } from "../trace/context";
import { copy } from "../util/mem";
import { S, RENDER_HEAD, head } from "../facts/packet";
import { feedH2 } from "./h2exchange";
import { scheduleUntrack, isServer } from "../flow/roles";
import { Why, skip } from "../flow/skips";
import { nowNs, snapDir, startTiming, timingOf, responseFirst, responseHead, E_RES_LAST, E_REQ_LAST } from "../flow/timing";
import { timingTop, TimingKind } from "../facts/timing";

export function feedH1(c: Conn, dir: i32, p: usize, len: i32): void {
  const d = unchecked(c.d[dir]);
  const start = p;
  let sawHead = false;
  while (len > 0) {
    const before = d.st;
    const n = h1Step(d, p, len);
    if (before == H1.START && d.st != H1.START && d.st != H1.RESYNC) startMessage(c, dir, d, S.curOff + <u32>n);
    if (S.rendered && S.renderBodyOpen) S.renderBodyLen += h1BodyBytes;
    p += <usize>n; len -= n; S.curOff += <u32>n;
    // A head whose first line is not HTTP/1 (a bad version, RFC 9112 §2.3) was no message: its bytes are shown as L7, as pcap-sidecar shows what Go's parser refuses.
    if (h1Event == H1Ev.HEAD) { if (onHead(c, dir, d, p)) sawHead = true; }
    else if (h1Event == H1Ev.HEAD_SKIPPED) { sawHead = true; skippedHead(c, dir, d, Why.NO_BUFFER); }
    else if (h1Event == H1Ev.DONE) { onDone(c, dir, d, S.curOff); }
    if (d.st == H1.OPAQUE && c.mode == Mode.HTTP2) { if (len > 0) feedH2(c, dir, p, len); break; }
  }
  // Bytes no head claimed are shown as they are (an L7 object of the payload).
  if ((!sawHead && !S.rendered || S.renderSkipped) && p > start) S.l7Raw = true;
}

// A message starts at offset o: where it starts, and what its first segment acknowledged. The
// previous message of this direction ends here, so the segments of a head still incomplete are
// never taken for its bytes (they belong to no exchange until the head is complete).
function startMessage(c: Conn, dir: i32, d: Dir, o: u32): void {
  d.msgStart = o; d.msgAck = S.segAck; d.msgAckKnown = S.segAckKnown;
  snapDir(c, d, nowNs());
  const server = isServer(c, dir);
  let i = c.exTail;
  while (i >= 0 && !(server ? ex(i).hasRes : ex(i).hasReq)) i = ex(i).cprev;
  if (i >= 0) {
    const e = ex(i);
    // The newest response's range ends here — unless it was an interim one (1xx): the final
    // response of the same, still unanswered exchange follows in the same range.
    if (server) { if (e.resEnd == 0xffffffff && (e.answered || e.pos != c.firstUnanswered)) e.resEnd = o; }
    else if (e.reqEnd == 0xffffffff) e.reqEnd = o;
  }
  // A response's bytes are its request's from its first byte when that request is certain: the
  // oldest unanswered one (an interim response's final one follows in the same range).
  if (server && !c.uncertain && (c.reqGapAt < 0 || c.firstUnanswered < c.reqGapAt) && c.firstUnanswered < c.count) {
    const j = c.at(c.firstUnanswered);
    if (j >= 0 && !ex(j).hasRes) { ex(j).hasRes = true; ex(j).resStart = o; responseFirst(ex(j), d.msgNs); }
  }
}

/** The head buffer of a message in progress was reclaimed while its connection was idle: the message is skipped, keeping its place in the pairing. */
export function headLost(c: Conn, dir: i32): void {
  const d = unchecked(c.d[dir]);
  d.head = -1; d.headLen = 0; d.headKept = 0;
  skippedHead(c, dir, d, Why.BUFFER_RECLAIMED);
  d.st = H1.SKIP_HEAD; d.lineEmpty = false;
}

// ---- pairing ----------------------------------------------------------------------------

// Why the last pairResponse() found no request (Why.NONE: there was none to find), and when
// it could not choose, the positions it chose between ([pairLo, pairHi]; pairLo > pairHi: some
// request the capture lacks).
let pairWhy: Why = Why.NONE;
let pairLo: i64 = 0, pairHi: i64 = -1;

// Framing facts of position pos kept on the connection (valid for the last 64 positions).
@inline function posBit(pos: i64): u64 { return <u64>1 << <u64>(pos & 63); }
function noteRequest(c: Conn, pos: i64, known: bool, isHead: bool, isConnect: bool): void {
  const m = posBit(pos);
  c.knownBits = known ? c.knownBits | m : c.knownBits & ~m;
  c.headBits = isHead ? c.headBits | m : c.headBits & ~m;
  c.connectBits = isConnect ? c.connectBits | m : c.connectBits & ~m;
}

// Whether request pos can be the one response d's message answers: the server had received its
// first byte when the response began (the response's acknowledgement passed it), and the client
// had not yet received the response's first byte when it sent the request.
function possible(c: Conn, d: Dir, pos: i64): bool {
  const i = c.at(pos);
  if (i < 0) return true; // nothing known against it
  const e = ex(i);
  if (d.msgAckKnown && e.hasReq && <i32>(d.msgAck - e.reqStart) <= 0) return false;
  if (e.ackKnown && <i32>(e.ackAtSend - d.msgStart) > 0) return false;
  return true;
}

/**
 * The position of the request a final response (or, with interim, a 1xx response) answers, and
 * its exchange through the return value (-1: none; pairWhy says why). Consumes the position
 * unless interim. Without gaps this is the oldest unanswered position. After gaps the
 * candidates are narrowed by the evidence above; a single candidate is paired (the positions
 * before it were answered in the gap), several leave the response unpaired (PAIRING_LOST).
 */
function pairResponse(c: Conn, d: Dir, interim: bool): i32 {
  pairWhy = Why.NONE; pairLo = 0; pairHi = -1;
  let pos = c.firstUnanswered;
  if (c.reqGapAt >= 0 && pos >= c.reqGapAt) {
    // Requests were lost in a gap of the client's bytes, just before position reqGapAt, an
    // unknown number of them: a response from here on may answer one of them, so none can be
    // paired for certain any more (the evidence can show a response answers a lost request,
    // never that it answers reqGapAt's).
    pairWhy = Why.PAIRING_LOST;
    return -1;
  }
  if (c.uncertain) {
    let lo = c.candLo, hi = c.candHi;
    if (hi > c.count - 1) hi = c.count - 1;
    // The evidence only ever rules out a position and every later one.
    let cap = lo;
    while (cap <= hi && possible(c, d, cap)) cap++;
    hi = cap - 1;
    if (hi < lo) {
      // No candidate left: a message lost in a gap was an interim one. Widen to every position.
      lo = c.firstUnanswered; cap = lo;
      while (cap <= c.candHi && cap < c.count && possible(c, d, cap)) cap++;
      hi = cap - 1;
    }
    if (lo == hi) {
      c.uncertain = false;
      pos = lo;
    } else {
      pairWhy = Why.PAIRING_LOST; pairLo = lo; pairHi = hi;
      if (!interim) { c.candLo++; c.candHi++; c.firstUnanswered = c.candLo; }
      return -1;
    }
  }
  if (pos >= c.count) {
    // No request seen for it: the capture started mid-connection — or the server had received
    // client bytes the capture lacks (its acknowledgement passes them), which held its request.
    const o = unchecked(c.d[0]) === d ? unchecked(c.d[1]) : unchecked(c.d[0]);
    if (d.msgAckKnown && o.known && <i32>(d.msgAck - o.off(o.next)) > 0) pairWhy = Why.PAIRING_LOST;
    return -1;
  }
  const i = c.at(pos);
  if (!interim) c.firstUnanswered = pos + 1;
  if (i < 0) pairWhy = Why.REQUEST_RECLAIMED;
  return i;
}

/** Bytes of direction dir were lost (a gap of n bytes before the current segment): absorb them in the body in progress, or resynchronise and note what the gap may have held. */
export function h1Gap(c: Conn, dir: i32, n: u32): void {
  const d = unchecked(c.d[dir]);
  // Bytes lost inside a body of known length are only body bytes.
  if ((d.st == H1.BODY || d.st == H1.CHUNK_DATA) && <i64>n <= d.bodyLeft) {
    d.bodyLeft -= <i64>n;
    if (d.bodyLeft == 0) {
      if (d.st == H1.BODY) { d.st = H1.START; onDone(c, dir, d, d.off(d.next) + n); }
      else { d.st = H1.CHUNK_END; d.chunkLine = 0; }
    }
    return;
  }
  if (d.st == H1.UNTIL_EOF || d.st == H1.OPAQUE) return; // everything until the close is body
  // Whether the gap surely holds the start of a message: it began between messages, inside a
  // head, or after the end of a body of known length.
  const startLost = d.st == H1.START || d.st == H1.HEAD || d.st == H1.HEAD_OVER || d.st == H1.SKIP_HEAD || d.st == H1.BODY;
  const server = isServer(c, dir);
  if (c.client >= 0) {
    if (server) {
      const outstanding = c.count - c.firstUnanswered;
      if (outstanding > 0) {
        // Up to `outstanding` responses may be in the gap, at least one if a message surely
        // started in it (a head in progress that was an interim response does not count).
        const interimHead = (d.st == H1.HEAD || d.st == H1.HEAD_OVER) && d.headCode >= 100 && d.headCode < 200 && d.headCode != 101;
        const lo: i64 = startLost && !interimHead ? 1 : 0;
        if (!c.uncertain) { c.uncertain = true; c.candLo = c.firstUnanswered + lo; }
        else c.candLo += lo;
        c.candHi = c.firstUnanswered + outstanding;
        if (c.candLo > c.candHi) c.candLo = c.candHi;
      }
    } else if (c.reqGapAt < 0) {
      // Requests may be in the gap (unless it lay inside a body, handled above): they come
      // before the next request to be seen.
      c.reqGapAt = c.count;
    }
  }
  h1Resync(d); d.cur = -1;
}

// ---- heads --------------------------------------------------------------------------------

// A second parsed head: a head after the packet's first (only the first is rendered).
const tmpHead = new Head();

// Whether the head was a message's (false: its first line was not HTTP/1, and the bytes are shown as L7).
function onHead(c: Conn, dir: i32, d: Dir, after: usize): bool {
  let h = tmpHead;
  let buf = bufPtr(d.head);
  const first = !S.rendered;
  if (first) {
    copy(RENDER_HEAD, buf, <usize>d.headLen);
    buf = RENDER_HEAD; h = head;
  }
  const cut = d.headKept > 0;
  parseHead(buf, d.headLen, h, cut);
  const headLen = d.headLen;
  // Not an HTTP/1 message after all (binary data that began with a capital letter): resync.
  if (!h.valid) { h1Resync(d); return false; }
  if (c.client < 0) c.client = h.isRequest ? dir : 1 - dir;
  if (cut) skip(Why.HEAD_TOO_LARGE);
  let exIdx: i32 = -1;
  let kind = Body.NONE;
  let length: i64 = 0;
  let why = cut ? Why.HEAD_TOO_LARGE : Why.NONE;
  const chunked = isChunked(buf, h);
  const cl = contentLength(buf, h);
  if (h.isRequest) {
    exIdx = newRequest(c, d);
    const pos = c.count - 1;
    let isHead = false, isConnect = false;
    const ml = h.methodLen < MAX_METHOD ? h.methodLen : MAX_METHOD;
    isHead = ml == 4 && load<u32>(buf + <usize>h.method) == 0x44414548;
    isConnect = ml == 7 && load<u32>(buf + <usize>h.method) == 0x4e4e4f43;
    noteRequest(c, pos, true, isHead, isConnect);
    if (exIdx >= 0) {
      const e = ex(exIdx);
      copy(e.method, buf + <usize>h.method, <usize>ml); e.methodLen = ml;
      e.isHead = isHead; e.isConnect = isConnect; e.why = why;
      setUrl(e, buf, h);
      extractTrace(buf, h, e.trace);
      // An h2c upgrade request (RFC 7540 §3.2): stream 1 is this request if the server agrees.
      if (hasToken(buf, h, "upgrade", "h2c")) bindStream(exIdx, 1);
    }
    d.cur = pos;
    if (chunked) kind = Body.CHUNKED; else if (cl >= 0) { kind = Body.LENGTH; length = cl; }
  } else {
    const interim = h.code >= 100 && h.code < 200 && h.code != 101;
    const pos = c.firstUnanswered;
    exIdx = answer(c, d, interim);
    if (why == Why.NONE) why = pairWhy;
    d.cur = exIdx >= 0 ? ex(exIdx).pos : -1;
    // The request's method frames the response (RFC 9112 §6.3): known from its exchange, or
    // from the connection's record of recent positions (every position it might answer, when
    // the pairing is uncertain, must agree); unknown, the body is probed (Body.UNKNOWN).
    let isHead = false, isConnect = false, known = true;
    if (exIdx >= 0) { isHead = ex(exIdx).isHead; isConnect = ex(exIdx).isConnect; }
    else if (pairWhy == Why.REQUEST_RECLAIMED) known = methodBits(c, pos, pos);
    else if (pairWhy == Why.PAIRING_LOST) known = methodBits(c, pairLo, pairHi);
    if (known && exIdx < 0 && pairWhy != Why.NONE) { isHead = bitsHead; isConnect = bitsConnect; }
    if ((h.code >= 100 && h.code < 200 && h.code != 101) || h.code == 204 || h.code == 304) kind = Body.NONE;
    else if (h.code == 101) kind = Body.OPAQUE;
    else if (!known) { kind = Body.UNKNOWN; length = chunked ? -1 : cl >= 0 ? cl : -2; }
    else if (isHead) kind = Body.NONE;
    else if (isConnect && h.code >= 200 && h.code < 300) kind = Body.OPAQUE;
    else if (chunked) kind = Body.CHUNKED;
    else if (cl >= 0) { kind = Body.LENGTH; length = cl; }
    else kind = Body.UNTIL_EOF;
  }
  if (first) {
    S.rendered = true; S.renderEx = exIdx; S.renderBodyStart = after; S.renderBodyLen = 0; S.renderWhy = why; S.renderSkipped = false;
    S.renderDeclared = kind == Body.LENGTH || kind == Body.UNKNOWN && length >= 0 ? length : kind == Body.CHUNKED || kind == Body.UNTIL_EOF || kind == Body.UNKNOWN ? -1 : 0;
    S.renderChunked = kind == Body.CHUNKED;
    S.renderBodyOpen = kind != Body.NONE && kind != Body.OPAQUE;
    S.renderHeadLen = headLen;
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
  if (doneNow) onDone(c, dir, d, S.curOff);
  return true;
}

// Opens the exchange of a request whose head starts at d.msgStart: closes the previous
// request's byte range, takes the next position. Returns the exchange, or -1 (the position is
// taken anyway).
function newRequest(c: Conn, d: Dir): i32 {
  // The slot first: when every exchange of the part waits, the oldest one goes, which may be
  // this connection's previous request.
  const i = c.append();
  if (i >= 0) {
    const e = ex(i);
    e.hasReq = true; e.reqStart = d.msgStart; e.tsSec = S.pSec; e.tsNsec = S.pNsec;
    e.ackAtSend = d.msgAck; e.ackKnown = d.msgAckKnown;
    startTiming(e, d);
  }
  return i;
}

// methodBits: whether positions [lo, hi] (lo ≤ hi, within the last 64) all have known
// framing bits that agree; bitsHead / bitsConnect are then their value.
let bitsHead = false, bitsConnect = false;
function methodBits(c: Conn, lo: i64, hi: i64): bool {
  if (lo > hi || c.count - lo > 64) return false;
  const h0 = (c.headBits & posBit(lo)) != 0, c0 = (c.connectBits & posBit(lo)) != 0;
  for (let p = lo; p <= hi; p++) {
    const m = posBit(p);
    if ((c.knownBits & m) == 0 || ((c.headBits & m) != 0) != h0 || ((c.connectBits & m) != 0) != c0) return false;
  }
  bitsHead = h0; bitsConnect = c0;
  return true;
}

// Pairs the response head of direction d (see pairResponse) and marks its exchange answered.
function answer(c: Conn, d: Dir, interim: bool): i32 {
  const i = pairResponse(c, d, interim);
  if (i < 0) return -1;
  const e = ex(i);
  if (!e.hasRes) { e.hasRes = true; e.resStart = d.msgStart; responseFirst(e, d.msgNs); }
  // A final response after an interim one: the exchange's response bytes go on (startMessage
  // closed them at this head's start).
  else if (e.resEnd == d.msgStart) e.resEnd = 0xffffffff;
  if (!interim) { e.answered = true; responseHead(e); finish(i); }
  return i;
}

// A head that could not be kept (why: no buffer, or its buffer was reclaimed): a request still
// takes its position (an exchange without method, URL or trace), a response still answers one;
// the record says which, and why. Its body cannot be framed: the parser resynchronises after it.
function skippedHead(c: Conn, dir: i32, d: Dir, why: Why): void {
  skip(why);
  const response = d.headIsResponse || (c.client >= 0 && dir != c.client);
  let exIdx: i32 = -1;
  const interim = response && d.headCode >= 100 && d.headCode < 200 && d.headCode != 101;
  if (!response) {
    exIdx = newRequest(c, d);
    noteRequest(c, c.count - 1, false, false, false);
    if (exIdx >= 0) ex(exIdx).why = why;
    if (c.client < 0) c.client = dir;
  } else {
    exIdx = answer(c, d, interim);
    if (c.client < 0) c.client = 1 - dir;
  }
  d.cur = -1;
  if (!S.rendered) {
    S.rendered = true; S.renderSkipped = true; S.renderEx = exIdx; S.renderWhy = why;
    S.renderIsRequest = !response; S.renderCode = d.headCode;
    S.renderBodyLen = 0; S.renderBodyOpen = false; S.renderDeclared = 0; S.renderChunked = false;
  }
}

// The message of direction d ended at offset end: its exchange notes when and how long; a
// final response's end shows the exchange's timing on this record (the first one that ends in
// it at top level, as the HTTP object shows the first head; later ones in `more`).
function onDone(c: Conn, dir: i32, d: Dir, end: u32): void {
  if (S.rendered) S.renderBodyOpen = false;
  if (d.cur >= 0) {
    const i = c.at(d.cur);
    if (i >= 0) {
      const e = ex(i);
      if (isServer(c, dir)) {
        if (e.hasRes && e.answered && (e.tbits & E_RES_LAST) == 0) {
          e.resLastNs = nowNs(); e.resBytes = <i64>(end - e.resStart); e.tbits |= E_RES_LAST;
          timingOf(c, e, TimingKind.EXCHANGE, timingTop < 0);
        }
      } else if (e.hasReq && (e.tbits & E_REQ_LAST) == 0) { e.reqLastNs = nowNs(); e.reqBytes = <i64>(end - e.reqStart); e.tbits |= E_REQ_LAST; }
    }
  }
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

/** Direction dir sent its FIN with every byte before it seen: a response framed by the close (RFC 9112 §6.3 rule 8) ends there. */
export function h1Fin(c: Conn, dir: i32): void {
  const d = unchecked(c.d[dir]);
  if (d.st == H1.UNTIL_EOF && isServer(c, dir)) onDone(c, dir, d, d.off(d.next));
}
