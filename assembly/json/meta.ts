// The `meta` and `pcap` objects of a record (reference §2.1).

import { frag, w, wi, b, u32dec, u64dec, u64decCached } from "./writer";
import { rfc3339 } from "./format";
import * as d from "../record/decode";
import * as reader from "../capture/reader";
import { comma, q } from "./emit";
import { Span, span } from "./spans";

const K_META_DBG = frag("\"meta\":{\"cap_len\":");
const K_META_FLOW_C = frag(",\"flow\":\"");
const K_META_FLOW = frag("\"meta\":{\"flow\":\"");
const K_META_LEN = frag("\",\"len\":");
const K_META_TS = frag(",\"timestamp\":\"");
const K_META_TRUNC_T = frag("\",\"trunc\":true},");
const K_META_TRUNC_F = frag("\",\"trunc\":false},");
const K_PCAP_NUM = frag("\"pcap\":{\"num\":\"");
export function renderMeta(dbg: bool): void {
  if (dbg) {
    wi(K_META_DBG); u32dec(<u32>reader.pktCapLen); wi(K_META_FLOW_C); u64decCached(d.metaFlow);
    wi(K_META_LEN); u32dec(reader.pktOrigLen); wi(K_META_TS); rfc3339(reader.pktSec, reader.pktNsec);
  } else { wi(K_META_FLOW); u64decCached(d.metaFlow); }
  wi(d.truncated ? K_META_TRUNC_T : K_META_TRUNC_F);
}

export function renderPcap(dbg: bool, num: u64): void {
  if (dbg) span(Span.PCAP_DBG); else wi(K_PCAP_NUM);
  u64dec(num); q(); b(0x7d); comma();
}
