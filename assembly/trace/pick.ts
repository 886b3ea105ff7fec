// The choice of the trace a record carries at its top level (reference §4.3): the exchange of the
// head in the segment, of the stream, of the bytes acknowledged, or none.

import { Conn, Mode, ex } from "../flow/conn";
import { S } from "../facts/packet";
import { isServer } from "../flow/roles";

/**
 * Ends the analysis of a segment: the facts the record's HTTP and TLS objects are rendered from,
 * and the trace the record carries at top level (S.traceEx, S.top*).
 */
export function pickTrace(c: Conn, dir: i32, ack: u32, plen: i32, syn: bool): void {
  if (S.rendered) requestFacts();
  // HTTP/2 frames carry their own trace keys; a preface-only segment has no message (reference §6.1 step 6).
  if (c.mode == Mode.HTTP2 && !S.rendered) { S.h2Object = true; S.traceInFrames = true; if (S.h2Frames == 0 && S.h2Preface) S.hasMessage = false; }
  if (c.mode == Mode.TLS) {
    S.tlsObject = true;
    // The hello shown goes back to its pool at the next packet.
    if (S.tlsN > 0 || S.helloClient || S.helloServer || S.helloWhy != 0) S.helloRelease = true;
    return;
  }
  choose(c, dir, ack, plen, syn);
  if (S.traceEx >= 0) {
    const t = ex(S.traceEx).trace;
    S.topValid = true; S.topHasSpan = t.hasSpan; S.topSampled = t.sampled; S.topSpan = t.span;
    S.topTraceBuf = t.traceBuf; S.topTraceLen = t.traceLen;
  }
}

// The request a rendered response answers, as its exchange holds it now.
@inline function requestFacts(): void {
  S.reqKnown = S.renderEx >= 0 && ex(S.renderEx).hasReq;
  if (!S.reqKnown) return;
  const e = ex(S.renderEx);
  S.reqTsSec = e.tsSec; S.reqTsNsec = e.tsNsec; S.reqWhy = <i32>e.why;
  S.reqMethod = e.method; S.reqMethodLen = e.methodLen; S.reqUrl = e.url; S.reqUrlLen = e.urlLen;
}

// The exchange whose trace the record carries at top level: of the head in the segment, of the
// stream, of the bytes acknowledged, or none.
function choose(c: Conn, dir: i32, ack: u32, plen: i32, syn: bool): void {
  if (c.untracked || syn) return;
  // An HTTP/1 head in this segment (also the 101 that switches a connection to HTTP/2).
  if (S.rendered) { if (S.renderEx >= 0 && ex(S.renderEx).trace.valid) S.traceEx = S.renderEx; return; }
  if (c.mode == Mode.HTTP2) {
    // Segments entirely inside one frame's payload carry that stream's trace at top level.
    if (S.h2Frames == 0 && S.h2LastStream != 0) { const i = c.findStream(S.h2LastStream); if (i >= 0 && ex(i).trace.valid) { S.traceEx = i; S.traceInFrames = false; } }
    return;
  }
  let i: i32 = -1;
  if (S.rendered) i = S.renderEx;
  else if (c.mode == Mode.HTTP1 || c.mode == Mode.UNKNOWN || c.mode == Mode.OPAQUE) {
    const server = isServer(c, dir);
    if (c.client < 0) return;
    const d = unchecked(c.d[dir]);
    if (plen > 0 && d.known) i = c.findByOffset(server, S.segFirst);
    else {
      // No payload: the acknowledged bytes of the other direction tell the exchange.
      const o = unchecked(c.d[1 - dir]);
      // The other side's data bytes acknowledged (its FIN takes a sequence number, no byte).
      let acked: u32 = o.known ? o.off(ack) : 0;
      const dataEnd = o.known ? o.off(o.next) - (o.fin ? 1 : 0) : 0;
      if (<i32>(acked - dataEnd) > 0) acked = dataEnd;
      if (o.known && <i32>acked > 0) i = c.findByOffset(!server, acked - 1);
      // Nothing of the other side acknowledged yet (e.g. a FIN before any response): the last
      // byte this side sent tells it. (When the acknowledged bytes belong to no exchange kept —
      // one reclaimed, or bytes never paired — this side's last request is not theirs: none.)
      else if (d.known && d.off(S.segSeq) > 0) i = c.findByOffset(server, d.off(S.segSeq) - 1);
    }
  }
  if (i >= 0 && ex(i).trace.valid) S.traceEx = i;
}

