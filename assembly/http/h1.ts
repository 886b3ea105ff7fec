// HTTP/1.0 and 1.1 message framing (RFC 9112) as an incremental state machine over one
// direction of a connection: accepts any slice, copies only message heads (into a pooled
// buffer), counts body bytes without copying. The caller drives it:
//
//   while (len > 0) { n = h1Step(d, p, len); p += n; len -= n; switch (h1Event) ... }
//
// HEAD: a complete head is in bufPtr(d.head)[0..d.headLen); the caller parses it with
// parseHead() and tells the body length with h1Body(). A head longer than the head limit is
// still read to its end: the lines that fit are kept, and of the lines beyond, those that frame
// the body or carry the request's host and trace are kept after them (d.headKept > 0 says the
// head was cut), so the message is still paired and framed right. HEAD_SKIPPED: a head starts
// but no buffer could be had; the parser reads past it and resynchronises. DONE: the message
// ended. The parser never fails: bytes it cannot frame send it to RESYNC, where it looks for
// the next line that starts a request or status line (a capture that starts mid-stream, or a gap).

import { MAX_HEAD, MAX_HEADERS, HEAD_EXTRA, HEAD_OVER_LINE } from "../config";
import { Dir } from "../flow/conn";
import { takeBuf, freeBuf, bufPtr, bufGen } from "./buffers";
import { copy, findByte } from "../util/mem";
import { Head } from "../facts/head";

/** Parser states. */
export const enum H1 { START = 0, HEAD = 1, BODY = 2, CHUNK_SIZE = 3, CHUNK_DATA = 4, CHUNK_END = 5, TRAILER = 6, UNTIL_EOF = 7, RESYNC = 8, OPAQUE = 9, HEAD_OVER = 10, SKIP_HEAD = 11, PROBE = 12 }
/** Events returned through h1Event. */
export const enum H1Ev { NONE = 0, HEAD = 1, DONE = 2, HEAD_SKIPPED = 3 }
/** Body framing after a head (RFC 9112 §6.3). */
export const enum Body { NONE = 0, LENGTH = 1, CHUNKED = 2, UNTIL_EOF = 3, OPAQUE = 4, UNKNOWN = 5 }

/** Largest head accepted (≤ MAX_HEAD; the host may lower it). */
export let headLimit: i32 = MAX_HEAD;
/** Sets the largest head accepted, clamped to 256..MAX_HEAD. */
export function setHeadLimit(n: i32): void { headLimit = n < 256 ? 256 : n > MAX_HEAD ? MAX_HEAD : n; }

/** Event of the last h1Step(). */
export let h1Event: H1Ev = H1Ev.NONE;

// Whether [p, p+len) at a line start looks like the start of a request or status line.
/** Whether bytes at a line start look like the start of a request or status line. */
export function looksLikeStart(p: usize, len: i32): bool {
  // Status line: "HTTP/1.x SP ddd"
  if (len >= 12 && load<u32>(p) == 0x50545448 && load<u8>(p + 4) == 0x2f && load<u8>(p + 5) == 0x31 && load<u8>(p + 6) == 0x2e) {
    return load<u8>(p + 8) == 0x20 && isDigit(load<u8>(p + 9)) && isDigit(load<u8>(p + 10)) && isDigit(load<u8>(p + 11));
  }
  // Request line: METHOD SP target SP HTTP/1.x CRLF, with the method an uppercase token.
  let i = 0;
  while (i < len && i < 20 && ((load<u8>(p + i) >= 0x41 && load<u8>(p + i) <= 0x5a) || load<u8>(p + i) == 0x2d || load<u8>(p + i) == 0x5f)) i++;
  if (i == 0 || i >= len || load<u8>(p + i) != 0x20) return false;
  // Find the end of the line within what we have; require " HTTP/1." before it.
  let j = i + 1;
  while (j < len && load<u8>(p + j) != 0x0a) j++;
  if (j >= len) return len - i < 8192; // line continues in a later segment: accept
  let e = j; if (e > 0 && load<u8>(p + e - 1) == 0x0d) e--;
  return e - i >= 10 && load<u32>(p + e - 8) == 0x50545448 && load<u8>(p + e - 4) == 0x2f && load<u8>(p + e - 3) == 0x31;
}

@inline function isDigit(c: u8): bool { return c >= 0x30 && c <= 0x39; }

/** Starts resynchronisation (after a gap or when joining mid-stream). */
export function h1Resync(d: Dir): void {
  freeBuf(d.head, d.headGen); d.head = -1; d.headLen = 0; d.headKept = 0;
  d.st = H1.RESYNC; d.lineEmpty = true;
}

