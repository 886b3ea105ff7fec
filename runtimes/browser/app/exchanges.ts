/**
 * The HTTP worker's exchanges, as columns: a capture of five million packets holds over a
 * million exchanges, which as JS objects took most of the worker's memory (and the app once
 * stopped at 50,000 of them). A row is about 140 bytes here — numbers in typed arrays, the URL
 * as UTF-8 in an arena, repeated texts interned, the trace 16 bytes (tracetable.ts) — and the
 * builder (http.ts) holds only the exchanges still waiting for their response.
 */
import type { Exchange, ExchangeSink, ExchangeTiming } from '../../../src/exchanges.js';
import type { HttpRow, WaterfallRow } from './protocol.js';
import { TraceTable } from './tracetable.js';

/** Rows per chunk of every column (the columns grow a chunk at a time, never by copying). */
const CHUNK_SHIFT = 16;
const CHUNK = 1 << CHUNK_SHIFT;
/** Bytes per URL arena block. */
const ARENA_BLOCK = 4 << 20;
const NONE = 0xffffffff;

/** Small string ↔ number table (texts that repeat: methods, versions, hosts, status texts, notes). */
class Texts {
  readonly values: string[] = [''];
  readonly #ids = new Map<string, number>();
  id(s: string | undefined): number {
    if (s === undefined || s === '') return 0;
    let i = this.#ids.get(s);
    if (i === undefined) { i = this.values.length; this.values.push(s); this.#ids.set(s, i); }
    return i;
  }
  text(i: number): string | undefined { return i === 0 ? undefined : this.values[i]; }
  /** Bytes held, about: ~2 a character and ~80 for the array slot and map entry of each text. */
  get bytes(): number { let b = 0; for (const v of this.values) b += 2 * v.length + 80; return b; }
}

interface Chunk {
  reqTime: Float64Array; respTime: Float64Array; reqSize: Float64Array; respSize: Float64Array;
  reqNum: Uint32Array; respNum: Uint32Array; stream: Uint32Array; flow: Uint32Array; trace: Uint32Array;
  url: Uint32Array; /* block << 24 | nothing: see urlAt */ urlOff: Uint32Array; urlLen: Uint32Array;
  client: Uint32Array; server: Uint32Array; host: Uint32Array;
  method: Uint32Array; proto: Uint32Array; respProto: Uint32Array; note: Uint32Array;
  status: Uint16Array; statusText: Uint32Array; reqHead: Int32Array; respHead: Int32Array;
}

function newChunk(): Chunk {
  return {
    reqTime: new Float64Array(CHUNK), respTime: new Float64Array(CHUNK), reqSize: new Float64Array(CHUNK), respSize: new Float64Array(CHUNK),
    reqNum: new Uint32Array(CHUNK), respNum: new Uint32Array(CHUNK), stream: new Uint32Array(CHUNK), flow: new Uint32Array(CHUNK), trace: new Uint32Array(CHUNK),
    url: new Uint32Array(CHUNK), urlOff: new Uint32Array(CHUNK), urlLen: new Uint32Array(CHUNK),
    client: new Uint32Array(CHUNK), server: new Uint32Array(CHUNK), host: new Uint32Array(CHUNK),
    method: new Uint32Array(CHUNK), proto: new Uint32Array(CHUNK), respProto: new Uint32Array(CHUNK), note: new Uint32Array(CHUNK),
    status: new Uint16Array(CHUNK), statusText: new Uint32Array(CHUNK), reqHead: new Int32Array(CHUNK), respHead: new Int32Array(CHUNK),
  };
}

/**
 * An exchange's packet timing (Exchange.timing), as columns: allocated for a chunk only when one
 * of its exchanges has timing, 85 bytes a row. Times absolute in ms since the epoch, durations in
 * ms from them, all Float64 (Float32 would lose the microseconds past 16 s); NaN when unknown.
 */
interface TimingChunk {
  start: Float64Array; reqEnd: Float64Array; respStart: Float64Array; respEnd: Float64Array;
  syn: Float64Array; synAck: Float64Array; ack: Float64Array;
  reqBytes: Float64Array; respBytes: Float64Array;
  retransClient: Uint16Array; retransServer: Uint16Array; oooClient: Uint16Array; oooServer: Uint16Array; zeroClient: Uint16Array; zeroServer: Uint16Array;
  /** RESETS index of Exchange.timing.reset (0: none). */
  reset: Uint8Array;
}
const RESETS = [undefined, 'client', 'server', 'stream'] as const;
const U16 = (n: number) => Math.min(0xffff, Math.max(0, n));

function newTimingChunk(): TimingChunk {
  const f64 = () => new Float64Array(CHUNK).fill(NaN), u16 = () => new Uint16Array(CHUNK);
  return {
    start: f64(), reqEnd: f64(), respStart: f64(), respEnd: f64(), syn: f64(), synAck: f64(), ack: f64(), reqBytes: f64(), respBytes: f64(),
    retransClient: u16(), retransServer: u16(), oooClient: u16(), oooServer: u16(), zeroClient: u16(), zeroServer: u16(), reset: new Uint8Array(CHUNK),
  };
}

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Exchanges by id (request order), as columns. */
export class ExchangeTable implements ExchangeSink {
  readonly #chunks: Chunk[] = [];
  /** Timing columns per chunk (undefined until an exchange of the chunk has timing). */
  readonly #timing: Array<TimingChunk | undefined> = [];
  readonly #arena: Uint8Array[] = [];
  #arenaAt = ARENA_BLOCK;
  #count = 0;
  readonly #small = new Texts(); // methods, versions, notes
  readonly #hosts = new Texts();
  readonly #statusTexts = new Texts();
  readonly #endpoints = new Texts();
  readonly #flows = new Texts();
  readonly traces = new TraceTable();
  /** Cached sort orders, per key and direction; dropped when rows change. */
  #orders = new Map<string, Uint32Array>();

