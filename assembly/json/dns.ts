// The DNS object of a record (questions, answers and their rdata; reference §2.3.11), and of an
// UPDATE (RFC 2136 §2: zone, prerequisites, updates, additional records, with TSIG, RFC 8945).

import { frag, w, b, lp, u32dec, u64dec, str, strBody, hexBytes } from "./writer";
import { ip4 as fmtIp4, ip6 as fmtIp6 } from "./format";
import * as d from "../record/decode";
import { DnsRepr, DnsSection, dnsRR, dnsName, dnsOpcode, dnsRcode, dnsNameEnd, dnsNoRdata, DNS_OP_UPDATE } from "../wire/dns";
import { be16, be32 } from "../util/mem";
import { dnsTypeName, dnsClassName, dnsRcodeName, dnsOpcodeName, dnsOptCodeName, dnsTypeNameOr0, dnsClassNameOr0 } from "../names";
import { comma, q } from "./emit";

const K_DNS = frag("\"DNS\":{");
const K_ANSWERS = frag("\"answers\":[");
const K_ANSWERS_COUNT = frag(",\"answers_count\":");
const K_ANSWERS_COUNT0 = frag("\"answers_count\":");
const K_QUESTIONS = frag(",\"questions\":[");
const K_QUESTIONS_COUNT = frag(",\"questions_count\":");
const K_DNS_ID = frag("\"id\":");
const K_DNS_OP = frag(",\"op\":\"");
const K_RCODE = frag(",\"response_code\":\"");
const K_Q_CLASS = frag("{\"class\":\"");
const K_NAME_Q = frag("\",\"name\":\"");
const K_TYPE_END = frag("\",\"type\":\"");
const K_CLASS_C = frag("\"class\":\"");
const K_TTL_N = frag("\",\"ttl\":");
const K_TYPE_C = frag(",\"type\":");
const K_RR_A = frag("\"A\":\"");
const K_RR_AAAA = frag("\"AAAA\":\"");
const K_RR_CNAME = frag("\"CNAME\":\"");
const K_RR_NS = frag("\"NS\":\"");
const K_RR_PTR = frag("\"PTR\":\"");
const K_RR_MX = frag("\"MX\":{\"name\":\"");
const K_RR_MX_PREF = frag("\",\"preference\":");
const K_RR_SOA = frag("\"SOA\":{\"expire\":");
const K_RR_SOA_MNAME = frag(",\"mname\":\"");
const K_RR_SOA_REFRESH = frag("\",\"refresh\":");
const K_RR_SOA_RETRY = frag(",\"retry\":");
const K_RR_SOA_RNAME = frag(",\"rname\":\"");
const K_RR_SOA_SERIAL = frag("\",\"serial\":");
const K_RR_SRV = frag("\"SRV\":{\"name\":\"");
const K_RR_SRV_PORT = frag("\",\"port\":");
const K_RR_SRV_PRIO = frag(",\"priority\":");
const K_RR_SRV_WEIGHT = frag(",\"weight\":");
const K_RR_URI = frag("\"URI\":{\"priority\":");
const K_RR_URI_TARGET = frag(",\"target\":\"");
const K_RR_URI_WEIGHT = frag("\",\"weight\":");
const K_RR_OPT = frag("\"OPT\":[");
const K_RR_OPT_CODE = frag("{\"code\":\"");
const K_RR_OPT_DATA = frag("\",\"data\":\"");
const K_RR_TXT = frag("\"TXT\":[");
const K_RR_TSIG = frag("\"TSIG\":{\"algorithm\":\"");
const K_TSIG_ERROR = frag("\",\"error\":");
const K_TSIG_FUDGE = frag(",\"fudge\":");
const K_TSIG_MAC = frag(",\"mac\":\"");
const K_TSIG_MAC_SIZE = frag("\",\"mac_size\":");
const K_TSIG_ORIGINAL_ID = frag(",\"original_id\":");
const K_TSIG_OTHER_DATA = frag(",\"other_data\":\"");
const K_TSIG_OTHER_LEN = frag(",\"other_len\":");
const K_TSIG_TIME = frag(",\"time_signed\":");
// UPDATE (RFC 2136 §2): the sections by their names there, as tshark names them.
const K_UPD_ADDITIONAL = frag("\"additional\":[");
const K_UPD_ADDITIONAL_COUNT = frag("\"additional_count\":");
const K_UPD_PREREQ = frag(",\"prerequisites\":[");
const K_UPD_PREREQ_COUNT = frag(",\"prerequisites_count\":");
const K_UPD_UPDATES = frag(",\"updates\":[");
const K_UPD_UPDATES_COUNT = frag(",\"updates_count\":");
const K_UPD_ZONE = frag(",\"zone\":[");
const K_UPD_ZONE_COUNT = frag(",\"zone_count\":");
// Names of the root (RFC 1035 §3.1: the null label) and of the UPDATE sections' types and classes
// gopacket has no name for (RFC 8945 TSIG, RFC 1035 §3.2.3 QTYPE "*", RFC 2136 §1.3 NONE);
// `<` and `>` escaped as every string of the output (Go's HTML-safe escaping).
const K_ROOT = frag("\\u003cRoot\\u003e");
const K_TYPE_TSIG = frag("TSIG");
const K_ANY = frag("ANY");
const K_NONE = frag("NONE");
const K_TYPE_N = frag("TYPE");
const K_CLASS_N = frag("CLASS");

