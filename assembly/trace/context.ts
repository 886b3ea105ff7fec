// Trace context from request headers: W3C Trace Context `traceparent` (W3C REC §3.2) and
// Google's `X-Cloud-Trace-Context: TRACE_ID/SPAN_ID;o=OPTIONS`. Stateless: parse a header
// value, fill a TraceRepr. Cloud Logging wants `spanId` as 16 lowercase hex digits, so the
// decimal span of X-Cloud-Trace-Context is converted (pcap-sidecar copies it as decimal).

/** Longest trace id kept (Cloud Trace ids are 32 hex digits). */
export const MAX_TRACE_ID: i32 = 64;

/** A parsed trace context. */
export class TraceRepr {
  /** A valid header was found. */
  valid: bool = false;
  /** Trace id, lowercase hex, in traceBuf[0..traceLen). */
  traceLen: i32 = 0;
  traceBuf: usize = heap.alloc(<usize>MAX_TRACE_ID);
  /** Span id as a 64-bit value (rendered as 16 hex digits); hasSpan false when absent. */
  span: u64 = 0;
  hasSpan: bool = false;
  /** Sampling decision from the header. */
  sampled: bool = false;

  /** Forget the context. */
  clear(): void { this.valid = false; this.traceLen = 0; this.hasSpan = false; this.sampled = false; this.span = 0; }

  /** Copies another context. */
  copyFrom(o: TraceRepr): void {
    this.valid = o.valid; this.traceLen = o.traceLen; this.span = o.span; this.hasSpan = o.hasSpan; this.sampled = o.sampled;
    memory.copy(this.traceBuf, o.traceBuf, <usize>o.traceLen);
  }
}

/** A scratch context for the parsers (a header value parsed before it is known to be kept). */
export const trace2 = new TraceRepr();

@inline function hexVal(c: u32): i32 {
  if (c >= 0x30 && c <= 0x39) return <i32>(c - 0x30);
  c |= 0x20;
  if (c >= 0x61 && c <= 0x66) return <i32>(c - 0x57);
  return -1;
}

// Trims optional whitespace (RFC 9110 §5.5 OWS) from both ends of [p, p+len); result in trimP/trimLen.
let trimP: usize = 0;
let trimLen: i32 = 0;
function trim(p: usize, len: i32): void {
  while (len > 0 && (load<u8>(p) == 0x20 || load<u8>(p) == 0x09)) { p++; len--; }
  while (len > 0 && (load<u8>(p + <usize>(len - 1)) == 0x20 || load<u8>(p + <usize>(len - 1)) == 0x09)) len--;
  trimP = p; trimLen = len;
}

/**
 * Parses a `traceparent` value: version "-" trace-id "-" parent-id "-" flags, all lowercase
 * hex (uppercase accepted), version ff and all-zero ids invalid (W3C Trace Context §3.2.2).
 * Versions above 00 may append fields after the flags (§3.2.4), which are ignored.
 */
export function parseTraceparent(p0: usize, len0: i32, r: TraceRepr): bool {
  r.clear();
  trim(p0, len0);
  const p = trimP, len = trimLen;
  if (len < 55) return false;
  if (load<u8>(p + 2) != 0x2d || load<u8>(p + 35) != 0x2d || load<u8>(p + 52) != 0x2d) return false;
  const v0 = hexVal(load<u8>(p)), v1 = hexVal(load<u8>(p + 1));
  if (v0 < 0 || v1 < 0 || (v0 == 15 && v1 == 15)) return false;
  if (v0 == 0 && v1 == 0 && len != 55) return false;
  if (len > 55 && load<u8>(p + 55) != 0x2d) return false;
  let nz = false;
  for (let i = 0; i < 32; i++) {
    const h = hexVal(load<u8>(p + 3 + i));
    if (h < 0) return false;
    if (h != 0) nz = true;
    store<u8>(r.traceBuf + i, <u8>(h < 10 ? 0x30 + h : 0x57 + h));
  }
  if (!nz) return false;
  let span: u64 = 0;
  for (let i = 0; i < 16; i++) {
    const h = hexVal(load<u8>(p + 36 + i));
    if (h < 0) return false;
    span = (span << 4) | <u64>h;
  }
  if (span == 0) return false;
  const f0 = hexVal(load<u8>(p + 53)), f1 = hexVal(load<u8>(p + 54));
  if (f0 < 0 || f1 < 0) return false;
  r.traceLen = 32; r.span = span; r.hasSpan = true;
  r.sampled = (f1 & 1) != 0; // trace-flags bit 0: sampled (§3.2.2.5)
  r.valid = true;
  return true;
}

/**
 * Parses `X-Cloud-Trace-Context: TRACE_ID[/SPAN_ID][;o=OPTIONS]`: TRACE_ID 32 hex digits,
 * SPAN_ID an unsigned decimal 64-bit number, o=1 means sampled. A span that is not a decimal
 * u64 leaves the trace valid but without a span.
 */
export function parseCloudTrace(p0: usize, len0: i32, r: TraceRepr): bool {
  r.clear();
  trim(p0, len0);
  const p = trimP, len = trimLen;
  let i = 0;
  while (i < len && load<u8>(p + <usize>i) != 0x2f && load<u8>(p + <usize>i) != 0x3b) {
    const h = hexVal(load<u8>(p + <usize>i));
    if (h < 0 || i >= MAX_TRACE_ID) return false;
    store<u8>(r.traceBuf + <usize>i, <u8>(h < 10 ? 0x30 + h : 0x57 + h));
    i++;
  }
  // Cloud Trace ids are 32 hex digits (a trace id of another length cannot join a trace).
  if (i != 32) return false;
  r.traceLen = i;
  if (i < len && load<u8>(p + <usize>i) == 0x2f) {
    i++;
    let span: u64 = 0, digits = 0, ok = true;
    while (i < len && load<u8>(p + <usize>i) != 0x3b) {
      const c = <u32>load<u8>(p + <usize>i);
      if (c < 0x30 || c > 0x39) ok = false;
      else {
        const d = <u64>(c - 0x30);
        if (span > (u64.MAX_VALUE - d) / 10) ok = false;
        span = span * 10 + d;
      }
      digits++; i++;
    }
    if (ok && digits > 0) { r.span = span; r.hasSpan = true; }
  }
  // Options: ";o=1" (bit 0 of a decimal number: sampled).
  while (i < len) {
    if (load<u8>(p + <usize>i) == 0x3b && i + 2 < len && (load<u8>(p + <usize>(i + 1)) | 0x20) == 0x6f && load<u8>(p + <usize>(i + 2)) == 0x3d) {
      let o: u32 = 0; let j = i + 3;
      while (j < len && load<u8>(p + <usize>j) >= 0x30 && load<u8>(p + <usize>j) <= 0x39 && o < 1000) { o = o * 10 + <u32>(load<u8>(p + <usize>j) - 0x30); j++; }
      r.sampled = (o & 1) != 0;
      break;
    }
    i++;
  }
  r.valid = true;
  return true;
}
