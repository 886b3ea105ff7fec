/**
 * The app worker's per-packet index (segments.ts): filled from the core's record index entries
 * (src/entry.ts) and the records' message texts while a capture loads. Addresses are interned
 * (few), traces go to a TraceTable (16 bytes each), flows stay two 32-bit numbers; everything
 * else about a packet is rendered again from the capture when needed (render.ts).
 */
import { Entry, EntryNet, ENTRY_BYTES } from '../../../src/entry.js';
import { SegmentBuilder, SegmentStore, SEGMENT_PACKETS, SEGMENT_SHIFT, METHODS, OTHER_METHOD, type Segment, type Extra } from './segments.js';
import { TraceTable } from './tracetable.js';
import { recordFacts, tcpSeq, RetransmissionTracker, RETRANSMISSION } from './connfacts.js';

/** Protocol classes of the timeline and the row colours, by index. */
export const CLASSES = ['HTTP', 'HTTP/2', 'TLS', 'DNS', 'TCP', 'UDP', 'ICMP', 'ARP', 'Other'] as const;
/** Class numbers of CLASSES. */
export const C = { HTTP: 0, HTTP2: 1, TLS: 2, DNS: 3, TCP: 4, UDP: 5, ICMP: 6, ARP: 7, OTHER: 8 } as const;

// L4.flags.str as the core writes it (assembly/record/render.ts FLAG_STR): names joined with
// '|' in bit order FIN SYN RST PSH ACK URG ECE CWR, except the usual pairs written ACK last.
const FLAG_NAMES = ['FIN', 'SYN', 'RST', 'PSH', 'ACK', 'URG', 'ECE', 'CWR'];
const FLAG_TEXT: string[] = Array.from({ length: 256 }, (_, v) => FLAG_NAMES.filter((_n, i) => (v >> i) & 1).join('|'));
Object.assign(FLAG_TEXT, { 0x12: 'SYN|ACK', 0x06: 'SYN|RST', 0x18: 'PSH|ACK', 0x11: 'FIN|ACK', 0x14: 'RST|ACK', 0x30: 'URG|ACK', 0x1a: 'SYN|PSH|ACK', 0x15: 'FIN|RST|ACK' });
/** The record's `L4.flags.str` for a TCP flag byte. */
export function tcpFlagText(flags: number): string { return FLAG_TEXT[flags & 0xff]!; }

/** `code` column value: the record has HTTP but no status (requests, HTTP/2 frames without a response). */
export const NO_CODE = 0xffff;

/** Traces compared byte for byte before one is decoded and interned. */
const RECENT_TRACES = 8;

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

/** A full segment whose HTTP answers are still on their way (answered in order: `after` batches). */
interface Pending { seg: SegmentBuilder; index: number; after: number }

/** Packet columns in segments, in record order; the last segments in memory while they fill. */
export class PacketIndex {
  count = 0;
  readonly addrs = new Interner();
  readonly traces = new TraceTable();
  #builder = new SegmentBuilder();
  readonly #pending: Pending[] = [];
  readonly #v4 = new Map<number, number>();
  /** Why indexing stopped (a limit), or null. */
  stopped: string | null = null;
  /** A bit per class of CLASSES seen in the capture. */
  classes = 0;
  /** The TCP connections whose sequence numbers are followed (the `analysis` column). */
  readonly retransmissions = new RetransmissionTracker();

  constructor(readonly store: SegmentStore) {}

  /** Segments so far (sealed, pending and the one filling). */
  get segments(): number { return (this.count + SEGMENT_PACKETS - 1) >> SEGMENT_SHIFT; }

