/**
 * @module tracecap/stream — a TCP connection's bytes both ways, reassembled from its packets as
 * Wireshark's "Follow TCP Stream" shows them, and the HTTP/1 messages in them with their bodies
 * decoded. Runtime-agnostic (no DOM, no Node): the decompressor is passed in (the browser's
 * DecompressionStream, Node's zlib; runtimes/…), bounded by MAX_FOLLOW_BYTES per direction.
 */

// ---- packets → TCP segments ------------------------------------------------------------------

/** A TCP segment of a packet: its endpoints, sequence number, flags and payload. */
export interface TcpSegment {
  src: string; dst: string; sport: number; dport: number;
  seq: number; flags: number;
  payload: Uint8Array;
}

/** TCP flag bits (RFC 9293 §3.1). */
export const TCP_FIN = 0x01, TCP_SYN = 0x02, TCP_RST = 0x04;

const ETHERTYPE_IPV4 = 0x0800, ETHERTYPE_IPV6 = 0x86dd;
const VLAN_TYPES = new Set([0x8100, 0x88a8, 0x9100]);

/**
 * The TCP segment a packet of link type `linktype` carries, or null (not TCP over IP, or cut
 * short). Link types (tcpdump.org/linktypes.html): Ethernet (with VLAN tags), raw IP, BSD
 * loopback, Linux cooked v1 and v2, IPv4, IPv6. No tunnels: follow stream reads the packet as
 * captured.
 */
export function tcpSegment(linktype: number, d: Uint8Array): TcpSegment | null {
  const v = new DataView(d.buffer, d.byteOffset, d.byteLength);
  let at: number, et: number;
  switch (linktype) {
    case 1: { // LINKTYPE_ETHERNET
      if (d.length < 14) return null;
      at = 12; et = v.getUint16(at); at += 2;
      for (let i = 0; i < 8 && VLAN_TYPES.has(et); i++) { if (d.length < at + 4) return null; et = v.getUint16(at + 2); at += 4; }
      break;
    }
    case 101: case 12: case 14: // LINKTYPE_RAW, DLT_RAW on some systems
      if (d.length < 1) return null;
      at = 0; et = d[0]! >> 4 === 6 ? ETHERTYPE_IPV6 : ETHERTYPE_IPV4; break;
    case 228: at = 0; et = ETHERTYPE_IPV4; break;
    case 229: at = 0; et = ETHERTYPE_IPV6; break;
    case 0: case 108: { // LINKTYPE_NULL (host order), LINKTYPE_LOOP (network order): an AF_ value
      if (d.length < 4) return null;
      at = 4; et = d[4]! >> 4 === 6 ? ETHERTYPE_IPV6 : ETHERTYPE_IPV4; break;
    }
    case 113: if (d.length < 16) return null; at = 16; et = v.getUint16(14); break; // LINKTYPE_LINUX_SLL
    case 276: if (d.length < 20) return null; at = 20; et = v.getUint16(0); break; // LINKTYPE_LINUX_SLL2
    default: return null;
  }
  let src: string, dst: string, proto: number, l4: number, end: number;
  if (et === ETHERTYPE_IPV4) {
    if (d.length < at + 20 || d[at]! >> 4 !== 4) return null;
    const ihl = (d[at]! & 15) * 4;
    const total = v.getUint16(at + 2);
    // A fragment other than the first carries no TCP header (RFC 791: offset ≠ 0).
    if ((v.getUint16(at + 6) & 0x1fff) !== 0) return null;
    proto = d[at + 9]!;
    src = `${d[at + 12]}.${d[at + 13]}.${d[at + 14]}.${d[at + 15]}`;
    dst = `${d[at + 16]}.${d[at + 17]}.${d[at + 18]}.${d[at + 19]}`;
    l4 = at + ihl;
    // The IP total length bounds the payload (Ethernet pads short frames); 0 is TSO: the capture's.
    end = total >= ihl ? Math.min(d.length, at + total) : d.length;
  } else if (et === ETHERTYPE_IPV6) {
    if (d.length < at + 40 || d[at]! >> 4 !== 6) return null;
    const plen = v.getUint16(at + 4);
    end = plen ? Math.min(d.length, at + 40 + plen) : d.length;
    src = v6(d, at + 8); dst = v6(d, at + 24);
    proto = d[at + 6]!;
    l4 = at + 40;
    // Extension headers (RFC 8200 §4): hop-by-hop, routing, destination options; a fragment header
    // with a non-zero offset carries no TCP header.
    for (let i = 0; i < 16 && (proto === 0 || proto === 43 || proto === 60 || proto === 44); i++) {
      if (end < l4 + 8) return null;
      if (proto === 44) { if ((v.getUint16(l4 + 2) & 0xfff8) !== 0) return null; proto = d[l4]!; l4 += 8; continue; }
      proto = d[l4]!; l4 += (d[l4 + 1]! + 1) * 8;
    }
  } else return null;
  if (proto !== 6 || end < l4 + 20) return null;
  const doff = (d[l4 + 12]! >> 4) * 4;
  if (doff < 20 || end < l4 + doff) return null;
  return { src, dst, sport: v.getUint16(l4), dport: v.getUint16(l4 + 2), seq: v.getUint32(l4 + 4), flags: d[l4 + 13]!, payload: d.subarray(l4 + doff, end) };
}

