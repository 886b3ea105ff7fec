// The L3 object of a record (IPv4 and IPv6 headers, flags, options, endpoints; reference
// §2.3.3–§2.3.5).

import { TEXT_CACHE_SLOTS, L3_EP_TEXT_MAX, L4_EP_TEXT_MAX } from "../config";
import { frag, wi, w, b, lp, u32dec, u64decCached, strBody, pos, TextCache } from "./writer";
import { ip4 as fmtIp4, ip6 as fmtIp6 } from "./format";
import * as d from "../record/decode";
import { NetKind } from "../wire/link";
import { ipProtocolName } from "../names";
import { K_ARROW, comma, dstAddr, key, q, srcAddr } from "./emit";

const K_L3 = frag("\"L3\":{");
const K_DST = frag("\"dst\":\"");
const K_ENDPOINTS = frag("\",\"endpoints\":{\"bwd\":\"");
export const K_EP_DST = frag("\",\"dst\":\"");
export const K_EP_FWD = frag("\",\"fwd\":\"");
export const K_EP_HASH = frag("\",\"hash\":\"");
export const K_EP_SRC = frag("\",\"src\":\"");
export const K_EP_END = frag("\"}");
const K_FLAGS_ARR = frag(",\"flags\":[");
const K_FLOW_C = frag(",\"flow\":\"");
const K_FLOW_Q = frag("\",\"flow\":\"");
const K_FOFF = frag("\",\"foff\":");
const K_ID = frag(",\"id\":");
const K_IHL = frag(",\"ihl\":");
const K_LEN = frag(",\"len\":");
const K_OPTS = frag(",\"opts\":[");
const K_PROTO_NAME = frag(",\"proto\":{\"name\":\"");
const K_PROTO_NUM_C = frag("\",\"num\":");
const K_PROTO_NUM = frag(",\"proto\":{\"num\":");
const K_SRC_CLOSE = frag("},\"src\":\"");
const K_TOS = frag("\",\"tos\":");
const K_TTL = frag(",\"ttl\":");
const K_V4 = frag(",\"v\":4,\"xsum\":");
const K_CLS = frag("\"cls\":");
export const K_DST_C = frag(",\"dst\":\"");
const K_LBL_Q = frag("\",\"lbl\":");
export const K_LBL_C = frag(",\"lbl\":");
const K_TTL_Q = frag("\",\"ttl\":");
const K_V6 = frag(",\"v\":6},");
const K_DATA = frag("{\"data\":\"");
const K_OPT_TYPE = frag("\",\"type\":");
const K_EVIL = frag("\"Evil\"");
const K_DF = frag("\"DF\"");
const K_MF = frag("\"MF\"");
const K_EMPTY_FLAG = frag("\"\"");

// The endpoints objects repeat for every packet of a connection: cached by addresses or ports.
const L3_EP_CACHE = new TextCache(TEXT_CACHE_SLOTS, L3_EP_TEXT_MAX);
export const L4_EP_CACHE = new TextCache(TEXT_CACHE_SLOTS, L4_EP_TEXT_MAX);

function l3Endpoints(): void {
  // IPv4: the two addresses are the key; IPv6 addresses do not fit one, so they are rendered.
  const v4 = d.net == NetKind.IPV4;
  const key = v4 ? (<u64>load<u32>(d.ip4.src) << 32) | <u64>load<u32>(d.ip4.dst) : 0;
  if (v4 && L3_EP_CACHE.emit(key, 0)) return;
  const start = pos;
  l3EndpointsText();
  if (v4) L3_EP_CACHE.put(key, 0, start);
}

function l3EndpointsText(): void {
  w(K_ENDPOINTS); dstAddr(); w(K_ARROW); srcAddr();
  w(K_EP_DST); dstAddr(); w(K_EP_FWD); srcAddr(); w(K_ARROW); dstAddr();
  w(K_EP_HASH);
  if (d.net == NetKind.IPV4) u64decCached(d.endpointHash(d.ip4.src, d.ip4.dst, 4, 1));
  else u64decCached(d.endpointHash(d.ip6.src, d.ip6.dst, 16, 2));
  w(K_EP_SRC); srcAddr(); w(K_EP_END);
}

