// The choice of the trace a record carries at its top level (reference §4.3): the exchange of the
// head in the segment, of the stream, of the bytes acknowledged, or none.

import { Conn, Mode, ex } from "../flow/conn";
import * as E from "../record/entry";
import { frag, w, b, raw, pos } from "../json/writer";
import { Opt, optEscPtr, optEscLength } from "../record/options";
import { S } from "../record/state";
import { K_TRACES } from "../http/h2exchange";
import { finishH1 } from "../json/http1";
import { finishH2, hex16 } from "../json/http2";
import { finishTls } from "../json/tls";
import { isServer } from "../flow/track";

export function pickTrace(c: Conn, dir: i32, ack: u32, plen: i32, syn: bool): void {
  if (S.rendered) finishH1();
  if (c.mode == Mode.HTTP2 && !S.rendered) { finishH2(); S.traceInFrames = true; }
  if (c.mode == Mode.TLS) { finishTls(); return; }
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

/** Writes the top-level trace keys of S.traceEx (spanId, trace, trace_sampled), each followed by a comma. */
export function writeTopTrace(): void {
  if (S.traceEx < 0) return;
  const e = ex(S.traceEx);
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