/** Sets the body framing after HEAD; returns true when the message is already complete (no body). */
export function h1Body(d: Dir, kind: Body, length: i64): bool {
  freeBuf(d.head, d.headGen); d.head = -1; d.headKept = 0;
  d.chunkLine = 0; d.chunkSize = 0; d.chunkHexOk = true;
  switch (kind) {
    case Body.LENGTH: if (length > 0) { d.st = H1.BODY; d.bodyLeft = length; return false; } break;
    case Body.CHUNKED: d.st = H1.CHUNK_SIZE; return false;
    case Body.UNTIL_EOF: d.st = H1.UNTIL_EOF; return false;
    case Body.OPAQUE: d.st = H1.OPAQUE; return true;
    // A response whose request's method is unknown (a HEAD request's has no body): its first
    // bytes tell (PROBE). length: the declared length, or −1 chunked, or −2 neither.
    case Body.UNKNOWN: d.st = H1.PROBE; d.bodyLeft = length; return false;
  }
  d.st = H1.START;
  return true;
}

/** Body bytes consumed by the last h1Step (for body accounting). */
export let h1BodyBytes: i32 = 0;

/** Processes bytes at p; returns how many were consumed (≥ 1 when len > 0, or 0 with an event). */
export function h1Step(d: Dir, p: usize, len: i32): i32 {
  h1Event = H1Ev.NONE; h1BodyBytes = 0;
  switch (d.st) {
    case H1.RESYNC: {
      // Scan line starts for a message start.
      let i = 0;
      while (i < len) {
        if (d.lineEmpty && looksLikeStart(p + <usize>i, len - i)) { d.st = H1.START; return i; }
        d.lineEmpty = load<u8>(p + <usize>i) == 0x0a;
        i++;
      }
      return len;
    }
    case H1.START: {
      // RFC 9112 §2.2: empty lines before a request line are ignored.
      let i = 0;
      while (i < len && (load<u8>(p + <usize>i) == 0x0d || load<u8>(p + <usize>i) == 0x0a)) i++;
      if (i == len) return len;
      // A message starts with a method or "HTTP/" (both uppercase tokens); the whole first line
      // is checked when the head is complete (Head.valid), so a start split across segments works.
      const c0 = load<u8>(p + <usize>i);
      if (c0 < 0x41 || c0 > 0x5a) { h1Resync(d); return i > 0 ? i : 1; }
      // What kind of message this is, read now in case its head cannot be kept.
      const q = p + <usize>i, n = len - i;
      d.headIsResponse = n >= 5 && load<u32>(q) == 0x50545448 && load<u8>(q + 4) == 0x2f;
      d.headCode = d.headIsResponse && n >= 12 && isDigit(load<u8>(q + 9)) && isDigit(load<u8>(q + 10)) && isDigit(load<u8>(q + 11))
        ? (<i32>load<u8>(q + 9) - 0x30) * 100 + (<i32>load<u8>(q + 10) - 0x30) * 10 + (<i32>load<u8>(q + 11) - 0x30) : 0;
      d.headKept = 0; d.headLen = 0;
      d.head = takeBuf(d.owner);
      if (d.head < 0) { d.st = H1.SKIP_HEAD; d.lineEmpty = false; h1Event = H1Ev.HEAD_SKIPPED; return i; }
      d.headGen = bufGen(d.head);
      d.st = H1.HEAD;
      return i;
    }
    case H1.SKIP_HEAD: {
      // A head that could not be kept: read to its empty line, then resynchronise (its body's
      // framing is unknown).
      let i = 0;
      while (i < len) {
        const c = load<u8>(p + <usize>i); i++;
        if (c == 0x0a) { if (d.lineEmpty) { d.st = H1.RESYNC; return i; } d.lineEmpty = true; }
        else if (c != 0x0d) d.lineEmpty = false;
      }
      return len;
    }
    case H1.HEAD_OVER: return headOver(d, p, len);
    case H1.PROBE: {
      // The bytes after a response head whose request is unknown: a status line means the
      // response had no body (it answered a HEAD request, RFC 9110 §9.3.2); anything else is
      // its body, framed as its head declares (a body that itself starts like a status line
      // is taken for the next response).
      const n = len < 12 ? len : 12;
      let status = n >= 5 && load<u32>(p) == 0x50545448 && load<u8>(p + 4) == 0x2f;
      if (n < 5) { status = true; for (let i = 0; i < n; i++) if (load<u8>(p + <usize>i) != <u8>"HTTP/".charCodeAt(i)) status = false; }
      if (n >= 12) status = looksLikeStart(p, len);
      if (status) { d.st = H1.START; h1Event = H1Ev.DONE; return 0; }
      const kind = d.bodyLeft;
      d.chunkLine = 0; d.chunkSize = 0; d.chunkHexOk = true;
      if (kind == -1) d.st = H1.CHUNK_SIZE;
      else if (kind == -2 || kind < 0) d.st = H1.UNTIL_EOF;
      else if (kind == 0) { d.st = H1.START; h1Event = H1Ev.DONE; }
      else d.st = H1.BODY;
      return 0;
    }
    case H1.HEAD: {
      // Find the empty line that ends the head (CRLF CRLF, or bare LF LF as RFC 9112 §2.2
      // tolerates): LFs are found 16 bytes at a time, and the head is copied in one piece.
      const buf = bufPtr(d.head);
      const have = d.headLen;
      let j = 0;
      let found = false;
      while (j < len) {
        j = findByte(p, j, len, 0x0a);
        if (j == len) break;
        // p[j] is an LF: the head ends if the line it closes is empty.
        const b1 = j >= 1 ? <u32>load<u8>(p + <usize>(j - 1)) : have >= 1 ? <u32>load<u8>(buf + <usize>(have - 1)) : 0;
        const b2 = j >= 2 ? <u32>load<u8>(p + <usize>(j - 2)) : have + j >= 2 ? <u32>load<u8>(buf + <usize>(have + j - 2)) : 0;
        if (have + j >= 1 && (b1 == 0x0a || (b1 == 0x0d && have + j >= 2 && b2 == 0x0a))) { found = true; j++; break; }
        j++;
      }
      if (have + j > headLimit) {
        // Too large: keep the complete lines that fit, then read the rest line by line (HEAD_OVER).
        let i = 0;
        while (i < j) {
          const e = findByte(p, i, j, 0x0a);
          if (e >= j) break; // an incomplete line
          if (d.headLen + e + 1 - i > headLimit) break;
          copy(buf + <usize>d.headLen, p + <usize>i, <usize>(e + 1 - i));
          d.headLen += e + 1 - i; i = e + 1;
        }
        // The kept lines end at the last LF; bytes after it (from earlier segments) begin the
        // line HEAD_OVER gathers next, and already lie where it gathers.
        let lastLf = d.headLen;
        while (lastLf > 0 && load<u8>(buf + <usize>(lastLf - 1)) != 0x0a) lastLf--;
        if (lastLf == 0) {
          // Not even the first line fits: keep its first bytes as the line, cut, and drop the
          // rest of it (a request must still take its place in the pairing).
          const k = headLimit - d.headLen;
          copy(buf + <usize>d.headLen, p + <usize>i, <usize>k);
          i += k;
          d.headLen = headLimit;
          store<u8>(buf + <usize>d.headLen, 0x0a); d.headLen++;
          d.overLine = -1;
        } else {
          const partial = d.headLen - lastLf;
          d.headLen = lastLf;
          d.overLine = partial <= HEAD_OVER_LINE ? partial : -1;
        }
        d.headKept = d.headLen;
        d.st = H1.HEAD_OVER;
        return i;
      }
      copy(buf + <usize>have, p, <usize>j);
      d.headLen = have + j;
      if (found) h1Event = H1Ev.HEAD;
      return j;
    }
    case H1.BODY: {
      const n = <i64>len < d.bodyLeft ? len : <i32>d.bodyLeft;
      d.bodyLeft -= n; h1BodyBytes = n;
      if (d.bodyLeft == 0) { d.st = H1.START; h1Event = H1Ev.DONE; }
      return n;
    }
    case H1.CHUNK_SIZE: case H1.CHUNK_END: case H1.TRAILER: {
      // Line-oriented parts of chunked coding (RFC 9112 §7.1): chunk-size [; ext] CRLF,
      // the CRLF after chunk data, and the trailer section ending with an empty line.
      let i = 0;
      while (i < len) {
        const c = load<u8>(p + <usize>i); i++; h1BodyBytes++;
        if (c == 0x0a) {
          if (d.st == H1.CHUNK_END) { d.st = H1.CHUNK_SIZE; d.chunkLine = 0; d.chunkSize = 0; d.chunkHexOk = true; continue; }
          if (d.st == H1.TRAILER) {
            if (d.chunkLine == 0) { d.st = H1.START; h1Event = H1Ev.DONE; return i; }
            d.chunkLine = 0; continue;
          }
          // end of a chunk-size line
          if (d.chunkLine == 0) continue; // a stray empty line
          if (d.chunkSize == 0) { d.st = H1.TRAILER; d.chunkLine = 0; continue; }
          d.st = H1.CHUNK_DATA; d.bodyLeft = <i64>d.chunkSize;
          return i;
        }
        if (c == 0x0d) continue;
        if (d.st == H1.CHUNK_SIZE) {
          if (d.chunkHexOk) {
            let v: i32 = -1;
            if (c >= 0x30 && c <= 0x39) v = c - 0x30; else if ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x66) v = (c | 0x20) - 0x57;
            if (v >= 0 && d.chunkSize < 0x0fffffffffffffff) d.chunkSize = (d.chunkSize << 4) | <u64>v;
            else d.chunkHexOk = false; // extensions (";") or whitespace end the size
          }
        }
        d.chunkLine++;
      }
      return len;
    }
    case H1.CHUNK_DATA: {
      const n = <i64>len < d.bodyLeft ? len : <i32>d.bodyLeft;
      d.bodyLeft -= n; h1BodyBytes = n;
      if (d.bodyLeft == 0) { d.st = H1.CHUNK_END; d.chunkLine = 0; }
      return n;
    }
    case H1.UNTIL_EOF: case H1.OPAQUE: h1BodyBytes = len; return len;
  }
  return len;
}

