// The L4 object of a UDP datagram (reference §2.3.8; always verbose).

import { frag, w, b, lp, u32dec, u64decCached } from "./writer";
import * as d from "../record/decode";
import { udpPortName } from "../names";
import { K_L4, comma, q } from "./emit";
import { K_SPROTO, K_SRC_N, K_XSUM, l4Endpoints } from "./tcp";

const K_UDP_DPROTO = frag("\"dproto\":\"");
const K_UDP_DST = frag("\"dst\":");
const K_UDP_EP_END_FLOW = frag(",\"flow\":\"");
const K_UDP_LEN = frag("\",\"len\":");
const K_UDP_SIZE = frag(",\"size\":");

export function renderUdp(): void {
  const u = d.udp;
  w(K_L4);
  const dn = udpPortName(u.dstPort);
  if (dn) { w(K_UDP_DPROTO); lp(dn); q(); comma(); }
  w(K_UDP_DST); u32dec(u.dstPort);
  l4Endpoints(u.srcPort, u.dstPort, 5);
  w(K_UDP_EP_END_FLOW); u64decCached(d.l4Flow); w(K_UDP_LEN); u32dec(u.length);
  w(K_UDP_SIZE); u32dec(<u32>u.payloadLen);
  const sn = udpPortName(u.srcPort);
  if (sn) { w(K_SPROTO); lp(sn); q(); }
  w(K_SRC_N); u32dec(u.srcPort); w(K_XSUM); u32dec(u.xsum); b(0x7d); comma();
}
