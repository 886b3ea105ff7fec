/**
 * What the connection list shows beyond counters, read from each record once while it is indexed
 * (packets.ts) and kept with its packet: the TLS ClientHello's SNI and the ServerHello's ALPN,
 * the addresses DNS answers name, and whether a TCP segment is a retransmission. The connection
 * list (worker.ts conns) sums them per connection when asked. Pure functions over the record's
 * NDJSON bytes and a bounded table of open TCP connections: nothing here grows with the capture.
 */

/** TCP connections whose sequence numbers are followed at once; the least recently seen is forgotten past it. */
export const MAX_TRACKED_CONNECTIONS = 65_536;
/** DNS answers kept per response packet (A and AAAA records; the rest of a longer answer is dropped and counted). */
export const MAX_DNS_ANSWERS_PER_PACKET = 32;
/** Names kept per address in the connection list (more are counted: "+N"). */
export const MAX_NAMES_PER_ADDRESS = 8;
/** Further names counted per address (past it the count stops: "+1000" means at least that). */
export const MAX_MORE_NAMES = 1000;
/** Addresses the DNS names table keeps; answers for further addresses are counted, not kept. */
export const MAX_DNS_ADDRESSES = 100_000;
/** Bytes of a record's TLS or DNS value parsed at most (a larger one is not read for names). */
const MAX_VALUE_BYTES = 64 << 10;

/** `analysis` column bit: the segment is a retransmission (Wireshark's tcp.analysis.retransmission rule). */
export const RETRANSMISSION = 1;

/** The facts of one record: SNI, ALPN (the ServerHello's choice, else the ClientHello's offer), DNS answers [name, address]. */
export interface RecordFacts { sni?: string; alpn?: string; dns?: Array<[string, string]> }

const Q = 0x22, BS = 0x5c, LBRACE = 0x7b, RBRACE = 0x7d, LBRACKET = 0x5b, RBRACKET = 0x5d;
const enc = new TextEncoder();
const dec = new TextDecoder();
const TLS_KEY = enc.encode('"TLS":{');
const DNS_KEY = enc.encode('{"DNS":{');
const L4_KEY = enc.encode('"L4":{');
const LEN_KEY = enc.encode('"len":"');
const SEQ_KEY = enc.encode('"seq":');

/**
 * Where `pat` starts in b[from, end), or −1. The native indexOf looks for the pattern's byte at
 * `anchor` — a rare one: its first is a quote, which a record has hundreds of (anchoring on it
 * cost 40 µs a record) — and the rest is compared.
 */
export function find(b: Uint8Array, pat: Uint8Array, from: number, end: number, anchor = 1): number {
  const x = pat[anchor]!;
  for (let i = b.indexOf(x, from + anchor); i >= 0 && i - anchor + pat.length <= end; i = b.indexOf(x, i + 1)) {
    const at = i - anchor;
    let j = 0;
    while (j < pat.length && b[at + j] === pat[j]) j++;
    if (j === pat.length) return at;
  }
  return -1;
}

/** The end (exclusive) of the JSON object or array starting at b[at], strings skipped; −1 when it does not end before `end`. */
export function valueEnd(b: Uint8Array, at: number, end: number): number {
  let depth = 0;
  for (let i = at; i < end; i++) {
    const c = b[i]!;
    if (c === Q) { i++; while (i < end && b[i] !== Q) { if (b[i] === BS) i++; i++; } continue; }
    if (c === LBRACE || c === LBRACKET) depth++;
    else if (c === RBRACE || c === RBRACKET) { depth--; if (depth === 0) return i + 1; }
  }
  return -1;
}

/** The JSON value at b[at] (an object), parsed; undefined when it is too long or malformed. */
function parseAt(b: Uint8Array, at: number, end: number): Record<string, unknown> | undefined {
  const e = valueEnd(b, at, Math.min(end, at + MAX_VALUE_BYTES));
  if (e < 0) return undefined;
  try { return JSON.parse(dec.decode(b.subarray(at, e))) as Record<string, unknown>; } catch { return undefined; }
}

/**
 * The SNI, ALPN and DNS answers of the record at ndjson[at, at + len). `tcp`/`udp`: its L4, so
 * that only records that can hold them are searched (a DNS value leads the record: keys are
 * sorted and DNS is the first that can come); `tlsFrom`: where TLS may start (past the HTTP value).
 */