// Names of the header fields kept from beyond the head limit: they frame the body (RFC 9112
// §6.1, §6.2), name the host of the request's URL, and carry its trace.
const OVER_NAMES = ["content-length", "transfer-encoding", "host", "traceparent", "x-cloud-trace-context"];

// Whether the line at p (before its colon) names a field kept from beyond the head limit.
function keptOverLine(p: usize, len: i32): bool {
  const colon = findByte(p, 0, len, 0x3a);
  if (colon >= len) return false;
  for (let k = 0; k < OVER_NAMES.length; k++) {
    const name = unchecked(OVER_NAMES[k]);
    if (colon != name.length) continue;
    let ok = true;
    for (let i = 0; i < colon && ok; i++) ok = lower(<u32>load<u8>(p + <usize>i)) == <u32>name.charCodeAt(i);
    if (ok) return true;
  }
  return false;
}

// HEAD_OVER: the head passed the limit. Each line is gathered after what is kept (at most
// HEAD_OVER_LINE bytes of it; overLine −1: a longer line, dropped to its end); at its LF it is
// kept if it is one of OVER_NAMES and fits, else dropped. The empty line ends the head.
function headOver(d: Dir, p: usize, len: i32): i32 {
  const buf = bufPtr(d.head);
  const cap = MAX_HEAD + HEAD_EXTRA;
  let i = 0;
  while (i < len) {
    const e = findByte(p, i, len, 0x0a);
    const end = e < len ? e + 1 : len;
    const n = end - i;
    if (d.overLine >= 0) {
      if (d.overLine + n <= HEAD_OVER_LINE && d.headLen + d.overLine + n <= cap) {
        copy(buf + <usize>(d.headLen + d.overLine), p + <usize>i, <usize>n);
        d.overLine += n;
      } else d.overLine = -1;
    }
    i = end;
    if (e >= len) break;
    // A complete line.
    const l = d.overLine;
    d.overLine = 0;
    if (l < 0) continue;
    const q = buf + <usize>d.headLen;
    if (l == 1 || (l == 2 && load<u8>(q) == 0x0d)) { h1Event = H1Ev.HEAD; d.st = H1.HEAD; return i; }
    if (keptOverLine(q, l)) d.headLen += l;
  }
  return i;
}

