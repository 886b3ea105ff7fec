// The record's `message` line (reference §2.4): serial, interface, flow, protocol, endpoints, flags
// and lengths.

import { frag, w, wi, b, raw, u32dec, u64dec, u64decCached, i64dec, pos } from "./writer";
import * as d from "../record/decode";
import { Kind, Transport } from "../record/decode";
import { NetKind } from "../wire/link";
import { SUFFIX_BUF, R } from "./scratch";
import { arpIp } from "./arp";
import { comma, dstAddr, key, q, srcAddr } from "./emit";
import { icmpMsg } from "./icmp";
import { ackText, ackTextLen, flagStr, seqAckFor, seqText, seqTextLen } from "./tcp";
import { MSG_CACHE, Span, osMsgSpan, span } from "./spans";

const K_MESSAGE = frag("\"message\":\"#");
/** Bytes of `"message":"` before the message's text (record/entry.ts points past them). */
export const MESSAGE_KEY_BYTES: i32 = 11;
const K_BAR = frag(" | ");
const K_GT = frag(" \\u003e ");
const K_MSG_FLOW = frag(" | flow:");
const K_MSG_ARP = frag(" | ARP | ");
const K_MSG_ICMP4 = frag(" | ICMPv4 | ");
const K_MSG_ICMP6 = frag(" | ICMPv6 | ");
const K_MSG_UDP = frag(" | UDP | ");
const K_MSG_TCP = frag(" | TCP | ");
const K_MSG_LSA = frag("] | len/seq/ack:");
// The interface part of a message, " | @<index>/<escaped name>" (reference §2.4).
export function msgIface(index: i32, nameEsc: usize, nameEscLen: i32): void {
  w(K_BAR); b(0x40); i64dec(<i64>index); b(0x2f); raw(nameEsc, nameEscLen);
}

export function renderMessage(num: u64, analysed: bool, att: i32): void {
  wi(K_MESSAGE); u64dec(num);
  if (att >= 0) osMsgSpan(att); else span(Span.MSG_IFACE);
  switch (d.kind) {
    case Kind.L2: break;
    case Kind.ARP: {
      wi(K_MSG_FLOW); u64decCached(d.flow); wi(K_MSG_ARP);
      arpIp(d.arp.spa, d.arp.plen); wi(K_GT); arpIp(d.arp.tpa, d.arp.plen);
      break;
    }
    case Kind.ICMP: {
      wi(K_MSG_FLOW); u64decCached(d.flow); wi(d.transport == Transport.ICMP6 ? K_MSG_ICMP6 : K_MSG_ICMP4);
      srcAddr(); wi(K_GT); dstAddr(); wi(K_BAR); icmpMsg();
      break;
    }
    case Kind.L3: {
      wi(K_MSG_FLOW); u64decCached(d.flow); wi(K_BAR); srcAddr(); wi(K_GT); dstAddr();
      break;
    }
    case Kind.UDP: {
      const has = d.transport == Transport.UDP;
      msgAddrs(false, has ? d.udp.srcPort : 0, has ? d.udp.dstPort : 0);
      break;
    }
    case Kind.TCP: {
      const t = d.tcp;
      msgAddrs(true, t.srcPort, t.dstPort);
      wi(K_BAR); b(0x5b); flagStr(t.flags); wi(K_MSG_LSA);
      u32dec(<u32>t.payloadLen); b(0x2f);
      // seq and ack as L4 wrote them moments ago in this record
      if (seqAckFor == num) { raw(seqText, seqTextLen); b(0x2f); raw(ackText, ackTextLen); }
      else { u32dec(t.seq); b(0x2f); u32dec(t.ack); }
      if (analysed && R.suffixLen > 0) raw(SUFFIX_BUF, R.suffixLen);
      break;
    }
  }
  q(); comma();
}

// " | flow:<id> | TCP | <src>:<port> \u003e <dst>:<port>"; the part after the flow id is
// cached by IPv4 addresses and ports.
function msgAddrs(tcp: bool, sp: u32, dp: u32): void {
  w(K_MSG_FLOW); u64decCached(d.flow);
  const v4 = d.net == NetKind.IPV4;
  const key = v4 ? (<u64>load<u32>(d.ip4.src) << 32) | <u64>load<u32>(d.ip4.dst) : 0;
  const aux = (<u64>sp << 16) | <u64>dp | (tcp ? 0x100000000 : 0);
  if (v4 && MSG_CACHE.emit(key, aux)) return;
  const s = pos;
  w(tcp ? K_MSG_TCP : K_MSG_UDP);
  srcAddr(); b(0x3a); u32dec(sp); w(K_GT); dstAddr(); b(0x3a); u32dec(dp);
  if (v4) MSG_CACHE.put(key, aux, s);
}