const K_FOFF0_ID = frag("\",\"foff\":0,\"id\":");
const K_IHL5_LEN = frag(",\"ihl\":5,\"len\":");
const K_TOS0_TTL = frag("\",\"tos\":0,\"ttl\":");
const K_PROTO_TCP_SRC = frag(",\"proto\":{\"num\":6},\"src\":\"");
const K_PROTO_UDP_SRC = frag(",\"proto\":{\"num\":17},\"src\":\"");
const K_PROTO_TCP_SRC_DBG = frag(",\"proto\":{\"name\":\"TCP\",\"num\":6},\"src\":\"");
const K_PROTO_UDP_SRC_DBG = frag(",\"proto\":{\"name\":\"UDP\",\"num\":17},\"src\":\"");

// "proto":{...},"src":" (TCP and UDP as single fragments)
function protoSrc(num: u32, dbg: bool): void {
  if (num == 6) w(dbg ? K_PROTO_TCP_SRC_DBG : K_PROTO_TCP_SRC);
  else if (num == 17) w(dbg ? K_PROTO_UDP_SRC_DBG : K_PROTO_UDP_SRC);
  else { protoObj(num, dbg); w(K_SRC_CLOSE); }
}

function protoObj(num: u32, dbg: bool): void {
  if (dbg) { w(K_PROTO_NAME); lp(ipProtocolName(num)); w(K_PROTO_NUM_C); }
  else w(K_PROTO_NUM);
  u32dec(num);
}

export function renderL3(dbg: bool): void {
  wi(K_L3);
  if (d.net == NetKind.IPV4) {
    const ip = d.ip4;
    wi(K_DST); fmtIp4(ip.dst);
    if (dbg) {
      l3Endpoints();
      wi(K_FLAGS_ARR);
      // Go appends "Evil", "DF", "MF" in that order; with none set the array is [""].
      let n = 0;
      if (ip.flags & 4) { wi(K_EVIL); n++; }
      if (ip.flags & 2) { if (n++) comma(); wi(K_DF); }
      if (ip.flags & 1) { if (n++) comma(); wi(K_MF); }
      if (n == 0) wi(K_EMPTY_FLAG);
      b(0x5d); wi(K_FLOW_C);
    } else wi(K_FLOW_Q);
    // The usual values (no fragment offset, no options, TOS 0, TCP or UDP) are written with
    // their keys as one fragment.
    u64decCached(d.l3Flow);
    if (ip.fragOff == 0) wi(K_FOFF0_ID); else { wi(K_FOFF); u32dec(ip.fragOff); wi(K_ID); }
    u32dec(ip.id);
    if (ip.ihl == 5) wi(K_IHL5_LEN); else { wi(K_IHL); u32dec(ip.ihl); wi(K_LEN); }
    u32dec(ip.totalLen);
    if (ip.optsLen > 0) { wi(K_OPTS); ipv4Options(ip.opts, ip.optsLen); b(0x5d); }
    protoSrc(ip.proto, dbg);
    fmtIp4(ip.src);
    if (ip.tos == 0) wi(K_TOS0_TTL); else { wi(K_TOS); u32dec(ip.tos); wi(K_TTL); }
    u32dec(ip.ttl);
    wi(K_V4); u32dec(ip.xsum); b(0x7d); comma();
  } else {
    const ip = d.ip6;
    wi(K_CLS); u32dec(ip.tclass); wi(K_DST_C); fmtIp6(ip.dst, true);
    if (dbg) { l3Endpoints(); wi(K_FLOW_C); } else wi(K_FLOW_Q);
    u64decCached(d.l3Flow); q(); wi(K_LBL_C); u32dec(ip.flowLabel); wi(K_LEN); u32dec(ip.payloadLen);
    protoSrc(ip.nextHeader, dbg); fmtIp6(ip.src, true); wi(K_TTL_Q); u32dec(ip.hopLimit); wi(K_V6);
  }
}

// IPv4 options as gopacket splits them: EOL ends the list (rest is padding), NOP is one byte,
// others carry a length byte; a bad length ends the list.
function ipv4Options(p: usize, len: i32): void {
  let off = 0, n = 0;
  while (off < len) {
    const t = <u32>load<u8>(p + <usize>off);
    if (n++) comma();
    w(K_DATA);
    if (t == 0 || t == 1) {
      w(K_OPT_TYPE); u32dec(t); b(0x7d);
      if (t == 0) return;
      off++;
      continue;
    }
    if (off + 2 > len) { w(K_OPT_TYPE); u32dec(t); b(0x7d); return; }
    const ol = <i32>load<u8>(p + <usize>(off + 1));
    if (ol < 2 || off + ol > len) { w(K_OPT_TYPE); u32dec(t); b(0x7d); return; }
    strBody(p + <usize>(off + 2), ol - 2);
    w(K_OPT_TYPE); u32dec(t); b(0x7d);
    off += ol;
  }
}
