/**
 * The compact per-packet index of the app's worker: columns of typed arrays (about 75 bytes
 * per packet) filled from the core's record index entries (src/entry.ts). Strings that repeat
 * (addresses, flows, traces) are interned. Everything else about a packet is read from its
 * record in the store when needed.
 */
import { Entry, EntryNet, ENTRY_BYTES } from '../../../src/entry.js';

/** Protocol classes of the timeline and the row colours, by index. */
export const CLASSES = ['HTTP', 'TLS', 'DNS', 'TCP', 'UDP', 'ICMP', 'ARP', 'Other'] as const;
const C = { HTTP: 0, TLS: 1, DNS: 2, TCP: 3, UDP: 4, ICMP: 5, ARP: 6, OTHER: 7 };

// L4.flags.str as the core writes it (assembly/record/render.ts FLAG_STR): names joined with
// '|' in bit order FIN SYN RST PSH ACK URG ECE CWR, except the usual pairs written ACK last.
const FLAG_NAMES = ['FIN', 'SYN', 'RST', 'PSH', 'ACK', 'URG', 'ECE', 'CWR'];
const FLAG_TEXT: string[] = Array.from({ length: 256 }, (_, v) => FLAG_NAMES.filter((_n, i) => (v >> i) & 1).join('|'));
Object.assign(FLAG_TEXT, { 0x12: 'SYN|ACK', 0x06: 'SYN|RST', 0x18: 'PSH|ACK', 0x11: 'FIN|ACK', 0x14: 'RST|ACK', 0x30: 'URG|ACK', 0x1a: 'SYN|PSH|ACK', 0x15: 'FIN|RST|ACK' });
/** The record's `L4.flags.str` for a TCP flag byte. */
export function tcpFlagText(flags: number): string { return FLAG_TEXT[flags & 0xff]!; }

/** HTTP column value: the record has HTTP but no top-level `HTTP.code` (requests, HTTP/2 frames). */
export const NO_CODE = 0xffff;

/** Traces compared byte for byte before one is decoded and interned. */
const RECENT_TRACES = 8;

/** Most packets one capture may index (then loading stops with a clear message). */
export const MAX_PACKETS = 5_000_000;

class Grow<T extends Float64Array | Uint32Array | Uint16Array | Uint8Array> {
  a: T;
  constructor(private make: (n: number) => T) { this.a = make(1024); }
  ensure(n: number): void {
    if (n <= this.a.length) return;
    let cap = this.a.length;
    while (cap < n) cap *= 2;
    const b = this.make(cap);
    b.set(this.a as never);
    this.a = b;
  }
}