  /** Segment k (sealed ones from the store; the last ones as they fill). */
  segment(k: number): Segment {
    if (k === this.count >> SEGMENT_SHIFT && this.#builder.n > 0 && !this.#builder.full) return this.#builder;
    for (const p of this.#pending) if (p.index === k) return p.seg;
    return this.store.get(k);
  }

  /** The segment holding position pos, and pos's index within it. */
  at(pos: number): [Segment, number] { return [this.segment(pos >> SEGMENT_SHIFT), pos & (SEGMENT_PACKETS - 1)]; }

  /**
   * Adds the records of one batch: `entries` from the core, `ndjson` their lines. `onHttp(pos,
   * seg, k, at, len)` receives the HTTP value of the records that have one ([at, at + len) of
   * ndjson; the packet is index k of seg). Returns how many were added (fewer when a limit
   * stopped the index: `stopped` says why).
   */
  add(entries: Uint8Array, n: number, ndjson: Uint8Array, onHttp: (pos: number, seg: Segment, k: number, at: number, len: number, tAt: number, tLen: number) => void): number {
    const v = new DataView(entries.buffer, entries.byteOffset, n * ENTRY_BYTES);
    let line = 0;
    for (let i = 0; i < n; i++) {
      if (this.stopped !== null) return i;
      const e = i * ENTRY_BYTES;
      const len = v.getUint32(e + Entry.RECORD_LEN, true);
      const b = this.#builder;
      const k = b.n;
      const pos = this.count;
      b.time[k] = v.getFloat64(e + Entry.SEC, true) * 1000 + v.getUint32(e + Entry.NSEC, true) / 1e6;
      b.fileOff[k] = v.getFloat64(e + Entry.FILE_OFFSET, true);
      b.capLen[k] = v.getUint32(e + Entry.CAP_LEN, true);
      b.origLen[k] = v.getUint32(e + Entry.ORIG_LEN, true);
      const net = v.getUint8(e + Entry.NET);
      const proto = v.getUint8(e + Entry.PROTO);
      const sp = v.getUint16(e + Entry.SPORT, true), dp = v.getUint16(e + Entry.DPORT, true);
      b.proto[k] = proto;
      b.flags[k] = v.getUint8(e + Entry.TCP_FLAGS);
      b.error[k] = v.getUint8(e + Entry.ERROR);
      b.part[k] = v.getUint8(e + Entry.PART);
      b.sport[k] = sp; b.dport[k] = dp;
      b.file[k] = v.getUint16(e + Entry.FILE, true);
      if (net === EntryNet.IPV4) {
        b.src[k] = this.#v4id(v.getUint32(e + Entry.SRC, false));
        b.dst[k] = this.#v4id(v.getUint32(e + Entry.DST, false));
      } else if (net === EntryNet.IPV6) {
        b.src[k] = this.addrs.id(v6text(entries, e + Entry.SRC));
        b.dst[k] = this.addrs.id(v6text(entries, e + Entry.DST));
      } else { b.src[k] = 0; b.dst[k] = 0; }
      b.flowLo[k] = v.getUint32(e + Entry.FLOW, true);
      b.flowHi[k] = v.getUint32(e + Entry.FLOW + 4, true);
      const httpLen = v.getUint32(e + Entry.HTTP_LEN, true);
      const traceLen = v.getUint32(e + Entry.TRACE_LEN, true);
      b.code[k] = httpLen ? NO_CODE : 0;
      b.method[k] = 0;
      b.trace[k] = traceLen ? this.#traceId(ndjson, line + v.getUint32(e + Entry.TRACE_OFF, true), traceLen) : 0;
      const msgLen = v.getUint32(e + Entry.MESSAGE_LEN, true);
      if (msgLen) b.addMessage(ndjson, line + v.getUint32(e + Entry.MESSAGE_OFF, true), msgLen);
      b.msgEnd[k] = b.msgBytes;
      let cls: number = C.OTHER;
      if (httpLen) cls = C.HTTP;
      else if (net === EntryNet.ARP) cls = C.ARP;
      else if (proto === 1 || proto === 58) cls = C.ICMP;
      else if ((proto === 17 || proto === 6) && (sp === 53 || dp === 53 || sp === 5353 || dp === 5353)) cls = C.DNS;
      else if (proto === 6 && (sp === 443 || dp === 443)) cls = C.TLS;
      else if (proto === 6) cls = C.TCP;
      else if (proto === 17) cls = C.UDP;
      b.cls[k] = cls;
      this.classes |= 1 << cls;
      b.analysis[k] = 0;
      if (proto === 6 || proto === 17) this.#connFacts(b, k, ndjson, line, len, proto, httpLen ? line + v.getUint32(e + Entry.HTTP_OFF, true) + httpLen : line);
      // The app filters nothing out: record i is packet i (its pcap.num), which every view relies on.
      if (v.getFloat64(e + Entry.SERIAL, true) !== pos) { this.stopped = `packet ${pos} came with the number ${v.getFloat64(e + Entry.SERIAL, true)} (a bug in tracecap: the index stops there)`; return i; }
      b.n++;
      this.count++;
      // A record with an HTTP object, or with the `timing` of an exchange that ended in it (often a
      // body segment or a FIN with no HTTP object): the HTTP worker pairs the one and joins the other.
      const timingLen = v.getUint32(e + Entry.TIMING_LEN, true);
      if (httpLen || timingLen) onHttp(pos, b, k, line + v.getUint32(e + Entry.HTTP_OFF, true), httpLen, line + v.getUint32(e + Entry.TIMING_OFF, true), timingLen);
      line += len;
      if (b.full) {
        this.#pending.push({ seg: b, index: (this.count - 1) >> SEGMENT_SHIFT, after: Infinity });
        this.#builder = new SegmentBuilder();
      }
    }
    return n;
  }

  // The record's TLS names, DNS answers and (TCP) whether it retransmits: for the connection list.
  #connFacts(b: SegmentBuilder, k: number, ndjson: Uint8Array, line: number, len: number, proto: number, afterHttp: number): void {
    let payload = proto === 17;
    let tlsFrom = afterHttp;
    if (proto === 6) {
      const t = tcpSeq(ndjson, line, len, afterHttp);
      if (t) {
        payload = t.len > 0;
        tlsFrom = t.l4; // keys are sorted: TLS comes after L4
        if (this.retransmissions.segment(b.flowLo[k]!, b.flowHi[k]!, b.src[k]!, b.sport[k]!, b.flags[k]!, t.seq, t.len)) b.analysis[k] = RETRANSMISSION;
      }
    }
    if (!payload) return;
    const f = recordFacts(ndjson, line, len, proto === 6, proto === 17, tlsFrom);
    if (!f) return;
    const x = b.extra(k);
    if (f.sni !== undefined) x.sni = f.sni;
    if (f.alpn !== undefined) x.alpn = f.alpn;
    if (f.dns) x.dns = f.dns;
  }

  /** The segments that filled since the last call wait for `batches` HTTP batches to be answered. */
  awaitBatches(batches: number): void { for (const p of this.#pending) if (p.after === Infinity) p.after = batches; }

  /**
   * Seals the full segments whose HTTP answers are in (`answered` batches so far), and with
   * `all` the last one too (loading ended). Stops the index, with `stopped` saying why, when the
   * store can take no more.
   */
  async seal(answered: number, all = false): Promise<void> {
    if (all && this.#builder.n > 0) { this.#pending.push({ seg: this.#builder, index: this.count >> SEGMENT_SHIFT, after: 0 }); this.#builder = new SegmentBuilder(); }
    while (this.#pending.length && this.#pending[0]!.after <= answered) {
      const p = this.#pending[0]!;
      const buf = p.seg.seal();
      await this.store.prepare(buf.length);
      if (!this.store.put(buf)) {
        // The packets of this segment and after are not kept: say how many are.
        const kept = p.index << SEGMENT_SHIFT;
        this.stopped = `the index of this capture reached the memory this tab allows (${(this.store.memoryLimit / 1048576).toFixed(0)} MiB: the setting "Index memory without storage", the \`memory\` parameter) after ${kept.toLocaleString('en-US')} packets, because ${this.store.fellBack ?? 'the browser\'s storage is not available'}; the first ${kept.toLocaleString('en-US')} packets are shown`;
        this.count = kept;
        this.#pending.length = 0;
        this.#builder = new SegmentBuilder();
        return;
      }
      this.#pending.shift();
    }
  }

  /** Bytes of the segments still in memory while they fill or await their HTTP answers. */
  get fillingBytes(): number { let b = this.#builder.bytes; for (const p of this.#pending) b += p.seg.bytes; return b; }

  /** HTTP answers for packet pos: the status and method columns, and what an HTTP/2 packet has more of. */
  setHttp(pos: number, code: number, method: number, http2: boolean, extra: Extra | null): void {
    if (pos >= this.count) return;
    const [s, i] = this.at(pos);
    if (!(s instanceof SegmentBuilder)) return; // sealed already: cannot happen while batches are awaited
    s.code[i] = code || NO_CODE;
    s.method[i] = method;
    if (http2) { s.cls[i] = C.HTTP2; this.classes |= 1 << C.HTTP2; }
    if (extra) {
      const x = s.extra(i);
      if (extra.codes) x.codes = extra.codes;
      if (extra.methods) x.methods = extra.methods;
      if (extra.traces) x.traces = extra.traces;
    }
  }

  /** A method's column number (OTHER_METHOD for one not in METHODS). */
  static methodNumber(m: string | undefined): number {
    if (!m) return 0;
    const i = (METHODS as readonly string[]).indexOf(m);
    return i > 0 ? i : OTHER_METHOD;
  }

  /** Calls fn for every segment in order with its first position (segments read one at a time). */
  forEachSegment(fn: (seg: Segment, base: number) => boolean | void, from = 0): void {
    for (let k = from >> SEGMENT_SHIFT; k < this.segments; k++) if (fn(this.segment(k), k << SEGMENT_SHIFT) === false) return;
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

/** The record's top-level `flow` text of two 32-bit halves. */
export function flowText(lo: number, hi: number): string {
  return lo === 0 && hi === 0 ? '' : ((BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0)).toString();
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
