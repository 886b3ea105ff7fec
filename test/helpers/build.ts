// Byte-exact builders for test packets (every layer) and capture files (pcap, pcapng).
// Pure functions returning Uint8Array; no dependencies and no `node:` imports, so this
// also runs in a browser. Multi-byte packet fields are network order (big-endian);
// capture-file fields follow the chosen file byte order.

// ───────────────────────────── small helpers ─────────────────────────────

/** An address given as text ("aa:bb:..", "1.2.3.4", "2001:db8::1") or as raw bytes. */
export type Addr = string | Uint8Array;
/** Anything `bytes()` accepts: byte arrays, arrays of byte values, or a single byte value. */
export type ByteLike = Uint8Array | ArrayLike<number> | number;

/** Concatenate byte arrays, number arrays and single byte values into one Uint8Array. */
export function bytes(...parts: ByteLike[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += typeof p === "number" ? 1 : p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    if (typeof p === "number") out[o++] = p & 0xff;
    else if (p instanceof Uint8Array) { out.set(p, o); o += p.length; }
    else for (let i = 0; i < p.length; i++) out[o++] = p[i] & 0xff;
  }
  return out;
}

/** Bytes of a string whose characters are all < 256 (one byte per char, latin-1). */
export function ascii(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0xff) throw new Error(`ascii(): char ${c} at ${i} does not fit a byte`);
    out[i] = c;
  }
  return out;
}

