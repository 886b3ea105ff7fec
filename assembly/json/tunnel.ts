// The `tunnel` object of a record (a key pcap-sidecar does not have; it shows the outer layers
// only): each encapsulation, outermost first, with its identifier — VXLAN and Geneve `vni`, GRE
// `key`, GTP-U `teid`, ERSPAN `session`, Cisco MetaData `sgt`, MPLS `label` — and then the inner packet's layers,
// which record/render.ts writes with the layer renderers.

import { frag, w, b, u32dec } from "./writer";
import * as Tn from "../record/tunnels";
import { TunnelKind } from "../wire/tunnel";

/** `,"tunnel":{` (after the timestamp, the record's last key). */
export const K_TUNNEL = frag(",\"tunnel\":{\"encap\":[");
/** `],"inner":{` before the inner packet's layers. */
export const K_INNER = frag(",\"inner\":{");
const K_TYPE = frag("\"type\":\"");
const K_KEY = frag("{\"key\":");
const K_LABEL = frag("{\"label\":");
const K_SESSION = frag("{\"session\":");
const K_TEID = frag("{\"teid\":");
const K_SGT = frag("{\"sgt\":");
const K_VNI = frag(",\"vni\":");
// By TunnelKind (0 none … 13), then ERSPAN.
const NAMES = [frag(""), frag("ipip"), frag("ip6_in_ip"), frag("gre"), frag("etherip"), frag("mpls_in_ip"), frag("vxlan"), frag("vxlan_gpe"),
  frag("geneve"), frag("gtpu"), frag("teredo"), frag("ayiya"), frag("gre_in_udp"), frag("mpls_in_udp")];
const K_ERSPAN = frag("erspan");
const K_CMD = frag("cmd");

/** Writes the encapsulations list and closes it: [{…},…] (keys sorted in each). */
export function renderEncap(): void {
  for (let i = 0; i < Tn.count; i++) {
    if (i > 0) b(0x2c);
    const k = unchecked(Tn.kinds[i]), id = unchecked(Tn.ids[i]), has = unchecked(Tn.hasId[i]);
    const vni = has && (k == TunnelKind.VXLAN || k == TunnelKind.VXLAN_GPE || k == TunnelKind.GENEVE);
    // Keys sorted: key / label / session / teid come before type; vni after it.
    if (has && !vni) {
      w(k == TunnelKind.GRE || k == TunnelKind.GRE_IN_UDP ? K_KEY : k == TunnelKind.GTPU ? K_TEID : k == Tn.ERSPAN_KIND ? K_SESSION : k == Tn.CMD_KIND ? K_SGT : K_LABEL);
      u32dec(id); b(0x2c);
    } else b(0x7b);
    w(K_TYPE); w(k == Tn.ERSPAN_KIND ? K_ERSPAN : k == Tn.CMD_KIND ? K_CMD : k > 0 && k < NAMES.length ? unchecked(NAMES[k]) : unchecked(NAMES[0])); b(0x22);
    if (vni) { w(K_VNI); u32dec(id); }
    b(0x7d);
  }
  b(0x5d);
}