export function recordFacts(b: Uint8Array, at: number, len: number, tcp: boolean, udp: boolean, tlsFrom = at): RecordFacts | null {
  const end = at + len;
  if ((udp || tcp) && find(b, DNS_KEY, at, Math.min(end, at + DNS_KEY.length)) === at) {
    const v = parseAt(b, at + DNS_KEY.length - 1, end);
    const answers = v?.['answers'];
    if (!Array.isArray(answers)) return null;
    const dns: Array<[string, string]> = [];
    for (const a of answers as Array<Record<string, unknown>>) {
      const addr = a?.['A'] ?? a?.['AAAA'];
      if (typeof a?.['name'] === 'string' && typeof addr === 'string' && dns.length < MAX_DNS_ANSWERS_PER_PACKET) dns.push([a['name'] as string, addr]);
    }
    return dns.length ? { dns } : null;
  }
  if (!tcp) return null;
  const t = find(b, TLS_KEY, tlsFrom, end);
  if (t < 0) return null;
  const v = parseAt(b, t + TLS_KEY.length - 1, end);
  if (!v) return null;
  const ch = v['client_hello'] as { sni?: unknown; alpn?: unknown } | undefined;
  const sh = v['server_hello'] as { alpn?: unknown } | undefined;
  const out: RecordFacts = {};
  if (typeof ch?.sni === 'string') out.sni = ch.sni;
  const alpn = (x: unknown) => (typeof x === 'string' ? x : Array.isArray(x) ? x.filter((s) => typeof s === 'string').join(',') : undefined);
  const a = alpn(sh?.alpn) ?? (ch ? alpn(ch.alpn) : undefined);
  if (a) out.alpn = a;
  return out.sni !== undefined || out.alpn !== undefined ? out : null;
}

/** The TCP payload length (L4.len) and sequence number (L4.seq) of a record, and where its L4 value starts (TLS comes after it); null when not found. */
export function tcpSeq(b: Uint8Array, at: number, len: number, from = at): { seq: number; len: number; l4: number } | null {
  const end = at + len;
  const l4 = find(b, L4_KEY, from, end);
  if (l4 < 0) return null;
  // Anchored on their rarest letters: 'n' of "len", 'q' of "seq".
  const l = find(b, LEN_KEY, l4, end, 3);
  const s = find(b, SEQ_KEY, l > 0 ? l : l4, end, 3);
  if (l < 0 || s < 0) return null;
  let n = 0, i = l + LEN_KEY.length;
  for (; i < end && b[i]! >= 0x30 && b[i]! <= 0x39; i++) n = n * 10 + b[i]! - 0x30;
  let q = 0;
  for (i = s + SEQ_KEY.length; i < end && b[i]! >= 0x30 && b[i]! <= 0x39; i++) q = q * 10 + b[i]! - 0x30;
  return { seq: q >>> 0, len: n, l4 };
}

/** 32-bit sequence comparison (RFC 9293 §3.4: modulo 2^32). */
const before = (a: number, b: number) => ((a - b) | 0) < 0;

interface Side { id: number; port: number; next: number; seen: boolean }
interface Tracked { a: Side; b: Side; used: number }

/**
 * Follows the sequence numbers of TCP connections (at most MAX_TRACKED_CONNECTIONS at once, the
 * least recently seen eighth forgotten when full; a connection seen again after that starts over,
 * so its first segment is not judged) and says which segments are retransmissions: Wireshark's
 * rule — a segment with data (or a SYN or FIN) that starts before the highest sequence number its
 * side has sent, except a keep-alive (one byte or none, one before it). Wireshark tells
 * out-of-order and spurious retransmissions apart by timing and ACKs; here they count as
 * retransmissions too.
 */