/** UTF-8 bytes of a string (lone surrogates become U+FFFD, like TextEncoder). */
export function utf8(s: string): Uint8Array {
  const out: number[] = [];
  for (const ch of s) {
    let c = ch.codePointAt(0)!;
    if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return Uint8Array.from(out);
}

/** Bytes from hex text; whitespace, ':', '-', '_' and ',' separators and "0x" prefixes are ignored. */
export function hex(s: string): Uint8Array {
  const h = s.replace(/0x/gi, "").replace(/[\s:\-_,]/g, "");
  if (h.length % 2 || /[^0-9a-f]/i.test(h)) throw new Error(`hex(): bad hex string ${JSON.stringify(s)}`);
  const out = new Uint8Array(h.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(h.substr(i * 2, 2), 16);
  return out;
}

/** Lower-case spaced hex dump ("de ad be ef") of bytes, handy in assertions. */
export function toHex(b: Uint8Array, sep = " "): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join(sep);
}

/** Big-endian 16-bit value as 2 bytes. */
export function u16be(v: number): Uint8Array { return Uint8Array.of((v >>> 8) & 0xff, v & 0xff); }
/** Big-endian 32-bit value as 4 bytes. */
export function u32be(v: number): Uint8Array {
  return Uint8Array.of((v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
}

/** Parse a hardware address "aa:bb:cc:dd:ee:ff" (also '-' separated, any number of octets). */
export function parseMac(a: Addr): Uint8Array {
  if (a instanceof Uint8Array) return a;
  const parts = a.split(/[:\-]/);
  if (parts.some((p) => !/^[0-9a-fA-F]{1,2}$/.test(p))) throw new Error(`bad MAC address ${JSON.stringify(a)}`);
  return Uint8Array.from(parts, (p) => parseInt(p, 16));
}

/** Parse dotted-quad IPv4 text ("192.0.2.1") into 4 bytes. */
export function parseIPv4(a: Addr): Uint8Array {
  if (a instanceof Uint8Array) return a;
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(a.trim());
  if (!m) throw new Error(`bad IPv4 address ${JSON.stringify(a)}`);
  const out = Uint8Array.from(m.slice(1), Number);
  if (m.slice(1).some((x) => Number(x) > 255)) throw new Error(`bad IPv4 address ${JSON.stringify(a)}`);
  return out;
}

/** Parse IPv6 text in any RFC 4291 form ("::1", "2001:db8::1", "::ffff:1.2.3.4"; "[..]" and "%zone" tolerated) into 16 bytes. */
export function parseIPv6(a: Addr): Uint8Array {
  if (a instanceof Uint8Array) return a;
  const bad = () => new Error(`bad IPv6 address ${JSON.stringify(a)}`);
  let s = a.trim();
  if (s.startsWith("[") && s.endsWith("]")) s = s.slice(1, -1);
  const pct = s.indexOf("%");
  if (pct >= 0) s = s.slice(0, pct);
  let v4: Uint8Array | null = null;
  const lastColon = s.lastIndexOf(":");
  if (lastColon < 0) throw bad();
  if (s.indexOf(".", lastColon) >= 0) {
    v4 = parseIPv4(s.slice(lastColon + 1));
    s = s.slice(0, lastColon + 1) + "0:0";
  }
  const halves = s.split("::");
  if (halves.length > 2) throw bad();
  const groups = (p: string): number[] =>
    p === "" ? [] : p.split(":").map((g) => {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) throw bad();
      return parseInt(g, 16);
    });
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  if (halves.length === 2 ? head.length + tail.length > 7 : head.length !== 8) throw bad();
  const all = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  const out = new Uint8Array(16);
  all.forEach((g, i) => { out[2 * i] = g >> 8; out[2 * i + 1] = g & 0xff; });
  if (v4) out.set(v4, 12);
  return out;
}

/** Parse an IPv4 or IPv6 address (IPv6 if the text contains ':'); bytes pass through. */
export function parseIP(a: Addr): Uint8Array {
  if (a instanceof Uint8Array) return a;
  return a.includes(":") ? parseIPv6(a) : parseIPv4(a);
}

/** RFC 1071 Internet checksum (ones' complement of the ones'-complement sum) over the concatenated parts. */
export function inetChecksum(...parts: Uint8Array[]): number {
  const d = parts.length === 1 ? parts[0] : bytes(...parts);
  let sum = 0;
  for (let i = 0; i + 1 < d.length; i += 2) sum += (d[i] << 8) | d[i + 1];
  if (d.length & 1) sum += d[d.length - 1] << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return ~sum & 0xffff;
}

/** TCP/UDP/ICMPv6 pseudo-header (RFC 793 for 4-byte addresses, RFC 8200 §8.1 for 16-byte ones). */
export function pseudoHeader(src: Addr, dst: Addr, proto: number, length: number): Uint8Array {
  const s = parseIP(src), d = parseIP(dst);
  if (s.length !== d.length) throw new Error("pseudoHeader(): src and dst are of different IP versions");
  if (s.length === 4) return bytes(s, d, 0, proto, u16be(length));
  return bytes(s, d, u32be(length), 0, 0, 0, proto);
}

const CRC_TABLE = /* @__PURE__ */ (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (IEEE 802.3 / zlib) of the bytes, as an unsigned number. */
export function crc32(d: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < d.length; i++) c = CRC_TABLE[(c ^ d[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

// ───────────────────────────── constants ─────────────────────────────

/** Default addresses used when a builder is not given one (documentation ranges). */
export const DEFAULTS = {
  macSrc: "02:00:00:00:00:01",
  macDst: "02:00:00:00:00:02",
  ip4Src: "192.0.2.1",
  ip4Dst: "192.0.2.2",
  ip6Src: "2001:db8::1",
  ip6Dst: "2001:db8::2",
} as const;

/** Common EtherType values. */
export const ETH = { IPV4: 0x0800, ARP: 0x0806, VLAN: 0x8100, QINQ: 0x88a8, IPV6: 0x86dd, MPLS: 0x8847 } as const;
/** Common IP protocol / IPv6 next-header numbers. */
export const IPPROTO = {
  HOPOPTS: 0, ICMP: 1, IGMP: 2, IPIP: 4, TCP: 6, UDP: 17, IPV6: 41, ROUTING: 43, FRAGMENT: 44,
  GRE: 47, ESP: 50, AH: 51, ICMPV6: 58, NONE: 59, DSTOPTS: 60, SCTP: 132,
} as const;
/** Common pcap/pcapng LINKTYPE_ values. */
export const LINKTYPE = {
  NULL: 0, ETHERNET: 1, RAW: 101, IEEE802_11: 105, LOOP: 108, LINUX_SLL: 113, IEEE802_11_RADIOTAP: 127,
  IPV4: 228, IPV6: 229, LINUX_SLL2: 276,
} as const;
/** BSD/Linux address-family values used in DLT_NULL / DLT_LOOP headers. */
export const AF = { INET: 2, INET6_LINUX: 10, INET6_BSD: 24, INET6_FREEBSD: 28, INET6_DARWIN: 30 } as const;
/** TCP flag bits (NS is bit 8, stored in the low bit of the data-offset byte). */
export const TCP_FLAGS = {
  FIN: 0x01, SYN: 0x02, RST: 0x04, PSH: 0x08, ACK: 0x10, URG: 0x20, ECE: 0x40, CWR: 0x80, NS: 0x100,
} as const;
/** IPv4 flag bits as in the 3-bit flags field: RF (reserved/"evil") 4, DF 2, MF 1. */
export const IP4_FLAGS = { RF: 4, DF: 2, MF: 1 } as const;
/** DNS RR type numbers by mnemonic. */
export const DNS_TYPE = {
  A: 1, NS: 2, CNAME: 5, SOA: 6, PTR: 12, HINFO: 13, MX: 15, TXT: 16, AAAA: 28, SRV: 33, NAPTR: 35,
  OPT: 41, DS: 43, RRSIG: 46, NSEC: 47, DNSKEY: 48, SVCB: 64, HTTPS: 65, ANY: 255, URI: 256, CAA: 257,
} as const;

function parseFlags(v: number | string, table: Record<string, number>, what: string): number {
  if (typeof v === "number") return v;
  let r = 0;
  for (const name of v.split(/[|,+\s]+/).filter(Boolean)) {
    const bit = table[name.toUpperCase()];
    if (bit === undefined) throw new Error(`unknown ${what} flag ${JSON.stringify(name)}`);
    r |= bit;
  }
  return r;
}

// ───────────────────────────── link layers ─────────────────────────────

/** One 802.1Q tag: VLAN id, priority, drop-eligible bit and optional TPID (default 0x8100). */
export interface VlanTag { id: number; pcp?: number; dei?: boolean | number; tpid?: number }

/** Options of `ethernet()`. */
export interface EthernetOptions {
  dst?: Addr; src?: Addr;
  /** EtherType after the VLAN tags (default 0x0800). */
  type?: number;
  /** 802.1Q tags, outermost first (a number is a VLAN id); two tags = QinQ. */
  vlans?: Array<number | VlanTag>;
  /** TPID of the first (outer) tag, e.g. 0x88a8 for 802.1ad; later tags use 0x8100. */
  outerTpid?: number;
  payload?: Uint8Array;
  /** Zero-pad the frame (before any FCS) to at least this many bytes, e.g. 60. */
  padTo?: number;
  /** Append a 4-byte FCS: true = the correct CRC-32, a number = that value (both written little-endian as on the wire). */
  fcs?: boolean | number;
}

/** Ethernet II frame (dst, src, optional 802.1Q/802.1ad tags, EtherType, payload, optional padding/FCS). */
export function ethernet(o: EthernetOptions = {}): Uint8Array {
  const parts: ByteLike[] = [parseMac(o.dst ?? DEFAULTS.macDst), parseMac(o.src ?? DEFAULTS.macSrc)];
  (o.vlans ?? []).forEach((v, i) => {
    const t: VlanTag = typeof v === "number" ? { id: v } : v;
    const tpid = t.tpid ?? (i === 0 && o.outerTpid !== undefined ? o.outerTpid : ETH.VLAN);
    const tci = (((t.pcp ?? 0) & 7) << 13) | (t.dei ? 0x1000 : 0) | (t.id & 0xfff);
    parts.push(u16be(tpid), u16be(tci));
  });
  parts.push(u16be(o.type ?? ETH.IPV4), o.payload ?? new Uint8Array(0));
  let f = bytes(...parts);
  if (o.padTo !== undefined && f.length < o.padTo) f = bytes(f, new Uint8Array(o.padTo - f.length));
  if (o.fcs !== undefined && o.fcs !== false) {
    const c = typeof o.fcs === "number" ? o.fcs >>> 0 : crc32(f);
    f = bytes(f, c & 0xff, (c >>> 8) & 0xff, (c >>> 16) & 0xff, c >>> 24);
  }
  return f;
}

/** Options of `sll()` (Linux cooked capture v1, LINKTYPE 113). */
export interface SllOptions {
  /** 0 host, 1 broadcast, 2 multicast, 3 otherhost, 4 outgoing (default 0). */
  pkttype?: number;
  /** ARPHRD_ type (default 1 = Ethernet). */
  hatype?: number;
  /** Link-layer address (up to 8 bytes stored; default DEFAULTS.macSrc). */
  addr?: Addr;
  /** Override of the address-length field (default: actual address length). */
  addrLen?: number;
  /** Protocol (EtherType) field (default 0x0800). */
  protocol?: number;
  payload?: Uint8Array;
}

function addr8(a: Uint8Array): Uint8Array {
  const out = new Uint8Array(8);
  out.set(a.subarray(0, 8));
  return out;
}

/** Linux cooked capture v1 packet: 16-byte SLL header + payload. */
export function sll(o: SllOptions = {}): Uint8Array {
  const a = parseMac(o.addr ?? DEFAULTS.macSrc);
  return bytes(u16be(o.pkttype ?? 0), u16be(o.hatype ?? 1), u16be(o.addrLen ?? a.length), addr8(a),
    u16be(o.protocol ?? ETH.IPV4), o.payload ?? new Uint8Array(0));
}

/** Options of `sll2()` (Linux cooked capture v2, LINKTYPE 276). */
export interface Sll2Options extends SllOptions {
  /** Interface index (default 1). */
  ifindex?: number;
  /** Reserved field (default 0). */
  reserved?: number;
}

/** Linux cooked capture v2 packet: 20-byte SLL2 header + payload. */
export function sll2(o: Sll2Options = {}): Uint8Array {
  const a = parseMac(o.addr ?? DEFAULTS.macSrc);
  return bytes(u16be(o.protocol ?? ETH.IPV4), u16be(o.reserved ?? 0), u32be(o.ifindex ?? 1), u16be(o.hatype ?? 1),
    o.pkttype ?? 0, o.addrLen ?? a.length, addr8(a), o.payload ?? new Uint8Array(0));
}

/** BSD loopback (LINKTYPE_NULL 0) packet: 4-byte address family in host order (little-endian unless bigEndian) + payload. */
export function nullLoop(o: { family?: number; payload?: Uint8Array; bigEndian?: boolean } = {}): Uint8Array {
  const f = o.family ?? AF.INET;
  const hdr = o.bigEndian ? u32be(f) : u32be(f).reverse();
  return bytes(hdr, o.payload ?? new Uint8Array(0));
}

/** OpenBSD loopback (LINKTYPE_LOOP 108) packet: 4-byte big-endian address family + payload. */
export function loop(o: { family?: number; payload?: Uint8Array } = {}): Uint8Array {
  return bytes(u32be(o.family ?? AF.INET), o.payload ?? new Uint8Array(0));
}

/** Options of `arp()`. */
export interface ArpOptions {
  /** 1 request (default), 2 reply. */
  op?: number;
  senderMac?: Addr; senderIp?: Addr; targetMac?: Addr; targetIp?: Addr;
  htype?: number; ptype?: number; hlen?: number; plen?: number;
}

/** ARP packet for Ethernet/IPv4 (28 bytes by default). */
export function arp(o: ArpOptions = {}): Uint8Array {
  const sm = parseMac(o.senderMac ?? DEFAULTS.macSrc), tm = parseMac(o.targetMac ?? "00:00:00:00:00:00");
  const si = parseIP(o.senderIp ?? DEFAULTS.ip4Src), ti = parseIP(o.targetIp ?? DEFAULTS.ip4Dst);
  return bytes(u16be(o.htype ?? 1), u16be(o.ptype ?? ETH.IPV4), o.hlen ?? sm.length, o.plen ?? si.length,
    u16be(o.op ?? 1), sm, si, tm, ti);
}

// ───────────────────────────── network layers ─────────────────────────────

/** Options of `ipv4()`. */
export interface IPv4Options {
  src?: Addr; dst?: Addr;
  /** Protocol number (default 6 = TCP; see IPPROTO). */
  proto?: number;
  /** Default 64. */
  ttl?: number;
  /** Identification (default 0). */
  id?: number;
  /** DSCP/ECN byte (default 0). */
  tos?: number;
  /** 3-bit flags value (DF=2, MF=1, RF=4) or a string like "DF" / "MF|DF" (default 0). */
  flags?: number | string;
  /** Fragment offset field value, in 8-octet units (default 0). */
  fragOffset?: number;
  /** Raw option bytes; zero-padded (EOL) to a multiple of 4. */
  options?: Uint8Array;
  /** Override of the total-length field (default header + payload length). */
  totalLength?: number;
  /** Override of the header-length field in 32-bit words. */
  ihl?: number;
  /** Override of the version nibble (default 4). */
  version?: number;
  /** Explicit header checksum instead of the computed one. */
  xsum?: number;
  payload?: Uint8Array;
}

/** IPv4 packet with a correct header checksum (unless `xsum` is given). */
export function ipv4(o: IPv4Options = {}): Uint8Array {
  let opts = o.options ?? new Uint8Array(0);
  if (opts.length % 4) opts = bytes(opts, new Uint8Array(4 - (opts.length % 4)));
  const payload = o.payload ?? new Uint8Array(0);
  const hlen = 20 + opts.length;
  const flags = parseFlags(o.flags ?? 0, { ...IP4_FLAGS, EVIL: 4 }, "IPv4");
  const h = bytes(((o.version ?? 4) << 4) | ((o.ihl ?? hlen / 4) & 0xf), o.tos ?? 0,
    u16be(o.totalLength ?? hlen + payload.length), u16be(o.id ?? 0),
    u16be(((flags & 7) << 13) | ((o.fragOffset ?? 0) & 0x1fff)), o.ttl ?? 64, o.proto ?? IPPROTO.TCP, 0, 0,
    parseIPv4(o.src ?? DEFAULTS.ip4Src), parseIPv4(o.dst ?? DEFAULTS.ip4Dst), opts);
  const x = o.xsum ?? inetChecksum(h);
  h[10] = x >> 8; h[11] = x & 0xff;
  return bytes(h, payload);
}

/** One IPv6 extension header: `data` is everything after the next-header and length bytes. */
export interface IPv6Extension {
  /** 0 hop-by-hop, 43 routing, 44 fragment, 51 AH, 60 destination options (others are length-coded like routing). */
  type: number;
  data?: Uint8Array;
  /** Override of this header's next-header byte (default: the next extension's type or the packet's nextHeader). */
  nextHeader?: number;
  /** Override of this header's raw length byte. */
  length?: number;
}

/** Fragment-header `data` (6 bytes) for an IPv6 extension of type 44: offset in 8-octet units, M flag, identification. */
export function ipv6FragData(o: { offset?: number; more?: boolean; id?: number } = {}): Uint8Array {
  return bytes(u16be((((o.offset ?? 0) & 0x1fff) << 3) | (o.more ? 1 : 0)), u32be(o.id ?? 0));
}

function ipv6Ext(e: IPv6Extension, next: number): Uint8Array {
  let data = e.data ?? new Uint8Array(0);
  if (e.type === IPPROTO.FRAGMENT) {
    if (data.length < 6) data = bytes(data, new Uint8Array(6 - data.length));
    return bytes(e.nextHeader ?? next, e.length ?? 0, data);
  }
  if (e.type === IPPROTO.AH) {
    // AH length is in 4-octet units minus 2; IPv6 wants the total to be a multiple of 8.
    const rem = (2 + data.length) % 8;
    if (rem) data = bytes(data, new Uint8Array(8 - rem));
    return bytes(e.nextHeader ?? next, e.length ?? (2 + data.length) / 4 - 2, data);
  }
  const rem = (2 + data.length) % 8;
  if (rem) {
    const n = 8 - rem;
    const isOpts = e.type === IPPROTO.HOPOPTS || e.type === IPPROTO.DSTOPTS;
    // Options headers are padded with Pad1 / PadN options; others with zeros.
    const pad = !isOpts || n === 1 ? new Uint8Array(n) : bytes(1, n - 2, new Uint8Array(n - 2));
    data = bytes(data, pad);
  }
  return bytes(e.nextHeader ?? next, e.length ?? (2 + data.length) / 8 - 1, data);
}

/** Options of `ipv6()`. */
export interface IPv6Options {
  src?: Addr; dst?: Addr;
  /** Upper-layer protocol after all extensions (default 6 = TCP). */
  nextHeader?: number;
  /** Default 64. */
  hopLimit?: number;
  trafficClass?: number;
  flowLabel?: number;
  /** Override of the payload-length field (default extensions + payload). */
  payloadLength?: number;
  /** Extension headers in order; lengths and the next-header chain are filled in. */
  extensions?: IPv6Extension[];
  /** Override of the version nibble (default 6). */
  version?: number;
  payload?: Uint8Array;
}

/** IPv6 packet with optional extension headers (chain and lengths computed). */
export function ipv6(o: IPv6Options = {}): Uint8Array {
  const exts = o.extensions ?? [];
  const upper = o.nextHeader ?? IPPROTO.TCP;
  const extBytes = exts.map((e, i) => ipv6Ext(e, i + 1 < exts.length ? exts[i + 1].type : upper));
  const payload = o.payload ?? new Uint8Array(0);
  const body = bytes(...extBytes, payload);
  const vtf = (((o.version ?? 6) & 0xf) << 28) | (((o.trafficClass ?? 0) & 0xff) << 20) | ((o.flowLabel ?? 0) & 0xfffff);
  return bytes(u32be(vtf >>> 0), u16be(o.payloadLength ?? body.length), exts.length ? exts[0].type : upper,
    o.hopLimit ?? 64, parseIPv6(o.src ?? DEFAULTS.ip6Src), parseIPv6(o.dst ?? DEFAULTS.ip6Dst), body);
}

// ───────────────────────────── transport layers ─────────────────────────────

/** Addresses for a transport checksum's pseudo-header; missing ones default to DEFAULTS (IPv4 unless the other is IPv6). */
export interface PseudoAddrs { src?: Addr; dst?: Addr }

function pseudoAddrs(o: PseudoAddrs): [Uint8Array, Uint8Array] {
  const given = o.src ?? o.dst;
  const v6 = given !== undefined && parseIP(given).length === 16;
  return [parseIP(o.src ?? (v6 ? DEFAULTS.ip6Src : DEFAULTS.ip4Src)), parseIP(o.dst ?? (v6 ? DEFAULTS.ip6Dst : DEFAULTS.ip4Dst))];
}

/** One TCP option: kinds 0 (EOL) and 1 (NOP) without data are single bytes, others are kind,length,data. */
export interface TcpOption { kind: number; data?: Uint8Array | number[]; /** raw length-byte override */ length?: number }

/** TCP option constructors. */
export const tcpOpt = {
  /** End of option list (kind 0). */
  eol: (): TcpOption => ({ kind: 0 }),
  /** No-operation (kind 1). */
  nop: (): TcpOption => ({ kind: 1 }),
  /** Maximum segment size (kind 2). */
  mss: (n: number): TcpOption => ({ kind: 2, data: u16be(n) }),
  /** Window scale shift count (kind 3). */
  wscale: (n: number): TcpOption => ({ kind: 3, data: [n] }),
  /** SACK permitted (kind 4). */
  sackPermitted: (): TcpOption => ({ kind: 4 }),
  /** SACK blocks [[left, right], ...] (kind 5). */
  sack: (blocks: Array<[number, number]>): TcpOption => ({ kind: 5, data: bytes(...blocks.flatMap(([l, r]) => [u32be(l), u32be(r)])) }),
  /** Timestamps TSval / TSecr (kind 8). */
  timestamps: (val: number, ecr: number): TcpOption => ({ kind: 8, data: bytes(u32be(val), u32be(ecr)) }),
  /** Any option kind with raw data. */
  raw: (kind: number, data?: Uint8Array | number[]): TcpOption => ({ kind, data }),
};

/** Encode TCP options (array or raw bytes), zero-padded to a multiple of 4 bytes. */
export function tcpOptions(opts: TcpOption[] | Uint8Array): Uint8Array {
  let b: Uint8Array;
  if (opts instanceof Uint8Array) b = opts;
  else b = bytes(...opts.map((op) =>
    (op.kind === 0 || op.kind === 1) && op.data === undefined && op.length === undefined
      ? Uint8Array.of(op.kind)
      : bytes(op.kind, op.length ?? 2 + (op.data?.length ?? 0), op.data ?? [])));
  return b.length % 4 ? bytes(b, new Uint8Array(4 - (b.length % 4))) : b;
}

/** Options of `tcp()`. */
export interface TcpOptions extends PseudoAddrs {
  /** Default 49152. */
  srcPort?: number;
  /** Default 49153 (a port no dissector claims). */
  dstPort?: number;
  seq?: number; ack?: number;
  /** Flag bits or "SYN|ACK" style names (FIN SYN RST PSH ACK URG ECE CWR NS/AE); default "PSH|ACK" with payload, else "ACK". */
  flags?: number | string;
  /** Default 65535. */
  window?: number;
  /** Urgent pointer (default 0). */
  urg?: number;
  options?: TcpOption[] | Uint8Array;
  /** Override of the data-offset nibble (32-bit words). */
  dataOffset?: number;
  /** The 3 reserved bits (default 0). */
  reserved?: number;
  /** Explicit checksum instead of the computed one. */
  xsum?: number;
  payload?: Uint8Array;
}

/** TCP segment with a correct pseudo-header checksum (unless `xsum` is given). */
export function tcp(o: TcpOptions = {}): Uint8Array {
  const payload = o.payload ?? new Uint8Array(0);
  const opts = tcpOptions(o.options ?? []);
  const flags = parseFlags(o.flags ?? (payload.length ? "PSH|ACK" : "ACK"), { ...TCP_FLAGS, AE: 0x100 }, "TCP");
  const doff = o.dataOffset ?? (20 + opts.length) / 4;
  const seg = bytes(u16be(o.srcPort ?? 49152), u16be(o.dstPort ?? 49153), u32be(o.seq ?? 0), u32be(o.ack ?? 0),
    ((doff & 0xf) << 4) | (((o.reserved ?? 0) & 7) << 1) | ((flags >> 8) & 1), flags & 0xff,
    u16be(o.window ?? 65535), 0, 0, u16be(o.urg ?? 0), opts, payload);
  const [s, d] = pseudoAddrs(o);
  const x = o.xsum ?? inetChecksum(pseudoHeader(s, d, IPPROTO.TCP, seg.length), seg);
  seg[16] = x >> 8; seg[17] = x & 0xff;
  return seg;
}

/** Options of `udp()`. */
export interface UdpOptions extends PseudoAddrs {
  /** Default 49152. */
  srcPort?: number;
  /** Default 49153 (a port no dissector claims). */
  dstPort?: number;
  /** Override of the length field (default 8 + payload). */
  length?: number;
  /** Explicit checksum (0 = none over IPv4) instead of the computed one. */
  xsum?: number;
  payload?: Uint8Array;
}

/** UDP datagram with a correct pseudo-header checksum (a computed 0 is sent as 0xffff) unless `xsum` is given. */
export function udp(o: UdpOptions = {}): Uint8Array {
  const payload = o.payload ?? new Uint8Array(0);
  const len = o.length ?? 8 + payload.length;
  const dg = bytes(u16be(o.srcPort ?? 49152), u16be(o.dstPort ?? 49153), u16be(len), 0, 0, payload);
  const [s, d] = pseudoAddrs(o);
  let x = o.xsum;
  if (x === undefined) {
    x = inetChecksum(pseudoHeader(s, d, IPPROTO.UDP, len), dg);
    if (x === 0) x = 0xffff;
  }
  dg[6] = x >> 8; dg[7] = x & 0xff;
  return dg;
}

/** Options of `icmp4()`. */
export interface Icmp4Options {
  /** Default 8 (echo request). */
  type?: number;
  code?: number;
  /** Bytes 4..7 of the message (default: identifier and sequence from id/seq, i.e. zeros). */
  rest?: Uint8Array;
  /** Echo identifier used when `rest` is absent. */
  id?: number;
  /** Echo sequence number used when `rest` is absent. */
  seq?: number;
  xsum?: number;
  payload?: Uint8Array;
}

/** ICMPv4 message with a correct checksum (unless `xsum` is given). */
export function icmp4(o: Icmp4Options = {}): Uint8Array {
  const m = bytes(o.type ?? 8, o.code ?? 0, 0, 0, o.rest ?? bytes(u16be(o.id ?? 0), u16be(o.seq ?? 0)), o.payload ?? []);
  const x = o.xsum ?? inetChecksum(m);
  m[2] = x >> 8; m[3] = x & 0xff;
  return m;
}

/** Options of `icmp6()`; src/dst feed the pseudo-header (default DEFAULTS.ip6Src/ip6Dst). */
export interface Icmp6Options extends Omit<Icmp4Options, "type"> {
  /** Default 128 (echo request). */
  type?: number;
  src?: Addr; dst?: Addr;
}

/** ICMPv6 message with a correct pseudo-header checksum (unless `xsum` is given). */
export function icmp6(o: Icmp6Options = {}): Uint8Array {
  const m = bytes(o.type ?? 128, o.code ?? 0, 0, 0, o.rest ?? bytes(u16be(o.id ?? 0), u16be(o.seq ?? 0)), o.payload ?? []);
  const x = o.xsum ?? inetChecksum(
    pseudoHeader(o.src ?? DEFAULTS.ip6Src, o.dst ?? DEFAULTS.ip6Dst, IPPROTO.ICMPV6, m.length), m);
  m[2] = x >> 8; m[3] = x & 0xff;
  return m;
}

// ───────────────────────────── DNS ─────────────────────────────

/** A DNS name as text ("www.example.com", "" or "." for the root) or pre-encoded wire bytes (inserted verbatim). */
export type DnsName = string | Uint8Array;
/** A DNS RR type: number or mnemonic. */
export type DnsType = number | keyof typeof DNS_TYPE;

/** A DNS question. */
export interface DnsQuestion { name: DnsName; type?: DnsType; class?: number }

/** RDATA by type: A/AAAA address text; NS/CNAME/PTR name; MX/SOA/SRV/URI objects; TXT strings; OPT options; or raw bytes. */
export type DnsRData =
  | string
  | string[]
  | Uint8Array
  | { preference: number; name?: string; exchange?: string }
  | { mname: string; rname: string; serial: number; refresh: number; retry: number; expire: number; minimum: number }
  | { priority: number; weight: number; port: number; target: string }
  | { priority: number; weight: number; target: string }
  | Array<{ code: number; data?: Uint8Array }>;

/** A DNS resource record. For OPT (type 41) `class` is the UDP payload size (default 4096) and `ttl` the extended RCODE/version/flags. */
export interface DnsRecord {
  /** Default "" (root). */
  name?: DnsName;
  type: DnsType;
  /** Default 1 (IN); 4096 for OPT. */
  class?: number;
  /** Default 300 (0 for OPT). */
  ttl?: number;
  data?: DnsRData;
  /** Override of the RDLENGTH field. */
  rdlength?: number;
}

/** Options of `dns()`. */
export interface DnsOptions {
  /** Transaction id (default 0x1234). */
  id?: number;
  /** Whole 16-bit flags word; when absent it is assembled from qr/opcode/aa/tc/rd/ra/z/ad/cd/rcode. */
  flags?: number;
  /** Response bit (default: true when there are answers). */
  qr?: boolean;
  opcode?: number;
  aa?: boolean; tc?: boolean;
  /** Recursion desired (default true). */
  rd?: boolean;
  /** Recursion available (default = qr). */
  ra?: boolean;
  z?: boolean; ad?: boolean; cd?: boolean;
  rcode?: number;
  questions?: DnsQuestion[];
  answers?: DnsRecord[];
  authorities?: DnsRecord[];
  additionals?: DnsRecord[];
  /** Use RFC 1035 compression pointers for repeated names (exact, case-sensitive suffix match; never for SRV targets). */
  compress?: boolean;
  /** Override of the four section counts. */
  counts?: { qd?: number; an?: number; ns?: number; ar?: number };
  /** Prefix the 2-byte length used by DNS over TCP. */
  tcp?: boolean;
}

/** EDNS(0) OPT pseudo-record for `additionals`. */
export function dnsOpt(o: { udpSize?: number; extRcode?: number; version?: number; do?: boolean; z?: number; options?: Array<{ code: number; data?: Uint8Array }> } = {}): DnsRecord {
  const ttl = (((o.extRcode ?? 0) & 0xff) << 24) | (((o.version ?? 0) & 0xff) << 16) | (o.do ? 0x8000 : 0) | ((o.z ?? 0) & 0x7fff);
  return { name: "", type: DNS_TYPE.OPT, class: o.udpSize ?? 4096, ttl: ttl >>> 0, data: o.options ?? [] };
}

class DnsWriter {
  out: number[] = [];
  names = new Map<string, number>();
  constructor(public compress: boolean) {}
  u8(v: number) { this.out.push(v & 0xff); }
  u16(v: number) { this.out.push((v >>> 8) & 0xff, v & 0xff); }
  u32(v: number) { this.u16(v >>> 16); this.u16(v & 0xffff); }
  raw(b: ArrayLike<number>) { for (let i = 0; i < b.length; i++) this.out.push(b[i] & 0xff); }
  name(n: DnsName, compressible = true) {
    if (n instanceof Uint8Array) { this.raw(n); return; }
    const t = n.endsWith(".") ? n.slice(0, -1) : n;
    const labels = t === "" ? [] : t.split(".");
    for (let i = 0; i < labels.length; i++) {
      const key = labels.slice(i).join(".");
      const at = this.names.get(key);
      if (this.compress && compressible && at !== undefined) { this.u16(0xc000 | at); return; }
      if (this.out.length < 0x4000 && at === undefined) this.names.set(key, this.out.length);
      const l = utf8(labels[i]);
      if (l.length === 0 || l.length > 63) throw new Error(`dns(): bad label in ${JSON.stringify(n)}`);
      this.u8(l.length); this.raw(l);
    }
    this.u8(0);
  }
}

function dnsTypeNum(t: DnsType | undefined): number {
  if (t === undefined) return 1;
  if (typeof t === "number") return t;
  const v = DNS_TYPE[t];
  if (v === undefined) throw new Error(`dns(): unknown type ${t}`);
  return v;
}

function dnsRData(w: DnsWriter, type: number, data: DnsRData | undefined): void {
  if (data === undefined) return;
  if (data instanceof Uint8Array) { w.raw(data); return; }
  const d = data as any;
  switch (type) {
    case DNS_TYPE.A: w.raw(parseIPv4(d)); return;
    case DNS_TYPE.AAAA: w.raw(parseIPv6(d)); return;
    case DNS_TYPE.NS: case DNS_TYPE.CNAME: case DNS_TYPE.PTR: w.name(d); return;
    case DNS_TYPE.MX: w.u16(d.preference); w.name(d.name ?? d.exchange); return;
    case DNS_TYPE.SOA:
      w.name(d.mname); w.name(d.rname);
      for (const k of ["serial", "refresh", "retry", "expire", "minimum"]) w.u32(d[k] >>> 0);
      return;
    case DNS_TYPE.SRV: w.u16(d.priority); w.u16(d.weight); w.u16(d.port); w.name(d.target, false); return;
    case DNS_TYPE.URI: w.u16(d.priority); w.u16(d.weight); w.raw(utf8(d.target)); return;
    case DNS_TYPE.TXT:
      for (const s of typeof d === "string" ? [d] : d as Array<string | Uint8Array>) {
        const b = s instanceof Uint8Array ? s : utf8(s);
        if (b.length > 255) throw new Error("dns(): TXT string longer than 255 bytes");
        w.u8(b.length); w.raw(b);
      }
      return;
    case DNS_TYPE.OPT:
      for (const op of d as Array<{ code: number; data?: Uint8Array }>) {
        const b = op.data ?? new Uint8Array(0);
        w.u16(op.code); w.u16(b.length); w.raw(b);
      }
      return;
    default:
      if (typeof d === "string") { w.name(d, false); return; }
      throw new Error(`dns(): no encoder for type ${type}; pass raw Uint8Array data`);
  }
}

/** DNS message (header, questions, answer/authority/additional RRs) with optional name compression. */
export function dns(o: DnsOptions = {}): Uint8Array {
  const q = o.questions ?? [], an = o.answers ?? [], ns = o.authorities ?? [], ar = o.additionals ?? [];
  const qr = o.qr ?? an.length > 0;
  const flags = o.flags ?? (
    (qr ? 0x8000 : 0) | (((o.opcode ?? 0) & 0xf) << 11) | (o.aa ? 0x400 : 0) | (o.tc ? 0x200 : 0) |
    ((o.rd ?? true) ? 0x100 : 0) | ((o.ra ?? qr) ? 0x80 : 0) | (o.z ? 0x40 : 0) | (o.ad ? 0x20 : 0) |
    (o.cd ? 0x10 : 0) | ((o.rcode ?? 0) & 0xf));
  const w = new DnsWriter(!!o.compress);
  w.u16(o.id ?? 0x1234); w.u16(flags);
  w.u16(o.counts?.qd ?? q.length); w.u16(o.counts?.an ?? an.length);
  w.u16(o.counts?.ns ?? ns.length); w.u16(o.counts?.ar ?? ar.length);
  for (const x of q) { w.name(x.name); w.u16(dnsTypeNum(x.type)); w.u16(x.class ?? 1); }
  for (const r of [...an, ...ns, ...ar]) {
    const type = dnsTypeNum(r.type);
    const isOpt = type === DNS_TYPE.OPT;
    w.name(r.name ?? "");
    w.u16(type); w.u16(r.class ?? (isOpt ? 4096 : 1)); w.u32((r.ttl ?? (isOpt ? 0 : 300)) >>> 0);
    const lenAt = w.out.length;
    w.u16(0);
    dnsRData(w, type, r.data);
    const len = r.rdlength ?? w.out.length - lenAt - 2;
    w.out[lenAt] = (len >>> 8) & 0xff; w.out[lenAt + 1] = len & 0xff;
  }
  const msg = Uint8Array.from(w.out);
  return o.tcp ? bytes(u16be(msg.length), msg) : msg;
}

// ───────────────────────────── capture files ─────────────────────────────

/** A timestamp: float seconds (decimal digits taken exactly, up to 9), or seconds + nanoseconds / microseconds. */
export type Timestamp = number | { sec: number; nsec?: number; usec?: number };

/** Split a timestamp into whole seconds and nanoseconds (float seconds are read from their shortest decimal text). */
export function toSecNsec(ts: Timestamp): { sec: number; nsec: number } {
  if (typeof ts !== "number") return { sec: ts.sec, nsec: ts.nsec ?? (ts.usec ?? 0) * 1000 };
  if (!Number.isFinite(ts) || ts < 0) throw new Error(`bad timestamp ${ts}`);
  let s = String(ts);
  if (/e/i.test(s)) s = ts.toFixed(9);
  const [ip, fp = ""] = s.split(".");
  return { sec: Number(ip), nsec: Number((fp + "000000000").slice(0, 9)) };
}

class W {
  buf = new Uint8Array(64);
  pos = 0;
  constructor(public le: boolean) {}
  private room(n: number) {
    if (this.pos + n <= this.buf.length) return;
    let sz = this.buf.length * 2;
    while (sz < this.pos + n) sz *= 2;
    const b = new Uint8Array(sz);
    b.set(this.buf.subarray(0, this.pos));
    this.buf = b;
  }
  u8(v: number) { this.room(1); this.buf[this.pos++] = v & 0xff; }
  u16(v: number) {
    this.room(2);
    const a = (v >>> 8) & 0xff, b = v & 0xff;
    if (this.le) { this.buf[this.pos++] = b; this.buf[this.pos++] = a; } else { this.buf[this.pos++] = a; this.buf[this.pos++] = b; }
  }
  u32(v: number) {
    this.room(4);
    const x = [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
    if (this.le) x.reverse();
    this.buf.set(x, this.pos); this.pos += 4;
  }
  /** 64-bit integer in this byte order (two's complement for negatives). */
  u64(v: bigint | number) {
    const x = BigInt.asUintN(64, BigInt(v));
    const hi = Number(x >> 32n), lo = Number(x & 0xffffffffn);
    if (this.le) { this.u32(lo); this.u32(hi); } else { this.u32(hi); this.u32(lo); }
  }
  /** pcapng timestamp: high 32 bits then low 32 bits, each in this byte order. */
  ts(t: bigint) {
    const x = BigInt.asUintN(64, t);
    this.u32(Number(x >> 32n)); this.u32(Number(x & 0xffffffffn));
  }
  raw(b: Uint8Array) { this.room(b.length); this.buf.set(b, this.pos); this.pos += b.length; }
  pad4() { while (this.pos % 4) this.u8(0); }
  bytes() { return this.buf.slice(0, this.pos); }
}

/** One packet record for `pcap()`/`pcapng()` helpers; a bare Uint8Array means `{data}`. */
export interface PcapPacket {
  data: Uint8Array;
  /** Default: 1700000000 + index seconds. */
  ts?: Timestamp;
  /** Original-length field (default: data length before capLen truncation). */
  origLen?: number;
  /** Truncate the stored data to this many bytes. */
  capLen?: number;
  /** Raw override of the captured-length (incl_len) field. */
  inclLen?: number;
}

/** Options of `pcap()`. */
export interface PcapOptions {
  /** LINKTYPE_ value (default 1 Ethernet); upper FCS bits may be included. */
  linkType?: number;
  /** Default 262144. */
  snaplen?: number;
  /** Nanosecond magic 0xa1b23c4d instead of microsecond 0xa1b2c3d4. */
  nano?: boolean;
  /** Write big-endian instead of little-endian. */
  bigEndian?: boolean;
  /** Override of the magic number. */
  magic?: number;
  /** Default [2, 4]. */
  version?: [number, number];
  thiszone?: number;
  sigfigs?: number;
}

/** Classic libpcap file: 24-byte header + records (microsecond or nanosecond timestamps, either byte order). */
export function pcap(packets: Array<PcapPacket | Uint8Array>, o: PcapOptions = {}): Uint8Array {
  const w = new W(!o.bigEndian);
  w.u32(o.magic ?? (o.nano ? 0xa1b23c4d : 0xa1b2c3d4));
  w.u16(o.version?.[0] ?? 2); w.u16(o.version?.[1] ?? 4);
  w.u32(o.thiszone ?? 0); w.u32(o.sigfigs ?? 0);
  w.u32(o.snaplen ?? 262144); w.u32(o.linkType ?? LINKTYPE.ETHERNET);
  packets.forEach((p0, i) => {
    const p: PcapPacket = p0 instanceof Uint8Array ? { data: p0 } : p0;
    const { sec, nsec } = toSecNsec(p.ts ?? 1700000000 + i);
    const data = p.capLen !== undefined ? p.data.subarray(0, p.capLen) : p.data;
    w.u32(sec); w.u32(o.nano ? nsec : Math.floor(nsec / 1000));
    w.u32(p.inclLen ?? data.length); w.u32(p.origLen ?? p.data.length);
    w.raw(data);
  });
  return w.bytes();
}

/** A pcapng option: raw bytes/UTF-8 text in `data`, or a number in the section byte order via u8/u16/u32/u64. */
export interface PcapngOption {
  code: number;
  data?: Uint8Array | string;
  u8?: number; u16?: number; u32?: number;
  /** 64-bit value (negative numbers are two's complement, e.g. if_tsoffset). */
  u64?: bigint | number;
  /** Raw option-length override. */
  length?: number;
}

/** Fields every option-bearing pcapng block accepts: extra options and an opt_comment shortcut. */
export interface CommonBlock { options?: PcapngOption[]; /** Adds an opt_comment (code 1) first. */ comment?: string }

/** Interface Description Block. `tsresol` is the raw if_tsresol byte (6 = µs, 9 = ns, 0x80|10 = 2^-10); `tsoffset` in seconds. */
export interface IdbBlock extends CommonBlock {
  type: "idb"; linkType?: number; snaplen?: number; name?: string; description?: string;
  tsresol?: number; tsoffset?: bigint | number; fcslen?: number;
}
/** Enhanced Packet Block: `ts` is bigint ticks in the interface's resolution, or seconds/{sec,nsec} converted with it (tsoffset is not subtracted). */
export interface EpbBlock extends CommonBlock {
  type: "epb"; iface?: number; ts?: bigint | Timestamp; data: Uint8Array; origLen?: number; capLen?: number;
  /** Adds epb_flags (code 2). */
  flags?: number;
}
/** Simple Packet Block (no options; readers derive the captured length from interface 0's snaplen). */
export interface SpbBlock { type: "spb"; data: Uint8Array; origLen?: number }
/** Obsolete Packet Block (type 2). */
export interface PbBlock extends CommonBlock {
  type: "pb"; iface?: number; drops?: number; ts?: bigint | Timestamp; data: Uint8Array; origLen?: number; capLen?: number;
}
/** One name-resolution record: an IP with its names, or a raw record. */
export type NrbRecord = { ip: Addr; names: string | string[] } | { type: number; value: Uint8Array };
/** Name Resolution Block. */
export interface NrbBlock extends CommonBlock { type: "nrb"; records: NrbRecord[] }
/** Interface Statistics Block (ifRecv/ifDrop add isb_ifrecv/isb_ifdrop). */
export interface IsbBlock extends CommonBlock {
  type: "isb"; iface?: number; ts?: bigint | Timestamp; ifRecv?: bigint | number; ifDrop?: bigint | number;
}
/** Decryption Secrets Block (default secrets type 0x544c534b, TLS key log). */
export interface DsbBlock extends CommonBlock { type: "dsb"; secretsType?: number; data: Uint8Array }
/** Custom Block (0x00000BAD copiable, or 0x40000BAD when copy is false). */
export interface CustomBlock extends CommonBlock { type: "custom"; pen?: number; data: Uint8Array; copy?: boolean }
/** Any block: body is padded to 32 bits and framed with both total-length fields (override with totalLength). */
export interface RawBlock { type: "raw"; blockType: number; body: Uint8Array; totalLength?: number }

/** Any pcapng block accepted in a section. */
export type PcapngBlock = IdbBlock | EpbBlock | SpbBlock | PbBlock | NrbBlock | IsbBlock | DsbBlock | CustomBlock | RawBlock;

/** One pcapng section: a Section Header Block followed by its blocks. */
export interface PcapngSection {
  bigEndian?: boolean;
  options?: PcapngOption[];
  comment?: string; hardware?: string; os?: string; userappl?: string;
  /** Default [1, 0]. */
  version?: [number, number];
  /** Section-length field: a value, or "auto" for the real length (default -1 = unspecified). */
  sectionLength?: bigint | number | "auto";
  blocks: PcapngBlock[];
}

function optBytes(w: W, opts: PcapngOption[]): void {
  if (!opts.length) return;
  for (const op of opts) {
    const v = new W(w.le);
    if (op.data !== undefined) v.raw(typeof op.data === "string" ? utf8(op.data) : op.data);
    else if (op.u8 !== undefined) v.u8(op.u8);
    else if (op.u16 !== undefined) v.u16(op.u16);
    else if (op.u32 !== undefined) v.u32(op.u32);
    else if (op.u64 !== undefined) v.u64(op.u64);
    w.u16(op.code); w.u16(op.length ?? v.pos); w.raw(v.bytes()); w.pad4();
  }
  w.u16(0); w.u16(0); // opt_endofopt
}

function withComment(b: CommonBlock, extra: PcapngOption[] = []): PcapngOption[] {
  return [...(b.comment !== undefined ? [{ code: 1, data: b.comment }] : []), ...extra, ...(b.options ?? [])];
}

function frame(le: boolean, type: number, body: Uint8Array, totalLength?: number): Uint8Array {
  const w = new W(le);
  const pad = (4 - (body.length % 4)) % 4;
  const total = totalLength ?? 12 + body.length + pad;
  w.u32(type); w.u32(total); w.raw(body); w.raw(new Uint8Array(pad)); w.u32(total);
  return w.bytes();
}

function unitsPerSec(tsresol: number): bigint {
  const n = BigInt(tsresol & 0x7f);
  return tsresol & 0x80 ? 1n << n : 10n ** n;
}

/** Convert a timestamp to pcapng ticks for an if_tsresol byte (bigints pass through as ticks). */
export function toTicks(ts: bigint | Timestamp, tsresol = 6): bigint {
  if (typeof ts === "bigint") return ts;
  const { sec, nsec } = toSecNsec(ts);
  const u = unitsPerSec(tsresol);
  return BigInt(sec) * u + (BigInt(nsec) * u) / 1000000000n;
}

/** pcapng file from one or more sections (an array, `{sections}`, or a single section). */
export function pcapng(spec: PcapngSection | PcapngSection[] | { sections: PcapngSection[] }): Uint8Array {
  const sections = Array.isArray(spec) ? spec : "sections" in spec ? spec.sections : [spec];
  const out: Uint8Array[] = [];
  for (const sec of sections) {
    const le = !sec.bigEndian;
    const resol: number[] = [];
    let pktIndex = 0;
    const tsOf = (iface: number, ts: bigint | Timestamp | undefined) =>
      toTicks(ts ?? 1700000000 + pktIndex, resol[iface] ?? 6);
    const blocks: Uint8Array[] = [];
    for (const b of sec.blocks) {
      const w = new W(le);
      switch (b.type) {
        case "idb": {
          resol.push(b.tsresol ?? 6);
          w.u16(b.linkType ?? LINKTYPE.ETHERNET); w.u16(0); w.u32(b.snaplen ?? 262144);
          const o: PcapngOption[] = [];
          if (b.name !== undefined) o.push({ code: 2, data: b.name });
          if (b.description !== undefined) o.push({ code: 3, data: b.description });
          if (b.tsresol !== undefined) o.push({ code: 9, u8: b.tsresol });
          if (b.fcslen !== undefined) o.push({ code: 13, u8: b.fcslen });
          if (b.tsoffset !== undefined) o.push({ code: 14, u64: b.tsoffset });
          optBytes(w, withComment(b, o));
          blocks.push(frame(le, 1, w.bytes()));
          break;
        }
        case "epb": case "pb": {
          const iface = b.iface ?? 0;
          const data = b.capLen !== undefined ? b.data.subarray(0, b.capLen) : b.data;
          if (b.type === "epb") w.u32(iface); else { w.u16(iface); w.u16(b.drops ?? 0); }
          w.ts(tsOf(iface, b.ts));
          w.u32(data.length); w.u32(b.origLen ?? b.data.length);
          w.raw(data); w.pad4();
          optBytes(w, withComment(b, b.type === "epb" && b.flags !== undefined ? [{ code: 2, u32: b.flags }] : []));
          blocks.push(frame(le, b.type === "epb" ? 6 : 2, w.bytes()));
          pktIndex++;
          break;
        }
        case "spb":
          w.u32(b.origLen ?? b.data.length); w.raw(b.data); w.pad4();
          blocks.push(frame(le, 3, w.bytes()));
          pktIndex++;
          break;
        case "nrb": {
          for (const r of b.records) {
            let type: number, value: Uint8Array;
            if ("ip" in r) {
              const ip = parseIP(r.ip);
              type = ip.length === 4 ? 1 : 2;
              value = bytes(ip, ...(typeof r.names === "string" ? [r.names] : r.names).map((n) => bytes(utf8(n), 0)));
            } else ({ type, value } = r);
            w.u16(type); w.u16(value.length); w.raw(value); w.pad4();
          }
          w.u16(0); w.u16(0); // nrb_record_end
          optBytes(w, withComment(b));
          blocks.push(frame(le, 4, w.bytes()));
          break;
        }
        case "isb": {
          const iface = b.iface ?? 0;
          w.u32(iface); w.ts(tsOf(iface, b.ts));
          const o: PcapngOption[] = [];
          if (b.ifRecv !== undefined) o.push({ code: 4, u64: b.ifRecv });
          if (b.ifDrop !== undefined) o.push({ code: 5, u64: b.ifDrop });
          optBytes(w, withComment(b, o));
          blocks.push(frame(le, 5, w.bytes()));
          break;
        }
        case "dsb":
          w.u32(b.secretsType ?? 0x544c534b); w.u32(b.data.length); w.raw(b.data); w.pad4();
          optBytes(w, withComment(b));
          blocks.push(frame(le, 10, w.bytes()));
          break;
        case "custom":
          w.u32(b.pen ?? 32473); w.raw(b.data); w.pad4();
          optBytes(w, withComment(b));
          blocks.push(frame(le, b.copy === false ? 0x40000bad : 0x00000bad, w.bytes()));
          break;
        case "raw":
          blocks.push(frame(le, b.blockType, b.body, b.totalLength));
          break;
        default:
          throw new Error(`pcapng(): unknown block type ${(b as { type: string }).type}`);
      }
    }
    const rest = bytes(...blocks);
    const shb = new W(le);
    shb.u32(0x1a2b3c4d);
    shb.u16(sec.version?.[0] ?? 1); shb.u16(sec.version?.[1] ?? 0);
    shb.u64(sec.sectionLength === "auto" ? rest.length : sec.sectionLength ?? -1);
    const o: PcapngOption[] = [];
    if (sec.hardware !== undefined) o.push({ code: 2, data: sec.hardware });
    if (sec.os !== undefined) o.push({ code: 3, data: sec.os });
    if (sec.userappl !== undefined) o.push({ code: 4, data: sec.userappl });
    optBytes(shb, withComment(sec, o));
    out.push(frame(le, 0x0a0d0d0a, shb.bytes()), rest);
  }
  return bytes(...out);
}
