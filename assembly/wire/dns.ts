// DNS messages (RFC 1035 §4.1, EDNS0 OPT RFC 6891, SRV RFC 2782, URI RFC 7553, UPDATE RFC 2136,
// TSIG RFC 8945). parseDns validates the whole message once — every name, every record of all
// four sections — and remembers where the questions and the records of each section are;
// dnsName() then decodes a validated name without further checks. What it remembered before a
// problem stays valid, so a message cut short (the quote of an ICMP error) can be shown as far as
// it goes. Compression pointers must point backwards, before the place they
// are read from, so a name can never loop (RFC 1035 §4.1.4 only ever needs prior
// occurrences); MAX_DNS_POINTERS bounds the work anyway.

import { MAX_DNS_RECORDS, MAX_DNS_POINTERS } from "../config";
import { be16, be32 } from "../util/mem";
import { WireErr } from "./errors";

/** Sections after the questions (RFC 1035 §4.1; RFC 2136 §2: prerequisite, update, additional). */
export const enum DnsSection { ANSWER = 0, AUTHORITY = 1, ADDITIONAL = 2 }

/** Decoded DNS message: header fields plus the positions of questions and records. */
export class DnsRepr {
  msg: usize = 0;
  len: i32 = 0;
  id: u32 = 0;
  flags: u32 = 0;
  qdCount: u32 = 0;
  anCount: u32 = 0;
  nsCount: u32 = 0;
  arCount: u32 = 0;
  /** Questions remembered (at most MAX_DNS_RECORDS). */
  qN: i32 = 0;
  qName: StaticArray<i32> = new StaticArray<i32>(MAX_DNS_RECORDS);
  qType: StaticArray<u16> = new StaticArray<u16>(MAX_DNS_RECORDS);
  qClass: StaticArray<u16> = new StaticArray<u16>(MAX_DNS_RECORDS);
  /** Records remembered per section (at most MAX_DNS_RECORDS each), indexed by DnsSection. */
  rrN: StaticArray<i32> = new StaticArray<i32>(3);
  /** A record's fields at dnsRR(section, k): name and RDATA as message offsets. */
  rrName: StaticArray<i32> = new StaticArray<i32>(3 * MAX_DNS_RECORDS);
  rrType: StaticArray<u16> = new StaticArray<u16>(3 * MAX_DNS_RECORDS);
  rrClass: StaticArray<u16> = new StaticArray<u16>(3 * MAX_DNS_RECORDS);
  rrTtl: StaticArray<u32> = new StaticArray<u32>(3 * MAX_DNS_RECORDS);
  rrData: StaticArray<i32> = new StaticArray<i32>(3 * MAX_DNS_RECORDS);
  rrDataLen: StaticArray<u16> = new StaticArray<u16>(3 * MAX_DNS_RECORDS);
}

/** Index in the rr* arrays of the k-th record remembered in section s. */
@inline export function dnsRR(s: DnsSection, k: i32): i32 { return <i32>s * MAX_DNS_RECORDS + k; }

/** Opcode (RFC 1035 §4.1.1). */
@inline export function dnsOpcode(r: DnsRepr): u32 { return (r.flags >> 11) & 15; }
/** Response code (RFC 1035 §4.1.1). */
@inline export function dnsRcode(r: DnsRepr): u32 { return r.flags & 15; }
/** Opcode of UPDATE (RFC 2136 §1.3). */
export const DNS_OP_UPDATE: u32 = 5;

/**
 * Whether a record of an UPDATE carries no RDATA on purpose: class ANY (255) or NONE (254) with
 * RDLENGTH 0 asks whether an RRset or name exists (RFC 2136 §2.4.1, §2.4.3–2.4.5) or deletes
 * one (§2.5.2, §2.5.3), whatever RDATA the type would otherwise need.
 */
@inline export function dnsNoRdata(r: DnsRepr, cls: u32, rdlen: i32): bool {
  return rdlen == 0 && (cls == 254 || cls == 255) && dnsOpcode(r) == DNS_OP_UPDATE;
}