// ---- head parsing --------------------------------------------------------------------------

export { Head };

@inline function lower(c: u32): u32 { return c >= 0x41 && c <= 0x5a ? c | 0x20 : c; }

/** Case-insensitive comparison of a header name span with a lowercase ASCII literal at lit. */
export function nameIs(buf: usize, h: Head, i: i32, lit: string): bool {
  const n = unchecked(h.nameLen[i]);
  if (n != lit.length) return false;
  const p = buf + <usize>unchecked(h.name[i]);
  for (let k = 0; k < n; k++) if (lower(<u32>load<u8>(p + <usize>k)) != <u32>lit.charCodeAt(k)) return false;
  return true;
}

/**
 * Parses a complete head (request or status line and header fields) in buf[0..len). With `cut`
 * (a head over the limit, see headOver) the first line may itself be cut: a request line is
 * then taken as method and the start of its target, without a version.
 */
export function parseHead(buf: usize, len: i32, h: Head, cut: bool = false): bool {
  h.n = 0; h.dropped = 0; h.malformed = false; h.code = 0; h.minor = 1; h.valid = false;
  const e = findByte(buf, 0, len, 0x0a);
  let le = e; if (le > 0 && load<u8>(buf + <usize>(le - 1)) == 0x0d) le--;
  h.lineLen = le;
  if (le >= 12 && load<u32>(buf) == 0x50545448 && load<u8>(buf + 4) == 0x2f) {
    h.isRequest = false;
    h.version = 0; h.versionLen = 8;
    h.minor = <i32>load<u8>(buf + 7) - 0x30;
    h.code = (<i32>load<u8>(buf + 9) - 0x30) * 100 + (<i32>load<u8>(buf + 10) - 0x30) * 10 + (<i32>load<u8>(buf + 11) - 0x30);
    let s = 8; while (s < le && load<u8>(buf + <usize>s) == 0x20) s++;
    h.status = s; h.statusLen = le - s;
    // "HTTP/" DIGIT "." DIGIT (RFC 9112 §2.3; Go's ParseHTTPVersion, which pcap-sidecar's reader uses, wants the same).
    h.valid = isDigit(load<u8>(buf + 5)) && load<u8>(buf + 6) == 0x2e && isDigit(load<u8>(buf + 7)) &&
      load<u8>(buf + 8) == 0x20 && isDigit(load<u8>(buf + 9)) && isDigit(load<u8>(buf + 10)) && isDigit(load<u8>(buf + 11));
  } else {
    h.isRequest = true;
    let i = 0; while (i < le && load<u8>(buf + <usize>i) != 0x20) i++;
    h.method = 0; h.methodLen = i;
    let t = i + 1; let j = le; while (j > t && load<u8>(buf + <usize>(j - 1)) != 0x20) j--;
    h.target = t; h.targetLen = j > t ? j - 1 - t : 0;
    h.version = j; h.versionLen = le - j;
    h.minor = h.versionLen == 8 ? <i32>load<u8>(buf + <usize>(j + 7)) - 0x30 : 1;
    h.valid = h.methodLen > 0 && h.targetLen > 0 && h.versionLen == 8 && load<u32>(buf + <usize>j) == 0x50545448 &&
      load<u8>(buf + <usize>(j + 4)) == 0x2f && load<u8>(buf + <usize>(j + 5)) == 0x31 && load<u8>(buf + <usize>(j + 6)) == 0x2e &&
      isDigit(load<u8>(buf + <usize>(j + 7)));
    if (!h.valid && cut && h.methodLen > 0 && t < le) {
      // The request line did not fit: method and the start of the target, no version.
      h.target = t; h.targetLen = le - t; h.version = le; h.versionLen = 0; h.minor = 1;
      h.valid = true;
      for (let k = 0; k < h.methodLen; k++) { const c = load<u8>(buf + <usize>k); if (c < 0x41 || c > 0x5a) h.valid = false; }
    }
  }
  let p = e + 1;
  while (p < len) {
    const q = findByte(buf, p, len, 0x0a);
    let ql = q; if (ql > p && load<u8>(buf + <usize>(ql - 1)) == 0x0d) ql--;
    if (ql == p) break; // empty line: end of head
    // obs-fold (RFC 9112 §5.2): a line starting with SP/HTAB continues the previous value.
    const c0 = load<u8>(buf + <usize>p);
    if ((c0 == 0x20 || c0 == 0x09) && h.n > 0) {
      unchecked(h.valueLen[h.n - 1] = ql - unchecked(h.value[h.n - 1]));
      p = q + 1; continue;
    }
    const colon = findByte(buf, p, ql, 0x3a);
    if (colon == ql) { h.malformed = true; p = q + 1; continue; }
    if (h.n >= MAX_HEADERS) { h.dropped++; p = q + 1; continue; }
    let ne = colon; while (ne > p && (load<u8>(buf + <usize>(ne - 1)) == 0x20 || load<u8>(buf + <usize>(ne - 1)) == 0x09)) ne--;
    let vs = colon + 1; while (vs < ql && (load<u8>(buf + <usize>vs) == 0x20 || load<u8>(buf + <usize>vs) == 0x09)) vs++;
    let ve = ql; while (ve > vs && (load<u8>(buf + <usize>(ve - 1)) == 0x20 || load<u8>(buf + <usize>(ve - 1)) == 0x09)) ve--;
    unchecked(h.name[h.n] = p); unchecked(h.nameLen[h.n] = ne - p);
    unchecked(h.value[h.n] = vs); unchecked(h.valueLen[h.n] = ve - vs);
    h.n++;
    p = q + 1;
  }
  return true;
}