/** RFC 5952 text of an IPv6 address: the longest run of two or more zero groups (the first of equals) as "::". */
function v6(b: Uint8Array, at: number): string {
  const w: number[] = [];
  for (let i = 0; i < 16; i += 2) w.push((b[at + i]! << 8) | b[at + i + 1]!);
  let best = -1, bestLen = 1;
  for (let i = 0; i < 8;) {
    if (w[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && w[j] === 0) j++;
    if (j - i > bestLen) { best = i; bestLen = j - i; }
    i = j;
  }
  const hex = w.map((x) => x.toString(16));
  return best < 0 ? hex.join(':') : `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

// ---- reassembly ----------------------------------------------------------------------------

/** Bytes kept per direction of a followed connection; beyond them the stream says how many more there were. */
export const MAX_FOLLOW_BYTES = 8 << 20;
/** Out-of-order segments held per direction waiting for the bytes before them; beyond, the oldest hole becomes a gap. */
export const MAX_HELD_SEGMENTS = 1024;

/** A run of one direction's bytes as the follow view shows it: data, or bytes the capture lacks. */
export interface StreamChunk {
  /** 0: the client's (the side that sent the first SYN, else the first packet), 1: the server's. */
  dir: 0 | 1;
  /** Offset in the direction's byte stream (its first byte after the SYN is 0). */
  start: number;
  end: number;
  /** True: bytes missing from the capture (a gap), not in `bytes`. */
  gap?: boolean;
  /** Packet (its index in the list given) that delivered the chunk's first byte, and its time. */
  packet: number;
  time: number;
}

/** One direction of a followed connection. */
export interface Direction {
  /** The bytes kept (gaps are zero-filled here; chunks say where they are). */
  bytes: Uint8Array;
  /** Bytes of the stream, gaps included (bytes.length when nothing was cut). */
  total: number;
  /** Bytes past MAX_FOLLOW_BYTES, not kept. */
  cut: number;
  /** Retransmitted bytes (seen before; the first copy kept, as Wireshark's follow does). */
  retransmitted: number;
  /** Bytes the capture lacks (in gaps). */
  missing: number;
  /** Whether it ended with a FIN, a RST. */
  fin: boolean; rst: boolean;
  /** Where each packet's new bytes start: stream offsets (increasing) and the packet numbers, for packetAt. */
  markOffsets: number[]; markPackets: number[];
}

/** The packet that delivered byte `offset` of direction `d` (-1: none, e.g. a gap before any data). */
export function packetAt(d: Direction, offset: number): number {
  let lo = 0, hi = d.markOffsets.length - 1, best = -1;
  while (lo <= hi) { const mid = (lo + hi) >> 1; if (d.markOffsets[mid]! <= offset) { best = mid; lo = mid + 1; } else hi = mid - 1; }
  return best < 0 ? -1 : d.markPackets[best]!;
}

/** A connection's bytes both ways, in the order they became contiguous (Wireshark's follow order). */
export interface FollowedStream {
  client: string; server: string;
  dirs: [Direction, Direction];
  chunks: StreamChunk[];
}

/** One packet as reassembly takes it: its segment and capture time (ms). */
export interface FollowPacket { seg: TcpSegment; time: number }

const u32diff = (a: number, b: number): number => (a - b) | 0; // RFC 9293 §3.4 sequence arithmetic

interface Held { seq: number; data: Uint8Array; packet: number; time: number }

class DirState {
  isn: number | null = null;
  next = 0; // stream offset expected next
  held: Held[] = [];
  out = new Uint8Array(0);
  len = 0;
  cut = 0;
  retransmitted = 0;
  missing = 0;
  fin = false; rst = false;
  markOffsets: number[] = []; markPackets: number[] = [];
  constructor(readonly limit: number) {}
  keep(data: Uint8Array): void {
    const room = Math.max(0, this.limit - this.len);
    const n = Math.min(room, data.length);
    if (this.len + n > this.out.length) {
      const o = new Uint8Array(Math.min(this.limit, Math.max(this.len + n, this.out.length * 2, 4096)));
      o.set(this.out.subarray(0, this.len)); this.out = o;
    }
    this.out.set(data.subarray(0, n), this.len);
    this.len += n;
    this.cut += data.length - n;
  }
}

/**
 * Reassembles one connection's packets, given in capture order one at a time (add), so that
 * memory is the bytes kept, never the packets: each direction's payload in sequence order. A
 * byte seen twice (a retransmission, an overlap) keeps its first copy, as Wireshark's follow
 * does (the later copy's new bytes past the first are used); a segment ahead of the bytes
 * expected waits (MAX_HELD_SEGMENTS) for the bytes before it, and what never comes is a gap.
 * `limit`: bytes kept per direction (default MAX_FOLLOW_BYTES).
 */
export class Reassembler {
  readonly #dirs: [DirState, DirState];
  readonly #chunks: StreamChunk[] = [];
  #client: string | null = null;
  #clientEnd = '';
  #serverEnd = '';
  #n = 0;
  constructor(limit = MAX_FOLLOW_BYTES) { this.#dirs = [new DirState(limit), new DirState(limit)]; }

  /** The next packet of the connection (`packet`: its number, for the chunks it starts; default its position). */
  add(seg: TcpSegment, time: number, packet = this.#n): void {
    this.#n++;
    const key = `${seg.src}|${seg.sport}`;
    if (this.#client === null) {
      // The SYN's sender is the client; a SYN/ACK seen first (the SYN missed) is the server's.
      const synAck = (seg.flags & (TCP_SYN | 0x10)) === (TCP_SYN | 0x10);
      this.#client = synAck ? `${seg.dst}|${seg.dport}` : key;
      this.#clientEnd = synAck ? endpoint(seg.dst, seg.dport) : endpoint(seg.src, seg.sport);
      this.#serverEnd = synAck ? endpoint(seg.src, seg.sport) : endpoint(seg.dst, seg.dport);
    }
    const dir: 0 | 1 = key === this.#client ? 0 : 1;
    const d = this.#dirs[dir];
    if (d.isn === null) d.isn = (seg.flags & TCP_SYN) ? (seg.seq + 1) >>> 0 : seg.seq;
    if (seg.flags & TCP_RST) d.rst = true;
    if (seg.flags & TCP_FIN) d.fin = true;
    if (!seg.payload.length) return;
    const rel = u32diff(seg.seq, d.isn);
    if (rel + seg.payload.length <= d.next) { d.retransmitted += seg.payload.length; return; }
    if (rel > d.next) {
      d.held.push({ seq: rel, data: seg.payload.slice(), packet, time });
      if (d.held.length > MAX_HELD_SEGMENTS) { d.held.sort((a, b) => a.seq - b.seq); this.#emit(dir, null, d.held[0]!.seq - d.next, d.held[0]!.packet, d.held[0]!.time); this.#drain(dir); }
      return;
    }
    this.#take(dir, rel, seg.payload, packet, time);
    this.#drain(dir);
  }

  /** The stream so far; what is still held lies behind bytes the capture never had: gaps before it. */
  finish(): FollowedStream {
    for (const dir of [0, 1] as const) {
      const d = this.#dirs[dir];
      while (d.held.length) {
        d.held.sort((a, b) => a.seq - b.seq);
        const h = d.held[0]!;
        if (h.seq > d.next) this.#emit(dir, null, h.seq - d.next, h.packet, h.time);
        this.#drain(dir);
      }
    }
    const out = (d: DirState): Direction => ({ bytes: d.out.subarray(0, d.len), total: d.next, cut: d.cut, retransmitted: d.retransmitted, missing: d.missing, fin: d.fin, rst: d.rst, markOffsets: d.markOffsets, markPackets: d.markPackets });
    return { client: this.#clientEnd, server: this.#serverEnd, dirs: [out(this.#dirs[0]), out(this.#dirs[1])], chunks: this.#chunks };
  }

  #emit(dir: 0 | 1, data: Uint8Array | null, gapLen: number, packet: number, time: number): void {
    const d = this.#dirs[dir];
    const start = d.next;
    const n = data ? data.length : gapLen;
    if (n === 0) return;
    if (data) { d.keep(data); d.markOffsets.push(start); d.markPackets.push(packet); }
    else { const k = Math.min(n, Math.max(0, d.limit - d.len)); d.keep(new Uint8Array(k)); d.cut += n - k; d.missing += n; }
    d.next += n;
    const last = this.#chunks[this.#chunks.length - 1];
    if (last && last.dir === dir && !last.gap === !!data && last.end === start) last.end = d.next;
    else this.#chunks.push({ dir, start, end: d.next, ...(data ? {} : { gap: true }), packet, time });
  }

  #drain(dir: 0 | 1): void {
    const d = this.#dirs[dir];
    for (;;) {
      d.held.sort((a, b) => a.seq - b.seq);
      const h = d.held[0];
      if (!h || h.seq > d.next) return;
      d.held.shift();
      this.#take(dir, h.seq, h.data, h.packet, h.time);
    }
  }

  #take(dir: 0 | 1, off: number, data: Uint8Array, packet: number, time: number): void {
    const d = this.#dirs[dir];
    if (off + data.length <= d.next) { d.retransmitted += data.length; return; }
    if (off < d.next) { d.retransmitted += d.next - off; data = data.subarray(d.next - off); off = d.next; }
    this.#emit(dir, data, 0, packet, time);
  }
}

/** Reassembles a connection's packets at once (Reassembler for a list). */
export function reassemble(packets: readonly FollowPacket[], limit = MAX_FOLLOW_BYTES): FollowedStream {
  const r = new Reassembler(limit);
  for (const p of packets) r.add(p.seg, p.time);
  return r.finish();
}

const endpoint = (a: string, p: number) => (a.includes(':') ? `[${a}]:${p}` : `${a}:${p}`);

// ---- HTTP/1 messages -----------------------------------------------------------------------

/** Most HTTP/1 messages split out of one direction (the rest are counted). */
export const MAX_FOLLOW_MESSAGES = 10_000;
/** Longest head the splitter reads (the core's maxHeadBytes). */
export const MAX_SPLIT_HEAD = 16 << 10;

/** An HTTP/1 message found in a direction's bytes. */
export interface HttpMessage {
  dir: 0 | 1;
  /** Offsets in the direction's stream: the head's start, the body's start and the message's end. */
  start: number; bodyStart: number; end: number;
  /** Request line or status line. */
  line: string;
  headers: [string, string][];
  /** How the body is framed (RFC 9112 §6.3). */
  framing: 'none' | 'length' | 'chunked' | 'close';
  /** Whether the whole message is in the kept bytes (no gap, not cut). */
  complete: boolean;
  /** Why the splitter stopped in this message, if it did. */
  error?: string;
}

const latin1 = new TextDecoder('latin1');

/**
 * Splits both directions into HTTP/1 messages (heads, and bodies by Content-Length, chunked or
 * the connection's close; RFC 9112 §6.3), pairing the responses to the requests' methods so a
 * HEAD's response has no body. Stops in a direction at a gap or at bytes that are not HTTP/1,
 * saying so in the message it stopped in (or in `stopped`).
 */
export function splitHttp(s: FollowedStream): { messages: HttpMessage[]; stopped: [string | null, string | null]; more: [number, number] } {
  const messages: HttpMessage[] = [];
  const stopped: [string | null, string | null] = [null, null];
  const more: [number, number] = [0, 0];
  const methods: string[] = [];
  const gaps = (dir: 0 | 1) => s.chunks.filter((c) => c.dir === dir && c.gap);
  for (const dir of [0, 1] as const) {
    const d = s.dirs[dir];
    const g = gaps(dir);
    const gapIn = (a: number, b: number) => g.find((c) => c.start < b && c.end > a);
    let at = 0, n = 0;
    while (at < d.bytes.length) {
      if (n >= MAX_FOLLOW_MESSAGES) { more[dir]++; break; }
      const headEnd = indexOf(d.bytes, CRLFCRLF, at, Math.min(d.bytes.length, at + MAX_SPLIT_HEAD));
      if (headEnd < 0) {
        stopped[dir] = d.bytes.length - at > MAX_SPLIT_HEAD ? `no HTTP/1 head end within ${MAX_SPLIT_HEAD} bytes at byte ${at}` : `an incomplete head at byte ${at}`;
        break;
      }
      const gap0 = gapIn(at, headEnd + 4);
      if (gap0) { stopped[dir] = `a gap of ${gap0.end - gap0.start} bytes at byte ${gap0.start}`; break; }
      const head = latin1.decode(d.bytes.subarray(at, headEnd));
      const lines = head.split('\r\n');
      const line = lines[0]!;
      const isResp = /^HTTP\/\d\.\d \d{3}/.test(line);
      const isReq = /^[A-Z-]+ \S+ HTTP\/\d\.\d$/.test(line);
      if (!isResp && !isReq) { stopped[dir] = `bytes at ${at} are not an HTTP/1 message`; break; }
      const headers: [string, string][] = [];
      for (const l of lines.slice(1)) { const c = l.indexOf(':'); if (c > 0) headers.push([l.slice(0, c).trim(), l.slice(c + 1).trim()]); }
      const get = (k: string) => headers.find(([h]) => h.toLowerCase() === k)?.[1];
      const bodyStart = headEnd + 4;
      let framing: HttpMessage['framing'], end: number, error: string | undefined;
      const te = get('transfer-encoding');
      const cl = get('content-length');
      const status = isResp ? Number(line.split(' ')[1]) : 0;
      if (isReq) methods.push(line.split(' ')[0]!);
      const method = isResp ? methods[n] : undefined;
      if (isResp && (status < 200 || status === 204 || status === 304 || method === 'HEAD')) { framing = 'none'; end = bodyStart; }
      else if (te && /chunked\s*$/i.test(te)) {
        framing = 'chunked';
        const r = chunkedEnd(d.bytes, bodyStart);
        if (typeof r === 'string') { error = r; end = d.bytes.length; } else end = r;
      } else if (cl !== undefined && /^\d+$/.test(cl)) { framing = 'length'; end = bodyStart + Number(cl); }
      else if (isResp) { framing = 'close'; end = d.total; }
      else { framing = 'none'; end = bodyStart; }
      const gap = gapIn(bodyStart, end);
      const complete = !error && !gap && end <= d.bytes.length;
      if (gap && !error) error = `a gap of ${gap.end - gap.start} bytes at byte ${gap.start}`;
      else if (!error && end > d.bytes.length) error = d.cut ? `cut at ${d.bytes.length} bytes (MAX_FOLLOW_BYTES)` : 'the capture ends before the body does';
      messages.push({ dir, start: at, bodyStart, end: Math.min(end, d.bytes.length), line, headers, framing, complete, ...(error ? { error } : {}) });
      n++;
      if (!complete) break;
      // 1xx responses are interim: the final response answers the same request (RFC 9110 §15.2).
      if (isResp && status >= 100 && status < 200) { n--; methods.splice(n, 0, method ?? ''); }
      at = end;
    }
  }
  messages.sort((a, b) => chunkOrder(s, a) - chunkOrder(s, b));
  return { messages, stopped, more };
}

// Position of a message in the follow order: the chunk holding its first byte.
function chunkOrder(s: FollowedStream, m: HttpMessage): number {
  const i = s.chunks.findIndex((c) => c.dir === m.dir && c.start <= m.start && m.start < c.end);
  return i < 0 ? Infinity : i + (m.start - s.chunks[i]!.start) / (s.chunks[i]!.end - s.chunks[i]!.start + 1);
}

const CRLFCRLF = Uint8Array.of(13, 10, 13, 10);
function indexOf(b: Uint8Array, pat: Uint8Array, from: number, to: number): number {
  outer: for (let i = from; i + pat.length <= to; i++) {
    for (let j = 0; j < pat.length; j++) if (b[i + j] !== pat[j]) continue outer;
    return i;
  }
  return -1;
}

/** Where a chunked body starting at `at` ends (after its trailers), or why it cannot be read. */
function chunkedEnd(b: Uint8Array, at: number): number | string {
  for (;;) {
    const eol = indexOf(b, CRLF, at, Math.min(b.length, at + 1024));
    if (eol < 0) return `a chunk size line cut short at byte ${at}`;
    const size = parseInt(latin1.decode(b.subarray(at, eol)).split(';')[0]!.trim(), 16);
    if (!Number.isFinite(size)) return `a bad chunk size at byte ${at}`;
    at = eol + 2;
    if (size === 0) {
      // Trailer fields, then an empty line (RFC 9112 §7.1.2).
      for (;;) {
        const e = indexOf(b, CRLF, at, Math.min(b.length, at + MAX_SPLIT_HEAD));
        if (e < 0) return `trailers cut short at byte ${at}`;
        if (e === at) return at + 2;
        at = e + 2;
      }
    }
    at += size + 2;
    if (at > b.length) return `a chunk cut short at byte ${b.length}`;
  }
}
const CRLF = Uint8Array.of(13, 10);

/** A chunked body's data (RFC 9112 §7.1), or null when it is malformed. */
export function dechunk(b: Uint8Array): Uint8Array | null {
  const parts: Uint8Array[] = [];
  let at = 0, n = 0;
  for (;;) {
    const eol = indexOf(b, CRLF, at, Math.min(b.length, at + 1024));
    if (eol < 0) return null;
    const size = parseInt(latin1.decode(b.subarray(at, eol)).split(';')[0]!.trim(), 16);
    if (!Number.isFinite(size) || eol + 2 + size > b.length) return null;
    if (size === 0) break;
    parts.push(b.subarray(eol + 2, eol + 2 + size)); n += size;
    at = eol + 2 + size + 2;
  }
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

/** Content codings a decompressor is asked for (RFC 9110 §8.4.1; br: RFC 7932). */
export type Coding = 'gzip' | 'deflate' | 'br';
/**
 * Decompresses `data` of a content coding, or throws. Runtime adapters: Node's zlib, the
 * browser's DecompressionStream. A runtime that cannot decode a coding throws UnsupportedCoding.
 */
export type Decompressor = (coding: Coding, data: Uint8Array) => Promise<Uint8Array>;

/** Thrown by a Decompressor for a coding its runtime lacks (e.g. br where DecompressionStream has no "brotli"). */
export class UnsupportedCoding extends Error {}

/** A message's body as sent and decoded. */
export interface DecodedBody {
  /** The body bytes on the wire (chunked framing included). */
  raw: Uint8Array;
  /** After removing chunked framing and content codings; null when that failed (`note` says why). */
  data: Uint8Array | null;
  /** Content codings applied, outermost last (Content-Encoding's order). */
  codings: string[];
  note?: string;
}

/** The body of message `m` of `s`, de-chunked and decompressed with `inflate` where it can be. */
export async function decodeBody(s: FollowedStream, m: HttpMessage, inflate: Decompressor): Promise<DecodedBody> {
  const raw = s.dirs[m.dir].bytes.subarray(m.bodyStart, m.end);
  const codings = contentCodings(m.headers);
  if (!m.complete) return { raw, data: null, codings, note: m.error ?? 'incomplete' };
  const data: Uint8Array | null = m.framing === 'chunked' ? dechunk(raw) : raw;
  if (data === null) return { raw, data: null, codings, note: 'malformed chunked framing' };
  return { raw, codings, ...await uncode(data, codings, inflate) };
}

/** The content codings of a message's header fields, in the order applied (RFC 9110 §8.4). */
export function contentCodings(headers: ReadonlyArray<readonly [string, string]>): string[] {
  return (headers.find(([k]) => k.toLowerCase() === 'content-encoding')?.[1] ?? '').split(',').map((c) => c.trim().toLowerCase()).filter((c) => c && c !== 'identity');
}

/** Removes `codings` (last applied first) from `data`; null data and a note when one cannot be. */
export async function uncode(data: Uint8Array, codings: readonly string[], inflate: Decompressor): Promise<{ data: Uint8Array | null; note?: string }> {
  for (const c of [...codings].reverse()) {
    const coding: Coding | null = c === 'gzip' || c === 'x-gzip' ? 'gzip' : c === 'deflate' ? 'deflate' : c === 'br' ? 'br' : null;
    if (coding === null) return { data: null, note: `content coding ${c} is not decoded` };
    try { data = await inflate(coding, data); } catch (e) {
      return { data: null, note: e instanceof UnsupportedCoding ? e.message : `${c} body could not be decoded: ${e instanceof Error ? e.message : String(e)}` };
    }
  }
  return { data };
}

// ---- HTTP/2 DATA ---------------------------------------------------------------------------

/** The client connection preface (RFC 9113 §3.4). */
export const H2_PREFACE = 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n';

/** The DATA of each stream of an HTTP/2 connection, both ways, from its reassembled bytes. */
export interface H2Data {
  /** Stream id → [client's DATA, server's DATA] (padding removed). */
  streams: Map<number, [Uint8Array, Uint8Array]>;
  /** Why reading frames stopped in a direction (a gap, a frame cut short, the kept bytes' end). */
  stopped: [string | null, string | null];
}

/**
 * Reads the frames of both directions (RFC 9113 §4.1: 9-byte header, then the payload) and
 * gathers each stream's DATA payloads (§6.1, the Pad Length and padding removed when PADDED).
 * A direction stops at a gap, as the bytes after it cannot be framed.
 */
export function h2Data(s: FollowedStream): H2Data {
  const parts = new Map<number, [Uint8Array[], Uint8Array[]]>();
  const stopped: [string | null, string | null] = [null, null];
  for (const dir of [0, 1] as const) {
    const d = s.dirs[dir];
    const b = d.bytes;
    const gaps = s.chunks.filter((c) => c.dir === dir && c.gap);
    let at = dir === 0 && latin1.decode(b.subarray(0, H2_PREFACE.length)) === H2_PREFACE ? H2_PREFACE.length : 0;
    while (at < b.length) {
      if (at + 9 > b.length) { stopped[dir] = `a frame header cut short at byte ${at}`; break; }
      const len = (b[at]! << 16) | (b[at + 1]! << 8) | b[at + 2]!;
      const type = b[at + 3]!, flags = b[at + 4]!;
      const id = ((b[at + 5]! & 0x7f) * 2 ** 24) + (b[at + 6]! << 16) + (b[at + 7]! << 8) + b[at + 8]!;
      const end = at + 9 + len;
      const gap = gaps.find((g) => g.start < end && g.end > at);
      if (gap) { stopped[dir] = `a gap of ${gap.end - gap.start} bytes at byte ${gap.start}`; break; }
      if (end > b.length) { stopped[dir] = d.cut ? `cut at ${b.length} bytes (MAX_FOLLOW_BYTES)` : `a frame cut short at byte ${at}`; break; }
      if (type === 0 && id !== 0) {
        let from = at + 9, to = end;
        if (flags & 0x8) { const pad = b[from]!; from += 1; to -= pad; }
        if (to >= from) {
          let p = parts.get(id);
          if (!p) parts.set(id, p = [[], []]);
          p[dir].push(b.subarray(from, to));
        }
      }
      at = end;
    }
  }
  const join = (xs: Uint8Array[]) => { const o = new Uint8Array(xs.reduce((n, x) => n + x.length, 0)); let k = 0; for (const x of xs) { o.set(x, k); k += x.length; } return o; };
  const streams = new Map<number, [Uint8Array, Uint8Array]>();
  for (const [id, [c, sv]] of parts) streams.set(id, [join(c), join(sv)]);
  return { streams, stopped };
}