// Validates the name at off (RFC 1035 §3.1, §4.1.4). Returns the offset just after the name in
// place (after its first pointer, not after the pointer's target), or a WireErr negated when the
// name is invalid. The end is returned rather than left in a module variable: a record's RDATA
// can hold names too (NS, CNAME, PTR, MX, SOA, SRV), and validating them once overwrote the end
// of the record's own name, so its class and TTL were read from the bytes after the RDATA.
function skipName(m: usize, len: i32, off: i32): i32 {
  let p = off;
  let limit = len;       // bytes at or after `limit` may not be read (shrinks on each jump)
  let jumps = 0;
  let textLen = 0;
  let end = -1;
  while (true) {
    if (p >= limit) return -WireErr.BAD_NAME;
    const c = <i32>load<u8>(m + <usize>p);
    if (c == 0) { if (end < 0) end = p + 1; break; }
    if ((c & 0xc0) == 0xc0) {
      if (p + 1 >= limit) return -WireErr.BAD_NAME;
      const target = ((c & 0x3f) << 8) | <i32>load<u8>(m + <usize>(p + 1));
      if (end < 0) end = p + 2;
      if (target >= p || ++jumps > MAX_DNS_POINTERS) return -WireErr.BAD_POINTER;
      limit = p; p = target;
      continue;
    }
    if ((c & 0xc0) != 0) return -WireErr.BAD_NAME; // 0x40 / 0x80 label types are obsolete
    if (p + 1 + c > limit) return -WireErr.BAD_NAME;
    textLen += c + (textLen > 0 ? 1 : 0);
    if (textLen > 255) return -WireErr.BAD_NAME;
    p += 1 + c;
  }
  return end;
}

// The WireErr of a negative skipName result.
@inline function nameErr(end: i32): WireErr { return <WireErr>(-end); }

/** Writes the dotted text of a validated name at off into dst; returns its length (≤ 255). */
export function dnsName(m: usize, off: i32, dst: usize): i32 {
  let p = off;
  let n = 0;
  while (true) {
    const c = <i32>load<u8>(m + <usize>p);
    if (c == 0) break;
    if ((c & 0xc0) == 0xc0) { p = ((c & 0x3f) << 8) | <i32>load<u8>(m + <usize>(p + 1)); continue; }
    if (n > 0) { store<u8>(dst + <usize>n, 0x2e); n++; }
    memory.copy(dst + <usize>n, m + <usize>(p + 1), <usize>c);
    n += c; p += 1 + c;
  }
  return n;
}

// Validates the type-specific RDATA at [off, off+rdlen).
function checkRdata(m: usize, len: i32, type: u32, off: i32, rdlen: i32): WireErr {
  const end = off + rdlen;
  switch (type) {
    case 1: return rdlen == 4 ? WireErr.OK : WireErr.BAD_RDATA;     // A
    case 28: return rdlen == 16 ? WireErr.OK : WireErr.BAD_RDATA;   // AAAA
    case 2: case 5: case 12: {                                      // NS, CNAME, PTR
      const e = skipName(m, len, off); if (e < 0) return nameErr(e);
      return e <= end ? WireErr.OK : WireErr.BAD_RDATA;
    }
    case 6: {                                                       // SOA: mname rname + 5×u32
      const e1 = skipName(m, len, off); if (e1 < 0) return nameErr(e1);
      const e2 = skipName(m, len, e1); if (e2 < 0) return nameErr(e2);
      return e2 + 20 <= end ? WireErr.OK : WireErr.BAD_RDATA;
    }
    case 15: {                                                      // MX: preference, exchange
      if (rdlen < 3) return WireErr.BAD_RDATA;
      const e = skipName(m, len, off + 2); if (e < 0) return nameErr(e);
      return e <= end ? WireErr.OK : WireErr.BAD_RDATA;
    }
    case 33: {                                                      // SRV (RFC 2782)
      if (rdlen < 7) return WireErr.BAD_RDATA;
      const e = skipName(m, len, off + 6); if (e < 0) return nameErr(e);
      return e <= end ? WireErr.OK : WireErr.BAD_RDATA;
    }
    case 250: {                                                     // TSIG (RFC 8945 §4.2)
      // algorithm name, time signed (48 bits), fudge, MAC size, MAC, original id, error, other len, other data
      const e = skipName(m, len, off); if (e < 0) return nameErr(e);
      if (e + 10 > end) return WireErr.BAD_RDATA;
      const o = e + 10 + <i32>be16(m + <usize>(e + 8));
      if (o + 6 > end) return WireErr.BAD_RDATA;
      return o + 6 + <i32>be16(m + <usize>(o + 4)) == end ? WireErr.OK : WireErr.BAD_RDATA;
    }
    case 256: return rdlen >= 4 ? WireErr.OK : WireErr.BAD_RDATA;   // URI
    case 16: {                                                      // TXT: <len><bytes>...
      let p = off;
      while (p < end) { p += 1 + <i32>load<u8>(m + <usize>p); }
      return p == end ? WireErr.OK : WireErr.BAD_RDATA;
    }
    case 41: {                                                      // OPT: code, len, data...
      let p = off;
      while (p + 4 <= end) { p += 4 + <i32>be16(m + <usize>(p + 2)); }
      return p == end ? WireErr.OK : WireErr.BAD_RDATA;
    }
  }
  return WireErr.OK;
}

