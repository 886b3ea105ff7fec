// The `err` list of a record: one entry per layer that could not be decoded whole (reference §2.5).

import { frag, w, b } from "./writer";
import * as d from "../record/decode";
import { WireErr, wireReason } from "../wire/errors";
import { comma, q } from "./emit";

const K_ERR = frag("\"err\":[");
// By Layer (record/decode.ts), then the link-level encapsulations by Encap (wire/link.ts) from 1.
const LAYER_NAMES = [frag("Ethernet"), frag("Linux SLL"), frag("Loopback"), frag("ARP"), frag("IPv4"), frag("IPv6"),
  frag("TCP"), frag("UDP"), frag("ICMPv4"), frag("ICMPv6"), frag("DNS"),
  frag("RadioTap"), frag("Dot11"), frag("FDDI"), frag("CiscoHDLC"), frag("PPP"), frag("PPPoE"), frag("LLC"), frag("MPLS"),
  frag("PBB"), frag("Ethernet"), frag("VNTag"), frag("ETag"), frag("NSH"), frag("FabricPath"), frag("NFLog"), frag("CiscoMetaData")];
const WIRE_REASONS = new StaticArray<u64>(WireErr.COUNT);
function initReasons(): void { for (let i = 0; i < WireErr.COUNT; i++) unchecked(WIRE_REASONS[i] = frag(wireReason(<WireErr>i))); }
initReasons();
const K_ERR_LAYER = frag("{\"layer\":\"");
const K_ERR_MSG = frag("\",\"msg\":\"");

/** Writes the message of a decode problem (the text of an err entry's msg). */
export function wireMsg(e: WireErr): void { w(unchecked(WIRE_REASONS[<i32>e])); }

/** Writes the record's err list (one entry per layer that could not be decoded whole). */
export function renderErr(): void {
  w(K_ERR);
  for (let i = 0; i < d.errCount; i++) {
    if (i > 0) comma();
    w(K_ERR_LAYER); w(unchecked(LAYER_NAMES[unchecked(d.errLayer[i])]));
    w(K_ERR_MSG); w(unchecked(WIRE_REASONS[unchecked(d.errCode[i])])); q(); b(0x7d);
  }
  b(0x5d); comma();
}
