// The exchange timings the current packet's record shows (README "Output", `timing`): what the
// analysis (flow/timing.ts) measured of an HTTP/1 exchange or HTTP/2 stream that ended in this
// packet — or of a TLS handshake that completed in it — copied here so that json/timing.ts can
// render it without reading the analysis' state. Slot 0 is the record's top-level `timing`
// (HTTP/1, TLS); HTTP/2 frames name theirs by index. At most MAX_TIMINGS per packet.
// Times are capture times in nanoseconds (seconds·10⁹ + nanoseconds); 0 or -1 where unknown.

import { MAX_TIMINGS } from "../config";

/** What a slot describes. */
export const enum TimingKind { EXCHANGE = 0, TLS = 1 }

/** Slots in use for this packet (the analysis resets it per packet). */
export let timingN: i32 = 0;
/** The slot of the record's top-level `timing` (-1: none). */
export let timingTop: i32 = -1;

export const tKind = new StaticArray<u8>(MAX_TIMINGS);
/** The request's first byte (start), its last; the response's first and last (0: not seen). */
export const tReqFirst = new StaticArray<i64>(MAX_TIMINGS);
export const tReqLast = new StaticArray<i64>(MAX_TIMINGS);
export const tResFirst = new StaticArray<i64>(MAX_TIMINGS);
export const tResLast = new StaticArray<i64>(MAX_TIMINGS);
/** Bytes of the request and of the response (-1: not counted). */
export const tReqBytes = new StaticArray<i64>(MAX_TIMINGS);
export const tResBytes = new StaticArray<i64>(MAX_TIMINGS);
/** The connection's SYN, SYN/ACK and handshake ACK (0: not seen; SYN 0: no `connect`). */
export const tSyn = new StaticArray<i64>(MAX_TIMINGS);
export const tSynAck = new StaticArray<i64>(MAX_TIMINGS);
export const tAck = new StaticArray<i64>(MAX_TIMINGS);
/** TLS: the ClientHello's first byte and the client's first application-data record (0: none). */
export const tTlsStart = new StaticArray<i64>(MAX_TIMINGS);
export const tTlsEnd = new StaticArray<i64>(MAX_TIMINGS);
/** Segments the client / the server sent during the exchange: retransmitted, out of order, advertising a zero window. */
export const tRetrC = new StaticArray<u32>(MAX_TIMINGS);
export const tRetrS = new StaticArray<u32>(MAX_TIMINGS);
export const tOooC = new StaticArray<u32>(MAX_TIMINGS);
export const tOooS = new StaticArray<u32>(MAX_TIMINGS);
export const tZwC = new StaticArray<u32>(MAX_TIMINGS);
export const tZwS = new StaticArray<u32>(MAX_TIMINGS);
/** Who reset the connection by then: 0 nobody, 1 the client, 2 the server. */
export const tReset = new StaticArray<u8>(MAX_TIMINGS);

/** Empties the table (a new packet). */
@inline export function timingReset(): void { timingN = 0; timingTop = -1; }
/** Takes a slot (-1 when the packet's MAX_TIMINGS are used). */
export function timingTake(): i32 { if (timingN >= MAX_TIMINGS) return -1; return timingN++; }
/** Makes slot i the record's top-level `timing`. */
@inline export function timingSetTop(i: i32): void { timingTop = i; }