  /** Exchanges so far. */
  get count(): number { return this.#count; }

  /** Bytes held, by part (the memory account): columns, URL arena, interned texts, traces, cached sort orders. */
  bytes(): Record<string, number> {
    let columns = 0;
    for (const c of this.#chunks) for (const a of Object.values(c)) columns += (a as ArrayBufferView).byteLength;
    let timing = 0;
    for (const c of this.#timing) if (c) for (const a of Object.values(c)) timing += (a as ArrayBufferView).byteLength;
    let urls = 0;
    for (const a of this.#arena) urls += a.byteLength;
    let orders = 0;
    for (const o of this.#orders.values()) orders += o.byteLength;
    const texts = this.#small.bytes + this.#hosts.bytes + this.#statusTexts.bytes + this.#endpoints.bytes + this.#flows.bytes;
    return { exchangeColumns: columns, exchangeTimingColumns: timing, exchangeUrls: urls, exchangeTexts: texts, exchangeTraces: this.traces.bytes, exchangeSortOrders: orders };
  }

  /** A new exchange (ids are given in order: e.id is the row). */
  add(e: Exchange): void {
    if (e.id !== this.#count) throw new Error(`exchange ${e.id} added as row ${this.#count}`);
    if ((this.#count & (CHUNK - 1)) === 0) this.#chunks.push(newChunk());
    this.#count++;
    this.#write(e, true);
  }

  /** An exchange's later state (a response, a size, a note). */
  update(e: Exchange): void { this.#write(e, false); }

  #write(e: Exchange, fresh: boolean): void {
    const c = this.#chunks[e.id >>> CHUNK_SHIFT]!;
    const i = e.id & (CHUNK - 1);
    c.reqTime[i] = e.reqTime;
    c.respTime[i] = e.respTime ?? NaN;
    c.reqSize[i] = e.reqSize ?? NaN;
    c.respSize[i] = e.respSize ?? NaN;
    c.reqNum[i] = e.reqNum < 0 ? NONE : e.reqNum;
    c.respNum[i] = e.respNum === undefined ? NONE : e.respNum;
    c.stream[i] = e.stream ?? 0;
    c.flow[i] = this.#flows.id(e.flow);
    c.trace[i] = e.trace ? this.traces.id(e.trace) : 0;
    if (fresh || this.url(e.id) !== e.url) this.#putUrl(c, i, e.url);
    c.client[i] = this.#endpoints.id(e.client);
    c.server[i] = this.#endpoints.id(e.server);
    c.host[i] = this.#hosts.id(e.host);
    c.method[i] = this.#small.id(e.method); c.proto[i] = this.#small.id(e.proto); c.respProto[i] = this.#small.id(e.respProto); c.note[i] = this.#small.id(e.note);
    c.status[i] = e.status ?? 0;
    c.statusText[i] = this.#statusTexts.id(e.statusText);
    c.reqHead[i] = e.reqHeadersSize ?? -1;
    c.respHead[i] = e.respHeadersSize ?? -1;
    if (e.timing) this.#writeTiming(e.id, e.timing);
    this.#orders.clear();
  }

  #writeTiming(id: number, t: ExchangeTiming): void {
    const k = id >>> CHUNK_SHIFT, i = id & (CHUNK - 1);
    const c = (this.#timing[k] ??= newTimingChunk());
    c.start[i] = t.start;
    c.reqEnd[i] = t.requestEnd ?? NaN; c.respStart[i] = t.responseStart ?? NaN; c.respEnd[i] = t.responseEnd ?? NaN;
    c.syn[i] = t.connect?.syn ?? NaN; c.synAck[i] = t.connect?.synAck ?? NaN; c.ack[i] = t.connect?.ack ?? NaN;
    c.reqBytes[i] = t.requestBytes ?? NaN; c.respBytes[i] = t.responseBytes ?? NaN;
    c.retransClient[i] = U16(t.retransmissions.client); c.retransServer[i] = U16(t.retransmissions.server);
    c.oooClient[i] = U16(t.outOfOrder.client); c.oooServer[i] = U16(t.outOfOrder.server);
    c.zeroClient[i] = U16(t.zeroWindows.client); c.zeroServer[i] = U16(t.zeroWindows.server);
    c.reset[i] = Math.max(0, RESETS.indexOf(t.reset));
  }

  /** Whether exchange id has timing (no object made). */
  hasTiming(id: number): boolean { const c = this.#timing[id >>> CHUNK_SHIFT]; return c !== undefined && !Number.isNaN(c.start[id & (CHUNK - 1)]!); }

  /** Exchange id's timing, as the columns hold it (undefined: none). */
  timingOf(id: number): ExchangeTiming | undefined {
    const c = this.#timing[id >>> CHUNK_SHIFT], i = id & (CHUNK - 1);
    if (!c || Number.isNaN(c.start[i]!)) return undefined;
    const t: ExchangeTiming = {
      start: c.start[i]!, retransmissions: { client: c.retransClient[i]!, server: c.retransServer[i]! },
      outOfOrder: { client: c.oooClient[i]!, server: c.oooServer[i]! }, zeroWindows: { client: c.zeroClient[i]!, server: c.zeroServer[i]! },
    };
    const num = (v: number) => (Number.isNaN(v) ? undefined : v);
    const set = <K extends 'requestEnd' | 'responseStart' | 'responseEnd' | 'requestBytes' | 'responseBytes'>(key: K, v: number) => { const x = num(v); if (x !== undefined) t[key] = x; };
    set('requestEnd', c.reqEnd[i]!); set('responseStart', c.respStart[i]!); set('responseEnd', c.respEnd[i]!);
    set('requestBytes', c.reqBytes[i]!); set('responseBytes', c.respBytes[i]!);
    if (!Number.isNaN(c.syn[i]!)) {
      t.connect = { syn: c.syn[i]! };
      if (!Number.isNaN(c.synAck[i]!)) t.connect.synAck = c.synAck[i]!;
      if (!Number.isNaN(c.ack[i]!)) t.connect.ack = c.ack[i]!;
    }
    const r = RESETS[c.reset[i]!]; if (r) t.reset = r;
    return t;
  }

  /** Who reset exchange id ('client', 'server', 'stream'), from its timing or (HTTP/2) the builder's note; undefined when not reset. */
  resetOf(id: number): string | undefined {
    const c = this.#timing[id >>> CHUNK_SHIFT];
    const r = c ? RESETS[c.reset[id & (CHUNK - 1)]!] : undefined;
    if (r) return r;
    const note = this.#small.text(this.#chunks[id >>> CHUNK_SHIFT]!.note[id & (CHUNK - 1)]!);
    return note?.startsWith('stream reset') ? 'stream' : undefined;
  }

  /**
   * The bar of exchange id on the all-requests waterfall, absolute ms: from the SYN when the
   * exchange carries its connection's setup, else the request's first byte (its head's packet
   * when no timing), to the response's last byte (else its head; else the request's start).
   */
  extentOf(id: number): [number, number] {
    const c = this.#chunks[id >>> CHUNK_SHIFT]!, i = id & (CHUNK - 1);
    const t = this.#timing[id >>> CHUNK_SHIFT];
    if (t && !Number.isNaN(t.start[i]!)) {
      const s = t.start[i]!;
      const begin = Number.isNaN(t.syn[i]!) ? s : Math.min(s, t.syn[i]!);
      const off = [t.respEnd[i]!, t.respStart[i]!, t.reqEnd[i]!].find((v) => !Number.isNaN(v));
      const end = off !== undefined ? s + off : Number.isNaN(c.respTime[i]!) ? s : Math.max(s, c.respTime[i]!);
      return [begin, end];
    }
    const r = c.respTime[i]!;
    return [c.reqTime[i]!, Number.isNaN(r) ? c.reqTime[i]! : Math.max(c.reqTime[i]!, r)];
  }

  /** The waterfall's duration of exchange id (extentOf's length), or undefined when nothing ends it (no response, no timing). */
  durationOf(id: number): number | undefined {
    const [a, b] = this.extentOf(id);
    const c = this.#chunks[id >>> CHUNK_SHIFT]!, i = id & (CHUNK - 1);
    const t = this.#timing[id >>> CHUNK_SHIFT];
    const timed = t !== undefined && !Number.isNaN(t.start[i]!);
    if (!timed && (Number.isNaN(c.respTime[i]!) || c.method[i] === 0)) return undefined;
    return b - a;
  }

  /** Bytes of the response: the timing's (head and body) when known, else the body's. */
  sizeOf(id: number): number | undefined {
    const t = this.#timing[id >>> CHUNK_SHIFT], i = id & (CHUNK - 1);
    const v = t && !Number.isNaN(t.respBytes[i]!) ? t.respBytes[i]! : this.#chunks[id >>> CHUNK_SHIFT]!.respSize[i]!;
    return Number.isNaN(v) ? undefined : v;
  }

  /** The all-requests waterfall row of exchange id (phases in absolute ms). */
  waterfallRow(id: number): WaterfallRow {
    const c = this.#chunks[id >>> CHUNK_SHIFT]!, i = id & (CHUNK - 1);
    const [begin, end] = this.extentOf(id);
    const r: WaterfallRow = {
      id, reqTime: c.reqTime[i]!, proto: this.#small.text(c.proto[i]!) ?? '', method: this.#small.text(c.method[i]!) ?? '', url: this.url(id),
      flow: this.flowOf(id), reqNum: c.reqNum[i] === NONE ? -1 : c.reqNum[i]!, begin, end,
    };
    if (c.status[i]) r.status = c.status[i]!;
    if (c.respNum[i] !== NONE) r.respNum = c.respNum[i]!;
    const d = this.durationOf(id); if (d !== undefined) r.duration = d;
    const size = this.sizeOf(id); if (size !== undefined) r.size = size;
    const reset = this.resetOf(id); if (reset) r.reset = reset;
    const note = this.#small.text(c.note[i]!); if (note) r.note = note;
    const t = this.#timing[id >>> CHUNK_SHIFT];
    if (t && !Number.isNaN(t.start[i]!)) {
      const s = t.start[i]!;
      const at = (v: number) => (Number.isNaN(v) ? undefined : s + v);
      const reqEnd = at(t.reqEnd[i]!), respStart = at(t.respStart[i]!), respEnd = at(t.respEnd[i]!);
      const p: NonNullable<WaterfallRow['phases']> = {};
      const syn = t.syn[i]!;
      if (!Number.isNaN(syn)) { const ack = Number.isNaN(t.ack[i]!) ? t.synAck[i]! : t.ack[i]!; if (!Number.isNaN(ack)) p.connect = [syn, syn + ack]; }
      if (reqEnd !== undefined) p.send = [s, reqEnd];
      if (respStart !== undefined) p.wait = [reqEnd ?? s, respStart];
      if (respEnd !== undefined && respStart !== undefined) p.receive = [respStart, respEnd];
      r.phases = p;
      r.retransmissions = t.retransClient[i]! + t.retransServer[i]!;
    }
    return r;
  }

  #putUrl(c: Chunk, i: number, url: string): void {
    const bytes = enc.encode(url);
    if (this.#arenaAt + bytes.length > ARENA_BLOCK) { this.#arena.push(new Uint8Array(Math.max(ARENA_BLOCK, bytes.length))); this.#arenaAt = 0; }
    this.#arena[this.#arena.length - 1]!.set(bytes, this.#arenaAt);
    c.url[i] = this.#arena.length - 1; c.urlOff[i] = this.#arenaAt; c.urlLen[i] = bytes.length;
    this.#arenaAt += bytes.length;
  }

  #urlBytes(id: number): Uint8Array {
    const c = this.#chunks[id >>> CHUNK_SHIFT]!, i = id & (CHUNK - 1);
    return this.#arena[c.url[i]!]!.subarray(c.urlOff[i]!, c.urlOff[i]! + c.urlLen[i]!);
  }

  /** The exchange's URL. */
  url(id: number): string { return dec.decode(this.#urlBytes(id)); }

  /** Request and response packet numbers of exchange id (−1: not captured). */
  packets(id: number): [number, number] {
    const c = this.#chunks[id >>> CHUNK_SHIFT]!, i = id & (CHUNK - 1);
    return [c.reqNum[i] === NONE ? -1 : c.reqNum[i]!, c.respNum[i] === NONE ? -1 : c.respNum[i]!];
  }

  /** Trace id (this table's TraceTable) of exchange id, 0 for none. */
  traceOf(id: number): number { return this.#chunks[id >>> CHUNK_SHIFT]!.trace[id & (CHUNK - 1)]!; }

  /** The exchange's flow text. */
  flowOf(id: number): string { return this.#flows.values[this.#chunks[id >>> CHUNK_SHIFT]!.flow[id & (CHUNK - 1)]!] ?? ''; }

  /** The exchange's method ('' when the request was not captured), host (undefined: unknown) and status (0: none). */
  methodOf(id: number): string { return this.#small.text(this.#chunks[id >>> CHUNK_SHIFT]!.method[id & (CHUNK - 1)]!) ?? ''; }
  hostOf(id: number): string | undefined { return this.#hosts.text(this.#chunks[id >>> CHUNK_SHIFT]!.host[id & (CHUNK - 1)]!); }
  statusOf(id: number): number { return this.#chunks[id >>> CHUNK_SHIFT]!.status[id & (CHUNK - 1)]!; }

  /** Capture time of the request (ms). */
  reqTimeOf(id: number): number { return this.#chunks[id >>> CHUNK_SHIFT]!.reqTime[id & (CHUNK - 1)]!; }

  /** Latency in ms (respTime − reqTime, rounded to the µs), or undefined. */
  latencyOf(id: number): number | undefined {
    const c = this.#chunks[id >>> CHUNK_SHIFT]!, i = id & (CHUNK - 1);
    const m = c.method[i]!;
    const r = c.respTime[i]!;
    if (Number.isNaN(r) || m === 0) return undefined; // an exchange with no method knows nothing of its request
    return Math.max(0, Math.round((r - c.reqTime[i]!) * 1000) / 1000);
  }

  /** Exchange id as an Exchange (headers empty: the HAR export reads them from the records). */
  exchange(id: number): Exchange {
    const c = this.#chunks[id >>> CHUNK_SHIFT]!, i = id & (CHUNK - 1);
    const e: Exchange = {
      id, proto: this.#small.text(c.proto[i]!) ?? '', method: this.#small.text(c.method[i]!) ?? '', url: this.url(id),
      flow: this.flowOf(id), client: this.#endpoints.text(c.client[i]!) ?? '', server: this.#endpoints.text(c.server[i]!) ?? '',
      serverIp: hostPart(this.#endpoints.text(c.server[i]!) ?? ''),
      reqNum: c.reqNum[i] === NONE ? -1 : c.reqNum[i]!, reqTime: c.reqTime[i]!, reqHeaders: [], respHeaders: [], headersDropped: true,
    };
    const host = this.#hosts.text(c.host[i]!); if (host !== undefined) e.host = host;
    const respProto = this.#small.text(c.respProto[i]!); if (respProto !== undefined) e.respProto = respProto;
    const note = this.#small.text(c.note[i]!); if (note !== undefined) e.note = note;
    if (c.status[i]) { e.status = c.status[i]!; e.statusText = this.#statusTexts.text(c.statusText[i]!) ?? ''; }
    if (c.stream[i]) e.stream = c.stream[i]!;
    if (c.respNum[i] !== NONE) e.respNum = c.respNum[i]!;
    if (!Number.isNaN(c.respTime[i]!)) e.respTime = c.respTime[i]!;
    const lat = this.latencyOf(id); if (lat !== undefined) e.latency = lat;
    if (c.trace[i]) e.trace = this.traces.name(c.trace[i]!);
    const timing = this.timingOf(id); if (timing) e.timing = timing;
    if (!Number.isNaN(c.reqSize[i]!)) e.reqSize = c.reqSize[i]!;
    if (!Number.isNaN(c.respSize[i]!)) e.respSize = c.respSize[i]!;
    if (c.reqHead[i]! >= 0) e.reqHeadersSize = c.reqHead[i]!;
    if (c.respHead[i]! >= 0) e.respHeadersSize = c.respHead[i]!;
    return e;
  }

  /** The HTTP table row of exchange id. */
  row(id: number): HttpRow {
    const c = this.#chunks[id >>> CHUNK_SHIFT]!, i = id & (CHUNK - 1);
    const r: HttpRow = {
      id, proto: this.#small.text(c.proto[i]!) ?? '', method: this.#small.text(c.method[i]!) ?? '', url: this.url(id), reqTime: c.reqTime[i]!,
      flow: this.flowOf(id), reqNum: c.reqNum[i] === NONE ? -1 : c.reqNum[i]!, client: this.#endpoints.text(c.client[i]!) ?? '', server: this.#endpoints.text(c.server[i]!) ?? '',
    };
    if (c.status[i]) r.status = c.status[i]!;
    if (!Number.isNaN(c.respTime[i]!)) r.respTime = c.respTime[i]!;
    const lat = this.latencyOf(id); if (lat !== undefined) r.latency = lat;
    if (c.trace[i]) r.trace = this.traces.name(c.trace[i]!);
    if (c.respNum[i] !== NONE) r.respNum = c.respNum[i]!;
    return r;
  }

  /**
   * The ids of `ids` sorted by a row field (cached while the rows do not change); `ids` null
   * means every exchange. Missing values sort last either way.
   */
  sorted(key: string, desc: boolean, ids: Uint32Array | null, tag: string): Uint32Array {
    const k = `${key}:${desc}:${tag}`;
    let out = this.#orders.get(k);
    if (out) return out;
    out = ids ? ids.slice() : Uint32Array.from({ length: this.#count }, (_, i) => i);
    const num = this.#numeric(key);
    const cmp = num ? null : this.#comparator(key);
    if (num) {
      // Computed keys (duration, size) once per row, not per comparison: a million rows sort in
      // a fraction of a second. Missing values (NaN) last, ties in id order.
      const keys = new Float64Array(this.#count);
      for (const id of out) keys[id] = num(id) ?? NaN;
      const arr = Array.from(out);
      arr.sort((a, b) => { const x = keys[a]!, y = keys[b]!; const mx = Number.isNaN(x), my = Number.isNaN(y); return mx || my ? (mx === my ? a - b : mx ? 1 : -1) : x < y ? -1 : x > y ? 1 : a - b; });
      out = Uint32Array.from(arr);
      if (desc) { out.reverse(); this.#missingLast(out, key); }
    } else if (cmp) {
      const arr = Array.from(out);
      arr.sort((a, b) => { const x = cmp(a, b); return x === 0 ? a - b : x; });
      out = Uint32Array.from(arr);
      if (desc) { out.reverse(); this.#missingLast(out, key); }
    }
    if (this.#orders.size > 8) this.#orders.clear();
    this.#orders.set(k, out);
    return out;
  }

  // After a reverse, rows without the key (sorted last ascending) come first: put them back last.
  #missingLast(ids: Uint32Array, key: string): void {
    const missing = (id: number) => {
      const c = this.#chunks[id >>> CHUNK_SHIFT]!, i = id & (CHUNK - 1);
      if (key === 'status') return c.status[i] === 0;
      if (key === 'respTime') return Number.isNaN(c.respTime[i]!);
      if (key === 'latency') return this.latencyOf(id) === undefined;
      if (key === 'trace') return c.trace[i] === 0;
      if (key === 'duration') return this.durationOf(id) === undefined;
      if (key === 'size') return this.sizeOf(id) === undefined;
      return false;
    };
    const keep = Array.from(ids).filter((id) => !missing(id));
    const last = Array.from(ids).filter(missing).reverse();
    ids.set([...keep, ...last]);
  }

  #numeric(key: string): ((id: number) => number | undefined) | null {
    if (key === 'duration') return (id) => this.durationOf(id);
    if (key === 'size') return (id) => this.sizeOf(id);
    return null;
  }

  #comparator(key: string): ((a: number, b: number) => number) | null {
    const col = (f: (c: Chunk, i: number) => number, missing: (v: number) => boolean) => (a: number, b: number) => {
      const x = f(this.#chunks[a >>> CHUNK_SHIFT]!, a & (CHUNK - 1)), y = f(this.#chunks[b >>> CHUNK_SHIFT]!, b & (CHUNK - 1));
      const mx = missing(x), my = missing(y);
      if (mx || my) return mx === my ? 0 : mx ? 1 : -1;
      return x < y ? -1 : x > y ? 1 : 0;
    };
    const text = (f: (id: number) => string | Uint8Array) => (a: number, b: number) => {
      const x = f(a), y = f(b);
      if (typeof x === 'string') return x < (y as string) ? -1 : x > (y as string) ? 1 : 0;
      return compareBytes(x, y as Uint8Array);
    };
    switch (key) {
      case 'reqTime': return col((c, i) => c.reqTime[i]!, () => false);
      case 'respTime': return col((c, i) => c.respTime[i]!, Number.isNaN);
      case 'status': return col((c, i) => c.status[i]!, (v) => v === 0);
      case 'latency': return (a, b) => { const x = this.latencyOf(a), y = this.latencyOf(b); return x === y ? 0 : x === undefined ? 1 : y === undefined ? -1 : x - y; };
      case 'url': return text((id) => this.#urlBytes(id));
      case 'method': return text((id) => this.#small.text(this.#chunks[id >>> CHUNK_SHIFT]!.method[id & (CHUNK - 1)]!) ?? '');
      case 'proto': return text((id) => this.#small.text(this.#chunks[id >>> CHUNK_SHIFT]!.proto[id & (CHUNK - 1)]!) ?? '');
      case 'trace': return (a, b) => { const x = this.traceOf(a), y = this.traceOf(b); if (!x || !y) return x === y ? 0 : !x ? 1 : -1; const s = this.traces.short(x), t = this.traces.short(y); return s < t ? -1 : s > t ? 1 : 0; };
      default: return null;
    }
  }
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/** The address part of "ip:port" or "[v6]:port". */
function hostPart(ep: string): string {
  if (ep.startsWith('[')) return ep.slice(1, ep.indexOf(']'));
  const i = ep.lastIndexOf(':');
  return i < 0 ? ep : ep.slice(0, i);
}