/**
 * Validates a whole DNS message at p and records where its questions and records are. On an
 * error the questions and records before the problem are remembered, and valid.
 */
export function parseDns(p: usize, len: i32, r: DnsRepr): WireErr {
  r.msg = p; r.len = len; r.qN = 0;
  unchecked(r.rrN[0] = 0); unchecked(r.rrN[1] = 0); unchecked(r.rrN[2] = 0);
  r.id = 0; r.flags = 0; r.qdCount = 0; r.anCount = 0; r.nsCount = 0; r.arCount = 0;
  if (len < 12) return WireErr.TRUNCATED;
  r.id = be16(p); r.flags = be16(p + 2);
  r.qdCount = be16(p + 4); r.anCount = be16(p + 6); r.nsCount = be16(p + 8); r.arCount = be16(p + 10);
  let off = 12;
  for (let i: u32 = 0; i < r.qdCount; i++) {
    const nameEnd = skipName(p, len, off); if (nameEnd < 0) return nameErr(nameEnd);
    if (nameEnd + 4 > len) return WireErr.TRUNCATED;
    if (r.qN < MAX_DNS_RECORDS) {
      const k = r.qN++;
      unchecked(r.qName[k] = off);
      unchecked(r.qType[k] = <u16>be16(p + <usize>nameEnd));
      unchecked(r.qClass[k] = <u16>be16(p + <usize>(nameEnd + 2)));
    }
    off = nameEnd + 4;
  }
  const rrs = r.anCount + r.nsCount + r.arCount;
  for (let i: u32 = 0; i < rrs; i++) {
    // NAME, then TYPE, CLASS, TTL, RDLENGTH at fixed offsets from the end of NAME (RFC 1035
    // §4.1.3); nameEnd is this record's own, whatever names checkRdata validates in the RDATA.
    const nameEnd = skipName(p, len, off); if (nameEnd < 0) return nameErr(nameEnd);
    if (nameEnd + 10 > len) return WireErr.TRUNCATED;
    const type = be16(p + <usize>nameEnd);
    const cls = be16(p + <usize>(nameEnd + 2));
    const rdlen = <i32>be16(p + <usize>(nameEnd + 8));
    const data = nameEnd + 10;
    if (data + rdlen > len) return WireErr.TRUNCATED;
    if (!dnsNoRdata(r, cls, rdlen)) { const e = checkRdata(p, len, type, data, rdlen); if (e) return e; }
    const s: DnsSection = i < r.anCount ? DnsSection.ANSWER : i < r.anCount + r.nsCount ? DnsSection.AUTHORITY : DnsSection.ADDITIONAL;
    const n = unchecked(r.rrN[<i32>s]);
    if (n < MAX_DNS_RECORDS) {
      const k = dnsRR(s, n);
      unchecked(r.rrN[<i32>s] = n + 1);
      unchecked(r.rrName[k] = off);
      unchecked(r.rrType[k] = <u16>type);
      unchecked(r.rrClass[k] = <u16>cls);
      unchecked(r.rrTtl[k] = be32(p + <usize>(nameEnd + 4)));
      unchecked(r.rrData[k] = data);
      unchecked(r.rrDataLen[k] = <u16>rdlen);
    }
    off = data + rdlen;
  }
  return WireErr.OK;
}

/** Offset just after a name parseDns validated (for the fields that follow it); off itself if invalid. */
export function dnsNameEnd(m: usize, len: i32, off: i32): i32 { const e = skipName(m, len, off); return e < 0 ? off : e; }
