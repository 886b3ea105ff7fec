// The L2 object of a record (Ethernet addresses, EtherType, VLAN tags; reference §2.3.1), and
// `encap`, the link-level encapsulations (a key pcap-sidecar does not have): plain Ethernet is
// cached per MAC pair and type; the rest is written out each time.

import { frag, w, b, lp, u32dec, pos, hex4 } from "./writer";
import { mac } from "./format";
import * as d from "../record/decode";
import { Encap } from "../wire/link";
import { be32 } from "../util/mem";
import { etherTypeName } from "../names";
import { comma, q } from "./emit";
import { L2_CACHE } from "./spans";

const K_L2 = frag("\"L2\":{");
const K_DST = frag("\"dst\":\"");
const K_ENCAP = frag("\"encap\":[");
const K_SRC = frag("\"src\":\"");
const K_TYPE = frag("\"type\":\"");
const K_VLAN = frag("\"vlan\":[");

/** Writes the record's L2 object and its comma. */
// @inline: the tunnel's inner layers made it a second caller, and the call on every packet cost (bench/icount.js).
@inline export function renderL2(): void {
  const l = d.link;
  // Plain Ethernet is made of the two MACs and the EtherType: cached by them.
  if (l.vlanCount == 0 && l.encapCount == 0) {
    const key = load<u64>(l.dst) & 0xffffffffffff | (<u64>load<u16>(l.src) << 48);
    const aux = <u64>load<u32>(l.src + 2) | (<u64>l.etherType << 32);
    if (L2_CACHE.emit(key, aux)) return;
    const s = pos;
    renderL2Text();
    L2_CACHE.put(key, aux, s);
  } else renderL2Text();
}

// Keys sorted: dst, encap, src, type, vlan — each only when the link layer has it.
function renderL2Text(): void {
  const l = d.link;
  w(K_L2);
  let sep = false;
  if (l.macs) { w(K_DST); mac(l.dst, 6); q(); sep = true; }
  if (l.encapCount > 0) { if (sep) comma(); w(K_ENCAP); renderLinkEncap(); b(0x5d); sep = true; }
  if (l.macs) { comma(); w(K_SRC); mac(l.src, 6); q(); }
  if (l.hasType) { if (sep) comma(); w(K_TYPE); lp(etherTypeName(l.etherType)); q(); sep = true; }
  if (l.vlanCount > 0) {
    if (sep) comma();
    w(K_VLAN);
    for (let i = 0; i < l.vlanCount; i++) { if (i > 0) comma(); u32dec(<u32>unchecked(l.vlans[i])); }
    b(0x5d);
  }
  b(0x7d); comma();
}

// By Encap (wire/link.ts).
const ENCAP_NAMES = [frag(""), frag("radiotap"), frag("802.11"), frag("fddi"), frag("chdlc"), frag("ppp"), frag("pppoe"),
  frag("llc_snap"), frag("mpls"), frag("pbb"), frag("ethernet"), frag("vntag"), frag("etag"), frag("nsh"), frag("fabricpath"), frag("nflog"), frag("cmd")];
const K_E_PROTOCOL = frag("{\"protocol\":\"0x");
const K_E_SESSION = frag("{\"session\":");
const K_E_LABELS = frag("{\"labels\":[");
const K_E_ISID = frag("{\"isid\":");
const K_E_SI = frag("{\"si\":");
const K_E_SPI = frag(",\"spi\":");
const K_E_SGT = frag("{\"sgt\":");
const K_E_DST = frag("{\"dst\":\"");
const K_E_SRC = frag("\",\"src\":\"");
const K_E_PROTECTED = frag("{\"protected\":true");

// Each encapsulation, outermost first, its values before `type` (sorted keys): PPP and Cisco
// HDLC `protocol`, PPPoE `session`, MPLS `labels`, PBB `isid`, NSH `si` and `spi`, Cisco MetaData `sgt`, an inner
// Ethernet frame `dst` and `src`, 802.11 `protected` when set.
function renderLinkEncap(): void {
  const l = d.link;
  for (let i = 0; i < l.encapCount; i++) {
    if (i > 0) comma();
    const k = <i32>unchecked(l.encapKind[i]), va = unchecked(l.encapA[i]), vb = unchecked(l.encapB[i]);
    switch (k) {
      case Encap.PPP: case Encap.CHDLC: w(K_E_PROTOCOL); hex4(va); q(); comma(); break;
      case Encap.PPPOE: w(K_E_SESSION); u32dec(va); comma(); break;
      case Encap.MPLS: {
        // The labels are read from the stack itself (RFC 3032 §2.1: the top 20 bits of each entry).
        w(K_E_LABELS);
        for (let j: u32 = 0; j < va; j++) { if (j > 0) comma(); u32dec(be32(l.base + <usize>(vb + (j << 2))) >> 12); }
        b(0x5d); comma(); break;
      }
      case Encap.PBB: w(K_E_ISID); u32dec(va); comma(); break;
      case Encap.CMD: w(K_E_SGT); u32dec(va); comma(); break;
      case Encap.NSH: w(K_E_SI); u32dec(vb); w(K_E_SPI); u32dec(va); comma(); break;
      case Encap.ETHERNET: w(K_E_DST); mac(l.base + <usize>vb, 6); w(K_E_SRC); mac(l.base + <usize>vb + 6, 6); q(); comma(); break;
      case Encap.DOT11: if (va != 0) { w(K_E_PROTECTED); comma(); } else b(0x7b); break;
      default: b(0x7b);
    }
    w(K_TYPE); w(unchecked(ENCAP_NAMES[k])); q(); b(0x7d);
  }
}