const NAME_BUF: usize = heap.alloc(256);

// Writes a validated DNS name of message m at offset off as a quoted-string body; the root (the
// empty name) as tshark writes it, <Root>.
function dnsNameStr(m: usize, off: i32): void {
  const n = dnsName(m, off, NAME_BUF);
  if (n == 0) w(K_ROOT); else strBody(NAME_BUF, n);
}

// Writes the type-specific key of a record (sorted before "class"); returns whether it wrote one.
function rdata(r: DnsRepr, type: u32, off: i32, len: i32): bool {
  const m = r.msg;
  const p = m + <usize>off;
  switch (type) {
    case 1: w(K_RR_A); fmtIp4(p); q(); return true;
    case 28: w(K_RR_AAAA); fmtIp6(p, true); q(); return true;
    case 5: w(K_RR_CNAME); dnsNameStr(m, off); q(); return true;
    case 2: w(K_RR_NS); dnsNameStr(m, off); q(); return true;
    case 12: w(K_RR_PTR); dnsNameStr(m, off); q(); return true;
    case 15: w(K_RR_MX); dnsNameStr(m, off + 2); w(K_RR_MX_PREF); u32dec(be16(p)); b(0x7d); return true;
    case 6: {
      const e1 = dnsNameEnd(m, r.len, off);
      const e2 = dnsNameEnd(m, r.len, e1);
      const f = m + <usize>e2;
      w(K_RR_SOA); u32dec(be32(f + 12)); w(K_RR_SOA_MNAME); dnsNameStr(m, off);
      w(K_RR_SOA_REFRESH); u32dec(be32(f + 4)); w(K_RR_SOA_RETRY); u32dec(be32(f + 8));
      w(K_RR_SOA_RNAME); dnsNameStr(m, e1); w(K_RR_SOA_SERIAL); u32dec(be32(f)); b(0x7d);
      return true;
    }
    case 33:
      w(K_RR_SRV); dnsNameStr(m, off + 6); w(K_RR_SRV_PORT); u32dec(be16(p + 4));
      w(K_RR_SRV_PRIO); u32dec(be16(p)); w(K_RR_SRV_WEIGHT); u32dec(be16(p + 2)); b(0x7d);
      return true;
    case 256:
      w(K_RR_URI); u32dec(be16(p)); w(K_RR_URI_TARGET); strBody(p + 4, len - 4);
      w(K_RR_URI_WEIGHT); u32dec(be16(p + 2)); b(0x7d);
      return true;
    case 41: {
      w(K_RR_OPT);
      let o = 0, n = 0;
      while (o + 4 <= len) {
        const ol = <i32>be16(p + <usize>(o + 2));
        if (n++) comma();
        w(K_RR_OPT_CODE); lp(dnsOptCodeName(be16(p + <usize>o))); w(K_RR_OPT_DATA);
        strBody(p + <usize>(o + 4), ol); q(); b(0x7d);
        o += 4 + ol;
      }
      b(0x5d);
      return true;
    }
    case 16: {
      // TXT character-strings (RFC 1035 §3.3.14); pcap-sidecar loses them (a bug), we keep them.
      w(K_RR_TXT);
      let o = 0, n = 0;
      while (o < len) {
        const sl = <i32>load<u8>(p + <usize>o);
        if (n++) comma();
        str(p + <usize>(o + 1), sl);
        o += 1 + sl;
      }
      b(0x5d);
      return true;
    }
    case 250: {
      // TSIG (RFC 8945 §4.2), laid out as parseDns checked it: algorithm name, time signed
      // (48 bits), fudge, MAC size, MAC, original id, error, other len, other data. The error is
      // a number: TSIG's 16 is BADSIG where the rcode table says BADVERS (RFC 8945 §3).
      const f = m + <usize>dnsNameEnd(m, r.len, off);
      const macLen = <i32>be16(f + 8);
      const o = f + 10 + <usize>macLen;
      const otherLen = <i32>be16(o + 4);
      w(K_RR_TSIG); dnsNameStr(m, off);
      w(K_TSIG_ERROR); u32dec(be16(o + 2)); w(K_TSIG_FUDGE); u32dec(be16(f + 6));
      w(K_TSIG_MAC); hexBytes(f + 10, macLen); w(K_TSIG_MAC_SIZE); u32dec(<u32>macLen);
      w(K_TSIG_ORIGINAL_ID); u32dec(be16(o));
      if (otherLen > 0) { w(K_TSIG_OTHER_DATA); hexBytes(o + 6, otherLen); q(); }
      w(K_TSIG_OTHER_LEN); u32dec(<u32>otherLen);
      w(K_TSIG_TIME); u64dec((<u64>be16(f) << 32) | <u64>be32(f + 2)); b(0x7d);
      return true;
    }
  }
  return false;
}

