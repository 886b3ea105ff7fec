// The L2 object of a record (Ethernet addresses, EtherType, VLAN tags; reference §2.3.1), cached
// per MAC pair and type.

import { frag, w, b, lp, u32dec, pos } from "./writer";
import { mac } from "./format";
import * as d from "../record/decode";
import { etherTypeName } from "../names";
import { comma, key, q } from "./emit";
import { L2_CACHE } from "./spans";

const K_L2 = frag("\"L2\":{\"dst\":\"");
const K_SRC_Q = frag("\",\"src\":\"");
const K_TYPE_Q = frag("\",\"type\":\"");
const K_VLAN = frag("\",\"vlan\":[");
// @inline: the tunnel's inner layers made it a second caller, and the call on every packet cost (bench/icount.js).
@inline export function renderL2(): void {
  const l = d.link;
  // Without VLAN tags the block is made of the two MACs and the EtherType: cached by them.
  if (l.vlanCount == 0) {
    const key = load<u64>(l.dst) & 0xffffffffffff | (<u64>load<u16>(l.src) << 48);
    const aux = <u64>load<u32>(l.src + 2) | (<u64>l.etherType << 32);
    if (L2_CACHE.emit(key, aux)) return;
    const s = pos;
    renderL2Text();
    L2_CACHE.put(key, aux, s);
  } else renderL2Text();
}

function renderL2Text(): void {
  const l = d.link;
  w(K_L2); mac(l.dst, 6); w(K_SRC_Q); mac(l.src, 6); w(K_TYPE_Q); lp(etherTypeName(l.etherType));
  if (l.vlanCount > 0) {
    w(K_VLAN);
    for (let i = 0; i < l.vlanCount; i++) { if (i > 0) comma(); u32dec(<u32>unchecked(l.vlans[i])); }
    b(0x5d); b(0x7d); comma();
  } else { q(); b(0x7d); comma(); }
}
