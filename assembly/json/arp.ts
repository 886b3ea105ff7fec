// The ARP object of a record (reference §2.3.2).

import { frag, w, u32dec, u64decCached } from "./writer";
import { ip4 as fmtIp4, mac } from "./format";
import * as d from "../record/decode";

const K_ARP = frag("\"ARP\":{\"dst\":{\"IP\":\"");
const K_ARP_MAC = frag("\",\"MAC\":\"");
const K_ARP_FLOW = frag("\"},\"flow\":\"");
const K_ARP_OP = frag("\",\"op\":");
const K_ARP_SRC = frag(",\"src\":{\"IP\":\"");
const K_CLOSE2 = frag("\"}},");
// ARP addresses use netip formatting of the first 4 protocol-address bytes (reference §2.3.2).
export function arpIp(p: usize, len: i32): void { if (len >= 4) fmtIp4(p); }

export function renderArp(): void {
  const a = d.arp;
  w(K_ARP); arpIp(a.tpa, a.plen); w(K_ARP_MAC); mac(a.tha, a.hlen);
  w(K_ARP_FLOW); u64decCached(d.arpFlow); w(K_ARP_OP); u32dec(a.op);
  w(K_ARP_SRC); arpIp(a.spa, a.plen); w(K_ARP_MAC); mac(a.sha, a.hlen); w(K_CLOSE2);
}