// The name of an UPDATE record's type: gopacket's, else TSIG, ANY, or TYPEnnn (RFC 3597 §5).
function updTypeName(t: u32): void {
  const n = dnsTypeNameOr0(t);
  if (n != 0) lp(n);
  else if (t == 250) w(K_TYPE_TSIG);
  else if (t == 255) w(K_ANY);
  else { w(K_TYPE_N); u32dec(t); }
}

// The name of an UPDATE record's class: IN, CS, CH, HS, NONE, ANY, else CLASSnnn (RFC 3597 §5).
function updClassName(c: u32): void {
  if (c == 255) { w(K_ANY); return; }
  if (c == 254) { w(K_NONE); return; }
  const n = dnsClassNameOr0(c);
  if (n != 0) lp(n); else { w(K_CLASS_N); u32dec(c); }
}

// One record: {<rdata key>, class, name, ttl, type}; UPDATE names its types and classes as RFC 2136 does.
function record(r: DnsRepr, k: i32, upd: bool): void {
  b(0x7b);
  const type = <u32>unchecked(r.rrType[k]);
  const cls = <u32>unchecked(r.rrClass[k]);
  const dl = <i32>unchecked(r.rrDataLen[k]);
  if (!dnsNoRdata(r, cls, dl) && rdata(r, type, unchecked(r.rrData[k]), dl)) comma();
  w(K_CLASS_C);
  if (upd) updClassName(cls); else lp(dnsClassName(cls));
  w(K_NAME_Q); dnsNameStr(r.msg, unchecked(r.rrName[k]));
  w(K_TTL_N); u32dec(unchecked(r.rrTtl[k])); w(K_TYPE_C); q();
  if (upd) updTypeName(type); else lp(dnsTypeName(type));
  q(); b(0x7d);
}