/** Interns strings to dense ids (0 is reserved for "none"). */
export class Interner {
  readonly values: string[] = [''];
  readonly #ids = new Map<string, number>();
  /** The id of s, added when new. */
  id(s: string): number {
    let i = this.#ids.get(s);
    if (i === undefined) { i = this.values.length; this.values.push(s); this.#ids.set(s, i); }
    return i;
  }
  /** The id of s, or 0 when never seen. */
  find(s: string): number { return this.#ids.get(s) ?? 0; }
}

/** Packet columns, one row per record, in record order. */
export class PacketIndex {
  count = 0;
  readonly recOff = new Grow((n) => new Float64Array(n));
  readonly recLen = new Grow((n) => new Uint32Array(n));
  readonly time = new Grow((n) => new Float64Array(n));
  readonly serial = new Grow((n) => new Float64Array(n));
  readonly fileOff = new Grow((n) => new Float64Array(n));
  readonly capLen = new Grow((n) => new Uint32Array(n));
  readonly origLen = new Grow((n) => new Uint32Array(n));
  readonly src = new Grow((n) => new Uint32Array(n));
  readonly dst = new Grow((n) => new Uint32Array(n));
  readonly sport = new Grow((n) => new Uint16Array(n));
  readonly dport = new Grow((n) => new Uint16Array(n));
  readonly proto = new Grow((n) => new Uint8Array(n));
  readonly flags = new Grow((n) => new Uint8Array(n));
  readonly error = new Grow((n) => new Uint8Array(n));
  readonly cls = new Grow((n) => new Uint8Array(n));
  readonly flow = new Grow((n) => new Uint32Array(n));
  readonly code = new Grow((n) => new Uint16Array(n));
  readonly trace = new Grow((n) => new Uint32Array(n));
  /** Packets carrying more than one trace (HTTP/2 frames of several streams): pos → trace ids. */
  readonly moreTraces = new Map<number, number[]>();
  readonly addrs = new Interner();
  readonly flows = new Interner();
  readonly traces = new Interner();
  readonly #v4 = new Map<number, number>();
  #bytes = 0;

  /** An empty index that takes at most `maxPackets` records. */
  constructor(readonly maxPackets: number = MAX_PACKETS) {}

  /** Bytes of NDJSON indexed so far (the store's size once appended). */
  get bytes(): number { return this.#bytes; }

  /**
   * Adds the records of one batch: `entries` from the core, `ndjson` their lines. `http(pos,
   * text)` receives the HTTP value text of records that have one, `v6(line)` names an IPv6
   * address pair the first time it is seen (the text the record uses).
   */
  add(entries: Uint8Array, n: number, ndjson: Uint8Array, onHttp: (pos: number, line: number, off: number, len: number) => void): void {
    // Past the limit, the records up to it are kept and the caller hears why the rest are not.
    const take = Math.min(n, this.maxPackets - this.count);
    const need = this.count + take;
    for (const col of [this.recOff, this.recLen, this.time, this.serial, this.fileOff, this.capLen, this.origLen, this.src, this.dst, this.sport, this.dport, this.proto, this.flags, this.error, this.cls, this.flow, this.code, this.trace]) col.ensure(need);
    const v = new DataView(entries.buffer, entries.byteOffset, n * ENTRY_BYTES);
    let line = 0;
    for (let i = 0; i < take; i++) {
      const e = i * ENTRY_BYTES;
      const pos = this.count++;
      const len = v.getUint32(e + Entry.RECORD_LEN, true);
      this.recOff.a[pos] = this.#bytes + line;
      this.recLen.a[pos] = len;
      this.time.a[pos] = v.getFloat64(e + Entry.SEC, true) * 1000 + v.getUint32(e + Entry.NSEC, true) / 1e6;
      this.serial.a[pos] = v.getFloat64(e + Entry.SERIAL, true);
      this.fileOff.a[pos] = v.getFloat64(e + Entry.FILE_OFFSET, true);
      this.capLen.a[pos] = v.getUint32(e + Entry.CAP_LEN, true);
      this.origLen.a[pos] = v.getUint32(e + Entry.ORIG_LEN, true);
      const net = v.getUint8(e + Entry.NET);
      const proto = v.getUint8(e + Entry.PROTO);
      const sp = v.getUint16(e + Entry.SPORT, true), dp = v.getUint16(e + Entry.DPORT, true);
      this.proto.a[pos] = proto;
      this.flags.a[pos] = v.getUint8(e + Entry.TCP_FLAGS);
      this.error.a[pos] = v.getUint8(e + Entry.ERROR);
      this.sport.a[pos] = sp; this.dport.a[pos] = dp;
      if (net === EntryNet.IPV4) {
        this.src.a[pos] = this.#v4id(v.getUint32(e + Entry.SRC, false));
        this.dst.a[pos] = this.#v4id(v.getUint32(e + Entry.DST, false));
      } else if (net === EntryNet.IPV6) {
        this.src.a[pos] = this.addrs.id(v6text(entries, e + Entry.SRC));
        this.dst.a[pos] = this.addrs.id(v6text(entries, e + Entry.DST));
      } else { this.src.a[pos] = 0; this.dst.a[pos] = 0; }
      const lo = v.getUint32(e + Entry.FLOW, true), hi = v.getUint32(e + Entry.FLOW + 4, true);
      this.flow.a[pos] = lo === 0 && hi === 0 ? 0 : this.#flowId(hi, lo);
      const httpLen = v.getUint32(e + Entry.HTTP_LEN, true);
      const traceLen = v.getUint32(e + Entry.TRACE_LEN, true);
      this.code.a[pos] = 0;
      this.trace.a[pos] = traceLen ? this.#traceId(ndjson, line + v.getUint32(e + Entry.TRACE_OFF, true), traceLen) : 0;
      let cls = C.OTHER;
      if (httpLen) cls = C.HTTP;
      else if (net === EntryNet.ARP) cls = C.ARP;
      else if (proto === 1 || proto === 58) cls = C.ICMP;
      else if ((proto === 17 || proto === 6) && (sp === 53 || dp === 53 || sp === 5353 || dp === 5353)) cls = C.DNS;
      else if (proto === 6 && (sp === 443 || dp === 443)) cls = C.TLS;
      else if (proto === 6) cls = C.TCP;
      else if (proto === 17) cls = C.UDP;
      this.cls.a[pos] = cls;
      if (httpLen) onHttp(pos, line, v.getUint32(e + Entry.HTTP_OFF, true), httpLen);
      line += len;
    }
    this.#bytes += line;
    if (take < n) throw new RangeError(`the capture has more than ${this.maxPackets.toLocaleString('en')} packets, the most one tab indexes (MAX_PACKETS); the first ${this.maxPackets.toLocaleString('en')} are shown`);
  }

  // Flow ids by their two 32-bit halves: no BigInt or string per packet, only per new flow.
  readonly #flowIds = new Map<number, Map<number, number>>();
  #flowId(hi: number, lo: number): number {
    let m = this.#flowIds.get(hi);
    if (!m) { m = new Map(); this.#flowIds.set(hi, m); }
    let id = m.get(lo);
    if (id === undefined) { id = this.flows.id(((BigInt(hi) << 32n) | BigInt(lo)).toString()); m.set(lo, id); }
    return id;
  }

  // The packets of an exchange carry the same trace one after another: compare the bytes with
  // the last few traces seen before decoding them.
  readonly #recent: Array<{ bytes: Uint8Array; id: number }> = [];
  #traceId(b: Uint8Array, off: number, len: number): number {
    for (const r of this.#recent) {
      if (r.bytes.length !== len) continue;
      let i = len - 1; // trace ids differ at the end first
      while (i >= 0 && r.bytes[i] === b[off + i]) i--;
      if (i < 0) return r.id;
    }
    const bytes = b.slice(off, off + len);
    const id = this.traces.id(utf8(b, off, len));
    this.#recent.unshift({ bytes, id });
    if (this.#recent.length > RECENT_TRACES) this.#recent.pop();
    return id;
  }

  #v4id(a: number): number {
    let id = this.#v4.get(a);
    if (id === undefined) { id = this.addrs.id(`${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`); this.#v4.set(a, id); }
    return id;
  }
}

const dec = new TextDecoder();
/** UTF-8 text of bytes [off, off + len) of b. */
export function utf8(b: Uint8Array, off: number, len: number): string { return dec.decode(b.subarray(off, off + len)); }

// RFC 5952 text of a 16-byte address (Go's net.IP form: IPv4-mapped addresses as dotted quads).
function v6text(b: Uint8Array, at: number): string {
  const p = b.subarray(at, at + 16);
  let mapped = true;
  for (let i = 0; i < 10; i++) if (p[i] !== 0) mapped = false;
  if (mapped && p[10] === 0xff && p[11] === 0xff) return `${p[12]}.${p[13]}.${p[14]}.${p[15]}`;
  const w: number[] = [];
  for (let i = 0; i < 16; i += 2) w.push((p[i]! << 8) | p[i + 1]!);
  let best = -1, bestLen = 1, cur = -1, curLen = 0;
  for (let i = 0; i < 8; i++) {
    if (w[i] === 0) { if (cur < 0) { cur = i; curLen = 0; } curLen++; if (curLen > bestLen) { best = cur; bestLen = curLen; } }
    else cur = -1;
  }
  const hex = w.map((x) => x.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}
