/**
 * The HTTP worker's exchanges, as columns: a capture of five million packets holds over a
 * million exchanges, which as JS objects took most of the worker's memory (and the app once
 * stopped at 50,000 of them). A row is about 140 bytes here — numbers in typed arrays, the URL
 * as UTF-8 in an arena, repeated texts interned, the trace 16 bytes (tracetable.ts) — and the
 * builder (http.ts) holds only the exchanges still waiting for their response.
 */
import type { Exchange, ExchangeSink } from '../../../src/exchanges.js';
import type { HttpRow } from './protocol.js';
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

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Exchanges by id (request order), as columns. */
export class ExchangeTable implements ExchangeSink {
  readonly #chunks: Chunk[] = [];
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
    let urls = 0;
    for (const a of this.#arena) urls += a.byteLength;
    let orders = 0;
    for (const o of this.#orders.values()) orders += o.byteLength;
    const texts = this.#small.bytes + this.#hosts.bytes + this.#statusTexts.bytes + this.#endpoints.bytes + this.#flows.bytes;
    return { exchangeColumns: columns, exchangeUrls: urls, exchangeTexts: texts, exchangeTraces: this.traces.bytes, exchangeSortOrders: orders };
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
    this.#orders.clear();
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
    const cmp = this.#comparator(key);
    if (cmp) {
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
      return false;
    };
    const keep = Array.from(ids).filter((id) => !missing(id));
    const last = Array.from(ids).filter(missing).reverse();
    ids.set([...keep, ...last]);
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
