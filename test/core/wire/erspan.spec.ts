import { ErspanRepr, parseErspan, erspanTypeI, ERSPAN2_HDR_LEN, ERSPAN3_HDR_LEN, ERSPAN3_PLATFORM_LEN } from "../../../assembly/wire/erspan";
import { InnerKind } from "../../../assembly/wire/tunnel";
import { WireErr } from "../../../assembly/wire/errors";
import { atEnd } from "./at-end";

const r = new ErspanRepr();
function parse(h: string): WireErr { return parseErspan(hexBytes(h), hexLen(h), r); }
/** The first n bytes of h, ending at the end of memory (a read past them traps). */
function parseCut(h: string, n: i32): WireErr { return parseErspan(atEnd(hexBytes(h), n), n, r); }

const IP4 = "45000014000040004001b9e60a0000010a000002";
const ETH = "003088010002 00163e37f604 0800" + IP4;
// Checked with tshark 4.0 after GRE 100088be 0000002a (text2pcap -i 47): Type II, VLAN 100,
// COS 5, Encap "originally 802.1Q" (2), Truncated (1), SpanID 101, Reserved 0, Index 74565.
const TYPE2 = "1064 b465 00012345";
// Checked with tshark 4.0 after GRE 100022eb 0000002b: Type III, VLAN 100, COS 3, BSO short
// frame (1), not truncated, SpanID 1023, Timestamp 16909060, SGT 43981, Has Ethernet PDU 1,
// Frame Type Ethernet (0), Hardware ID 42, Direction Egress, granularity custom (3), Optional
// Sub headers 1; Platform ID 3, Port ID/Index 5, Upper 32-bit Timestamp 287454020.
const TYPE3 = "2064 6bff 01020304 abcd 82af" + "0c000005 11223344";
// Checked with tshark 4.0 after GRE 100022eb 0000002c: Type III, Frame Type IP (2), no
// subheader, Has Ethernet PDU 0, Direction Ingress, granularity 100 µs (0).
const TYPE3_IP = "2064 6bff 01020304 abcd 0800";

