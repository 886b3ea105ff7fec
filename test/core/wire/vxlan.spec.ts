import { VxlanRepr, parseVxlan, gpeInnerKind, VXLAN_HDR_LEN } from "../../../assembly/wire/vxlan";
import { InnerKind } from "../../../assembly/wire/tunnel";
import { WireErr } from "../../../assembly/wire/errors";
import { atEnd } from "./at-end";

const r = new VxlanRepr();
function parse(h: string): WireErr { return parseVxlan(hexBytes(h), hexLen(h), r); }
/** The first n bytes of h, ending at the end of memory (a read past them traps). */
function parseCut(h: string, n: i32): WireErr { return parseVxlan(atEnd(hexBytes(h), n), n, r); }

const IP4 = "45000014000040004001b9e60a0000010a000002";
const ETH = "003088010002 00163e37f604 0800" + IP4;
const IP6 = "60000000 0000 3b 40 20010db8000000000000000000000001 20010db8000000000000000000000002";
// Checked with tshark 4.0 (text2pcap -u 50000,4789): flags 0x0800, VNI 100, inner Ethernet
// 00:30:88:01:00:02 ← 00:16:3e:37:f6:04 (the header and frame of the corpus' tcpdump/vxlan.pcap).
const VXLAN = "08 000000 000064 00" + ETH;
// Checked with tshark 4.0 (text2pcap -u 50000,4790): version 0, I, P, O set, next protocol
// IPv6 (2), VNI 43981, then an IPv6 header (tshark 4.0 shows the B bit 0x02 as reserved).
const GPE = "0f 0000 02 00abcd 00" + IP6;

describe("wire/vxlan", () => {
  it("decodes a VXLAN header and points at the inner Ethernet frame", () => {
    expect(parse(VXLAN)).toBe(WireErr.OK);
    expect(r.flags).toBe(0x08); expect(r.vniValid).toBe(true); expect(r.vni).toBe(100);
    expect(r.gpe).toBe(false); expect(r.nextProtocol).toBe(0);
    expect(r.inner).toBe(InnerKind.ETHERNET); expect(r.payloadLen).toBe(34);
    expect(load<u8>(r.payload)).toBe(0x00); expect(load<u8>(r.payload + 12)).toBe(0x08);
  });
  it("reports a VNI without the I flag as not valid, and takes the full 24 bits", () => {
    expect(parse("00 000000 ffffff ff")).toBe(WireErr.OK);
    expect(r.vniValid).toBe(false); expect(r.vni).toBe(0xffffff); expect(r.payloadLen).toBe(0);
  });
  it("decodes VXLAN-GPE's flags and next protocol", () => {
    expect(parse(GPE)).toBe(WireErr.OK);
    expect(r.gpe).toBe(true); expect(r.gpeVersion).toBe(0); expect(r.vniValid).toBe(true);
    expect(r.bum).toBe(true); expect(r.oam).toBe(true); expect(r.nextProtocol).toBe(2);
    expect(r.vni).toBe(43981); expect(r.inner).toBe(InnerKind.IPV6); expect(r.payloadLen).toBe(40);
    expect(parse("0c 0000 01 000001 00" + IP4)).toBe(WireErr.OK);
    expect(r.bum).toBe(false); expect(r.oam).toBe(false); expect(r.inner).toBe(InnerKind.IPV4);
  });
  it("maps every GPE next protocol", () => {
    expect(gpeInnerKind(1)).toBe(InnerKind.IPV4); expect(gpeInnerKind(2)).toBe(InnerKind.IPV6);
    expect(gpeInnerKind(3)).toBe(InnerKind.ETHERNET); expect(gpeInnerKind(4)).toBe(InnerKind.NSH);
    expect(gpeInnerKind(5)).toBe(InnerKind.MPLS); expect(gpeInnerKind(0)).toBe(InnerKind.UNKNOWN);
    expect(gpeInnerKind(6)).toBe(InnerKind.UNKNOWN);
  });
  it("rejects a GPE version other than 0", () => {
    expect(parse("1c 0000 01 000001 00" + IP4)).toBe(WireErr.BAD_VERSION);
    expect(r.gpeVersion).toBe(1); expect(r.inner).toBe(InnerKind.UNKNOWN); expect(r.payloadLen).toBe(0);
    expect(parse("3c 0000 01 000001 00")).toBe(WireErr.BAD_VERSION);
    // Without P the version bits are VXLAN's reserved bits: ignored (RFC 7348 §5).
    expect(parse("38 000000 000001 00")).toBe(WireErr.OK); expect(r.inner).toBe(InnerKind.ETHERNET);
  });
  it("reports every cut inside the header as TRUNCATED without reading past it", () => {
    for (let n = 0; n < VXLAN_HDR_LEN; n++) {
      expect(parseCut(VXLAN, n)).toBe(WireErr.TRUNCATED);
      expect(r.payloadLen).toBe(0); expect(r.inner).toBe(InnerKind.UNKNOWN);
    }
    for (let n = VXLAN_HDR_LEN; n <= hexLen(GPE); n++) {
      expect(parseCut(GPE, n)).toBe(WireErr.OK); expect(r.payloadLen).toBe(n - VXLAN_HDR_LEN);
    }
  });
});
