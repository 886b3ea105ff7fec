// The DNS object of a record (questions, answers and their rdata; reference §2.3.11).

import { frag, w, b, lp, u32dec, str, strBody } from "./writer";
import { ip4 as fmtIp4, ip6 as fmtIp6 } from "./format";
import * as d from "../record/decode";
import { dnsName, dnsOpcode, dnsRcode, dnsNameEnd } from "../wire/dns";
import { be16, be32 } from "../util/mem";
import { dnsTypeName, dnsClassName, dnsRcodeName, dnsOpcodeName, dnsOptCodeName } from "../names";
import { comma, q } from "./emit";
import { K_TYPE_C } from "./icmp";

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

// The root (RFC 1035 §3.1: the null label) as tshark names it, `<` and `>` escaped as every
// string of the output (Go's HTML-safe escaping).
const K_ROOT = frag("\\u003cRoot\\u003e");

const NAME_BUF: usize = heap.alloc(256);

// Writes a validated DNS name at message offset off as a quoted-string body; the root (the
// empty name) as tshark writes it, <Root>.
function dnsNameStr(off: i32): void {
  const n = dnsName(d.dns.msg, off, NAME_BUF);
  if (n == 0) w(K_ROOT); else strBody(NAME_BUF, n);
}

// Writes the type-specific key of an answer (sorted before "class"); returns whether it wrote one.
function rdata(type: u32, off: i32, len: i32): bool {
  const m = d.dns.msg;
  const p = m + <usize>off;
  switch (type) {
    case 1: w(K_RR_A); fmtIp4(p); q(); return true;
    case 28: w(K_RR_AAAA); fmtIp6(p, true); q(); return true;
    case 5: w(K_RR_CNAME); dnsNameStr(off); q(); return true;
    case 2: w(K_RR_NS); dnsNameStr(off); q(); return true;
    case 12: w(K_RR_PTR); dnsNameStr(off); q(); return true;
    case 15: w(K_RR_MX); dnsNameStr(off + 2); w(K_RR_MX_PREF); u32dec(be16(p)); b(0x7d); return true;
    case 6: {
      const e1 = dnsNameEnd(m, d.dns.len, off);
      const e2 = dnsNameEnd(m, d.dns.len, e1);
      const f = m + <usize>e2;
      w(K_RR_SOA); u32dec(be32(f + 12)); w(K_RR_SOA_MNAME); dnsNameStr(off);
      w(K_RR_SOA_REFRESH); u32dec(be32(f + 4)); w(K_RR_SOA_RETRY); u32dec(be32(f + 8));
      w(K_RR_SOA_RNAME); dnsNameStr(e1); w(K_RR_SOA_SERIAL); u32dec(be32(f)); b(0x7d);
      return true;
    }
    case 33:
      w(K_RR_SRV); dnsNameStr(off + 6); w(K_RR_SRV_PORT); u32dec(be16(p + 4));
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
  }
  return false;
}

export function renderDns(dbg: bool): void {
  const r = d.dns;
  w(K_DNS);
  // Keys: answers, answers_count (DEBUG), id, op, questions, questions_count (DEBUG), response_code.
  if (r.anCount > 0) {
    w(K_ANSWERS);
    for (let i = 0; i < r.aN; i++) {
      if (i > 0) comma();
      b(0x7b);
      const type = <u32>unchecked(r.aType[i]);
      if (rdata(type, unchecked(r.aData[i]), <i32>unchecked(r.aDataLen[i]))) comma();
      w(K_CLASS_C); lp(dnsClassName(<u32>unchecked(r.aClass[i]))); w(K_NAME_Q); dnsNameStr(unchecked(r.aName[i]));
      w(K_TTL_N); u32dec(unchecked(r.aTtl[i])); w(K_TYPE_C); q(); lp(dnsTypeName(type)); q(); b(0x7d);
    }
    b(0x5d);
    if (dbg) { w(K_ANSWERS_COUNT); u32dec(r.anCount); }
    comma();
  } else if (dbg) { w(K_ANSWERS_COUNT0); u32dec(0); comma(); }
  w(K_DNS_ID); u32dec(r.id); w(K_DNS_OP); lp(dnsOpcodeName(dnsOpcode(r))); q();
  if (r.qdCount > 0) {
    w(K_QUESTIONS);
    for (let i = 0; i < r.qN; i++) {
      if (i > 0) comma();
      w(K_Q_CLASS); lp(dnsClassName(<u32>unchecked(r.qClass[i]))); w(K_NAME_Q); dnsNameStr(unchecked(r.qName[i]));
      w(K_TYPE_END); lp(dnsTypeName(<u32>unchecked(r.qType[i]))); q(); b(0x7d);
    }
    b(0x5d);
  }
  if (dbg) { w(K_QUESTIONS_COUNT); u32dec(r.qdCount); }
  w(K_RCODE); lp(dnsRcodeName(dnsRcode(r))); q(); b(0x7d); comma();
}