describe("wire/erspan", () => {
  it("decodes a type II header", () => {
    expect(parse(TYPE2 + ETH)).toBe(WireErr.OK);
    expect(r.version).toBe(1); expect(r.vlan).toBe(100); expect(r.cos).toBe(5); expect(r.encap).toBe(2);
    expect(r.frameTruncated).toBe(true); expect(r.sessionId).toBe(101); expect(r.index).toBe(74565);
    expect(r.bso).toBe(0); expect(r.hasPlatform).toBe(false); expect(r.hdrLen).toBe(ERSPAN2_HDR_LEN);
    expect(r.inner).toBe(InnerKind.ETHERNET); expect(r.payloadLen).toBe(34); expect(load<u8>(r.payload + 1)).toBe(0x30);
  });
  it("decodes a type II header with every field at its extreme", () => {
    expect(parse("1fff e7ff fff fffff".replaceAll(" ", "") + ETH)).toBe(WireErr.OK);
    expect(r.vlan).toBe(0xfff); expect(r.cos).toBe(7); expect(r.encap).toBe(0); expect(r.frameTruncated).toBe(true);
    expect(r.sessionId).toBe(1023); expect(r.index).toBe(0xfffff);
    expect(parse("1000 1800 00000000")).toBe(WireErr.OK);
    expect(r.encap).toBe(3); expect(r.frameTruncated).toBe(false); expect(r.sessionId).toBe(0); expect(r.payloadLen).toBe(0);
  });
  it("decodes a type III header with its platform-specific subheader", () => {
    expect(parse(TYPE3 + ETH)).toBe(WireErr.OK);
    expect(r.version).toBe(2); expect(r.vlan).toBe(100); expect(r.cos).toBe(3); expect(r.bso).toBe(1); expect(r.encap).toBe(0);
    expect(r.frameTruncated).toBe(false); expect(r.sessionId).toBe(1023); expect(r.timestamp).toBe(16909060);
    expect(r.sgt).toBe(43981); expect(r.pdu).toBe(true); expect(r.frameType).toBe(0); expect(r.hwId).toBe(42);
    expect(r.egress).toBe(true); expect(r.gra).toBe(3); expect(r.hasPlatform).toBe(true);
    expect(r.platformId).toBe(3); expect(load<u8>(r.platform + 7)).toBe(0x44);
    expect(r.hdrLen).toBe(ERSPAN3_HDR_LEN + ERSPAN3_PLATFORM_LEN);
    expect(r.inner).toBe(InnerKind.ETHERNET); expect(r.payloadLen).toBe(34);
  });
  it("decodes a type III header without the subheader, carrying an IP packet", () => {
    expect(parse(TYPE3_IP + IP4)).toBe(WireErr.OK);
    expect(r.hasPlatform).toBe(false); expect(r.platform).toBe(0); expect(r.platformId).toBe(0);
    expect(r.pdu).toBe(false); expect(r.frameType).toBe(2); expect(r.egress).toBe(false); expect(r.gra).toBe(0);
    expect(r.hdrLen).toBe(12); expect(r.inner).toBe(InnerKind.IPV4); expect(r.payloadLen).toBe(20);
    // An unknown frame type, or frame type IP with nothing after it, is UNKNOWN.
    expect(parse("2064 6bff 01020304 abcd 0c00" + IP4)).toBe(WireErr.OK); expect(r.frameType).toBe(3); expect(r.inner).toBe(InnerKind.UNKNOWN);
    expect(parse(TYPE3_IP)).toBe(WireErr.OK); expect(r.inner).toBe(InnerKind.UNKNOWN);
  });
  it("says which GRE payloads are type I (no ERSPAN header)", () => {
    expect(erspanTypeI(0x88be, false)).toBe(true);
    expect(erspanTypeI(0x88be, true)).toBe(false);
    expect(erspanTypeI(0x22eb, false)).toBe(false);
    expect(erspanTypeI(0x6558, false)).toBe(false);
  });
  it("rejects versions other than 1 and 2", () => {
    expect(parse("0064 b465 00012345")).toBe(WireErr.BAD_VERSION); expect(r.version).toBe(0);
    expect(parse("3064 b465 00012345 00000000")).toBe(WireErr.BAD_VERSION); expect(r.version).toBe(3);
    expect(parse("f064")).toBe(WireErr.BAD_VERSION); expect(r.payloadLen).toBe(0); expect(r.inner).toBe(InnerKind.UNKNOWN);
  });
  it("reports a subheader cut short, as in the corpus' tcpdump/erspan-type-iii-pb-1.pcap", () => {
    // The GRE payload of that capture (79 bytes captured): tshark shows Type III, VLAN 3373,
    // SGT 256, Optional Sub headers 1, then "Packet size limited during capture".
    expect(parse("2d2d0800 48000846 01000001 3d0e45")).toBe(WireErr.TRUNCATED);
    expect(r.vlan).toBe(3373); expect(r.bso).toBe(1); expect(r.sgt).toBe(256); expect(r.hasPlatform).toBe(true);
    expect(r.payloadLen).toBe(0); expect(r.inner).toBe(InnerKind.UNKNOWN);
  });
  it("reports every cut inside a header as TRUNCATED without reading past it", () => {
    const h2 = TYPE2 + ETH, h3 = TYPE3 + ETH;
    for (let n = 0; n < 8; n++) {
      const e = parseCut(h2, n);
      expect(e).toBe(WireErr.TRUNCATED); expect(r.payloadLen).toBe(0);
    }
    for (let n = 8; n <= hexLen(h2); n++) { expect(parseCut(h2, n)).toBe(WireErr.OK); expect(r.payloadLen).toBe(n - 8); }
    for (let n = 0; n < 20; n++) { expect(parseCut(h3, n)).toBe(WireErr.TRUNCATED); expect(r.payloadLen).toBe(0); }
    for (let n = 20; n <= hexLen(h3); n++) { expect(parseCut(h3, n)).toBe(WireErr.OK); expect(r.payloadLen).toBe(n - 20); }
  });
});