// The records remembered of section s, as a JSON array body.
function records(r: DnsRepr, s: DnsSection, upd: bool): void {
  const n = unchecked(r.rrN[<i32>s]);
  for (let i = 0; i < n; i++) { if (i > 0) comma(); record(r, dnsRR(s, i), upd); }
  b(0x5d);
}

// The questions (an UPDATE's zone section) remembered, as a JSON array body.
function questions(r: DnsRepr, upd: bool): void {
  for (let i = 0; i < r.qN; i++) {
    if (i > 0) comma();
    const cls = <u32>unchecked(r.qClass[i]), type = <u32>unchecked(r.qType[i]);
    w(K_Q_CLASS);
    if (upd) updClassName(cls); else lp(dnsClassName(cls));
    w(K_NAME_Q); dnsNameStr(r.msg, unchecked(r.qName[i])); w(K_TYPE_END);
    if (upd) updTypeName(type); else lp(dnsTypeName(type));
    q(); b(0x7d);
  }
  b(0x5d);
}

// An UPDATE's sections (RFC 2136 §2): additional, additional_count (DEBUG), id, op, prerequisites,
// prerequisites_count (DEBUG), response_code, updates, updates_count (DEBUG), zone, zone_count (DEBUG).
function renderUpdate(r: DnsRepr, dbg: bool): void {
  const nAr = unchecked(r.rrN[<i32>DnsSection.ADDITIONAL]);
  if (nAr > 0) { w(K_UPD_ADDITIONAL); records(r, DnsSection.ADDITIONAL, true); comma(); }
  if (dbg) { w(K_UPD_ADDITIONAL_COUNT); u32dec(r.arCount); comma(); }
  w(K_DNS_ID); u32dec(r.id); w(K_DNS_OP); lp(dnsOpcodeName(dnsOpcode(r))); q();
  if (unchecked(r.rrN[<i32>DnsSection.ANSWER]) > 0) { w(K_UPD_PREREQ); records(r, DnsSection.ANSWER, true); }
  if (dbg) { w(K_UPD_PREREQ_COUNT); u32dec(r.anCount); }
  w(K_RCODE); lp(dnsRcodeName(dnsRcode(r))); q();
  if (unchecked(r.rrN[<i32>DnsSection.AUTHORITY]) > 0) { w(K_UPD_UPDATES); records(r, DnsSection.AUTHORITY, true); }
  if (dbg) { w(K_UPD_UPDATES_COUNT); u32dec(r.nsCount); }
  if (r.qN > 0) { w(K_UPD_ZONE); questions(r, true); }
  if (dbg) { w(K_UPD_ZONE_COUNT); u32dec(r.qdCount); }
}

/** Writes the members of a DNS object of message r (its braces are the caller's). */
export function renderDnsBody(r: DnsRepr, dbg: bool): void {
  if (dnsOpcode(r) == DNS_OP_UPDATE) { renderUpdate(r, dbg); return; }
  // Keys: answers, answers_count (DEBUG), id, op, questions, questions_count (DEBUG), response_code.
  if (unchecked(r.rrN[<i32>DnsSection.ANSWER]) > 0) {
    w(K_ANSWERS); records(r, DnsSection.ANSWER, false);
    if (dbg) { w(K_ANSWERS_COUNT); u32dec(r.anCount); }
    comma();
  } else if (dbg) { w(K_ANSWERS_COUNT0); u32dec(r.anCount); comma(); }
  w(K_DNS_ID); u32dec(r.id); w(K_DNS_OP); lp(dnsOpcodeName(dnsOpcode(r))); q();
  if (r.qN > 0) { w(K_QUESTIONS); questions(r, false); }
  if (dbg) { w(K_QUESTIONS_COUNT); u32dec(r.qdCount); }
  w(K_RCODE); lp(dnsRcodeName(dnsRcode(r))); q();
}

/** Writes the DNS object of the packet's own DNS message (d.dns). */
export function renderDns(dbg: bool): void {
  w(K_DNS); renderDnsBody(d.dns, dbg); b(0x7d); comma();
}