export class RetransmissionTracker {
  // By the flow's high then low 32 bits (no string made per packet); `used` stamps each
  // connection's last segment, and past the limit the least recently used eighth is forgotten at
  // once (a scan every MAX/8 new connections: constant time a segment, amortized).
  readonly #flows = new Map<number, Map<number, Tracked>>();
  #size = 0;
  #clock = 0;
  /** Connections forgotten to stay under the limit (said in the load's notices). */
  evicted = 0;
  /** Whether the segment is a retransmission. `src`/`sport`: its sender. */
  segment(flowLo: number, flowHi: number, src: number, sport: number, flags: number, seq: number, len: number): boolean {
    let byLo = this.#flows.get(flowHi);
    if (!byLo) { byLo = new Map(); this.#flows.set(flowHi, byLo); }
    let t = byLo.get(flowLo);
    if (!t) {
      if (this.#size >= MAX_TRACKED_CONNECTIONS) this.#forget();
      t = { a: { id: src, port: sport, next: 0, seen: false }, b: { id: -1, port: -1, next: 0, seen: false }, used: 0 };
      byLo.set(flowLo, t);
      this.#size++;
    }
    t.used = ++this.#clock;
    let side = t.a.id === src && t.a.port === sport ? t.a : t.b;
    if (side === t.b && t.b.id === -1) { t.b.id = src; t.b.port = sport; }
    if (side.id !== src || side.port !== sport) side = t.b;
    // SYN and FIN take one sequence number each (RFC 9293 §3.4).
    const syn = (flags & 0x02) !== 0, fin = (flags & 0x01) !== 0, rst = (flags & 0x04) !== 0;
    const end = (seq + len + (syn ? 1 : 0) + (fin ? 1 : 0)) >>> 0;
    let retrans = false;
    if (side.seen && (len > 0 || syn || fin) && !rst && before(seq, side.next)) {
      const keepAlive = len <= 1 && !syn && !fin && ((seq + 1) >>> 0) === side.next;
      retrans = !keepAlive;
    }
    if (!side.seen || before(side.next, end)) side.next = end;
    side.seen = true;
    return retrans;
  }

  // Forgets the least recently used eighth of the connections followed.
  #forget(): void {
    const stamps: number[] = [];
    for (const m of this.#flows.values()) for (const t of m.values()) stamps.push(t.used);
    stamps.sort((x, y) => x - y);
    const cut = stamps[Math.max(0, (stamps.length >> 3) - 1)]!;
    for (const [hi, m] of this.#flows) {
      for (const [lo, t] of m) if (t.used <= cut) { m.delete(lo); this.#size--; this.evicted++; }
      if (m.size === 0) this.#flows.delete(hi);
    }
  }

  /** Connections followed now. */
  get size(): number { return this.#size; }
}

/** A connection's facts as the list sums them from its packets. */
export interface ConnFacts {
  sni?: string; alpn?: string;
  /** TCP: FIN seen from the client, from the server; RST seen (and from whom). */
  finFwd: boolean; finBwd: boolean; rst: '' | 'client' | 'server';
  /** Segments marked RETRANSMISSION. */
  retransmissions: number;
}

/** Facts of a new connection. */
export const newConnFacts = (): ConnFacts => ({ finFwd: false, finBwd: false, rst: '', retransmissions: 0 });

/** Adds packet k of a segment (`fwd`: sent by the client) to its connection's facts. */
export function addPacketFacts(c: ConnFacts, seg: { flags: Uint8Array; analysis: Uint8Array; proto: Uint8Array; extras: ReadonlyMap<number, { sni?: string; alpn?: string }> }, k: number, fwd: boolean): void {
  if (seg.proto[k] === 6) {
    const f = seg.flags[k]!;
    if (f & 0x01) { if (fwd) c.finFwd = true; else c.finBwd = true; }
    if (f & 0x04 && !c.rst) c.rst = fwd ? 'client' : 'server';
    if (seg.analysis[k]! & RETRANSMISSION) c.retransmissions++;
  }
  const x = seg.extras.get(k);
  if (x) { if (x.sni !== undefined && c.sni === undefined) c.sni = x.sni; if (x.alpn !== undefined) c.alpn = x.alpn; }
}

/**
 * How a connection ended: `RST (client|server)` when either side reset it, `FIN` when both
 * sides closed (RFC 9293 §3.6), `half-closed` when one did, `open` when neither; '' for UDP and
 * other protocols, which have no end.
 */
export function endState(c: ConnFacts, proto: string): string {
  if (proto !== 'TCP') return '';
  if (c.rst) return `RST (${c.rst})`;
  if (c.finFwd && c.finBwd) return 'FIN';
  if (c.finFwd || c.finBwd) return 'half-closed';
  return 'open';
}

/** The names DNS answers gave each address, as the capture's packets carry them (extras.dns). */
export class DnsNames {
  readonly #names = new Map<string, string[]>();
  /** Names beyond MAX_NAMES_PER_ADDRESS, per address (at most MAX_MORE_NAMES of them counted). */
  readonly #more = new Map<string, Set<string>>();
  /** Answers whose address came past MAX_DNS_ADDRESSES (not kept). */
  dropped = 0;
  /** Adds the answers of one packet. */
  add(dns: ReadonlyArray<readonly [string, string]>): void {
    for (const [name, addr] of dns) {
      let l = this.#names.get(addr);
      if (!l) {
        if (this.#names.size >= MAX_DNS_ADDRESSES) { this.dropped++; continue; }
        l = []; this.#names.set(addr, l);
      }
      if (l.includes(name)) continue;
      if (l.length < MAX_NAMES_PER_ADDRESS) l.push(name);
      else {
        let m = this.#more.get(addr);
        if (!m) { m = new Set(); this.#more.set(addr, m); }
        if (m.size < MAX_MORE_NAMES) m.add(name);
      }
    }
  }
  /** The names of address `addr` (in the order first answered), and how many more there were. */
  of(addr: string): { names: string[]; more: number; full?: boolean } {
    const names = this.#names.get(addr);
    // Not kept because the table was full: said, since the address may have had answers.
    if (!names && this.dropped > 0) return { names: [], more: 0, full: true };
    return { names: names ?? [], more: this.#more.get(addr)?.size ?? 0 };
  }
}
