import { GeneveRepr, parseGeneve, GENEVE_HDR_LEN } from "../../../assembly/wire/geneve";
import { InnerKind } from "../../../assembly/wire/tunnel";
import { WireErr } from "../../../assembly/wire/errors";
import { atEnd } from "./at-end";

const r = new GeneveRepr();
function parse(h: string): WireErr { return parseGeneve(hexBytes(h), hexLen(h), r); }
/** The first n bytes of h, ending at the end of memory (a read past them traps). */
function parseCut(h: string, n: i32): WireErr { return parseGeneve(atEnd(hexBytes(h), n), n, r); }

const IP4 = "45000014000040004001b9e60a0000010a000002";
const ETH = "003088010002 00163e37f604 0800" + IP4;
// Checked with tshark 4.0 (text2pcap -u 50000,6081): version 0, length 12 bytes, flags 0x40
// (critical options present), protocol 0x6558, VNI 5001; options class 0x0102 type 0x80
// (critical) length 8 with data deadbeef, and class 0xffff type 0x01 length 4; then Ethernet.
const OPTS = "0340 6558 001389 00" + "0102 80 01 deadbeef" + "ffff 01 00";
// The Geneve header of the corpus' tcpdump/gso-ipv4-geneve-ipv6.pcap (tshark: no options, VNI 5001).
const BARE = "0000 6558 001389 00";

describe("wire/geneve", () => {
  it("decodes the header, walks the options and points at the inner frame", () => {
    expect(parse(OPTS + ETH)).toBe(WireErr.OK);
    expect(r.version).toBe(0); expect(r.oam).toBe(false); expect(r.critical).toBe(true);
    expect(r.protocol).toBe(0x6558); expect(r.vni).toBe(5001);
    expect(r.optsLen).toBe(12); expect(r.optCount).toBe(2); expect(r.hdrLen).toBe(20);
    expect(load<u16>(r.opts)).toBe(0x0201);
    expect(r.inner).toBe(InnerKind.ETHERNET); expect(r.payloadLen).toBe(34); expect(load<u8>(r.payload + 1)).toBe(0x30);
  });
  it("decodes a header without options", () => {
    expect(parse(BARE + ETH)).toBe(WireErr.OK);
    expect(r.optsLen).toBe(0); expect(r.optCount).toBe(0); expect(r.hdrLen).toBe(8); expect(r.critical).toBe(false);
    expect(r.vni).toBe(5001); expect(r.payloadLen).toBe(34);
  });
  it("reads the O flag and the IPv4, IPv6 and unknown protocol types", () => {
    expect(parse("0080 0800 ffffff 00" + IP4)).toBe(WireErr.OK);
    expect(r.oam).toBe(true); expect(r.critical).toBe(false); expect(r.vni).toBe(0xffffff); expect(r.inner).toBe(InnerKind.IPV4);
    expect(parse("0000 86dd 000001 00")).toBe(WireErr.OK); expect(r.inner).toBe(InnerKind.IPV6); expect(r.payloadLen).toBe(0);
    expect(parse("0000 0806 000001 00")).toBe(WireErr.OK); expect(r.inner).toBe(InnerKind.UNKNOWN);
  });
  it("walks the largest option area (63 words)", () => {
    const big = "3f00 6558 000001 00" + "0001 01 1f" + "00".repeat(124) + "0001 02 1e" + "00".repeat(120);
    expect(parse(big + ETH)).toBe(WireErr.OK);
    expect(r.optsLen).toBe(252); expect(r.optCount).toBe(2); expect(r.hdrLen).toBe(260); expect(r.payloadLen).toBe(34);
  });
  it("rejects versions other than 0", () => {
    expect(parse("4000 6558 000001 00" + ETH)).toBe(WireErr.BAD_VERSION); expect(r.version).toBe(1);
    expect(r.payloadLen).toBe(0); expect(r.inner).toBe(InnerKind.UNKNOWN);
    expect(parse("c000 6558 000001 00")).toBe(WireErr.BAD_VERSION); expect(r.version).toBe(3);
  });
  it("reports an option running past the option area", () => {
    expect(parse("0100 6558 000001 00" + "0102 80 01" + "deadbeef" + ETH)).toBe(WireErr.BAD_OPTION);
    // The option area itself is sound: the inner packet is still located.
    expect(r.hdrLen).toBe(12); expect(r.inner).toBe(InnerKind.ETHERNET); expect(r.payloadLen).toBe(38);
    expect(parse("0200 6558 000001 00" + "0102 80 00" + "0102 80 01")).toBe(WireErr.BAD_OPTION);
    expect(r.optCount).toBe(1);
  });
  it("reports an option length beyond the captured bytes as TRUNCATED", () => {
    expect(parse("0400 6558 000001 00" + "0102 80 01 deadbeef")).toBe(WireErr.TRUNCATED);
    expect(r.payloadLen).toBe(0); expect(r.inner).toBe(InnerKind.UNKNOWN);
  });
  it("reports every cut inside the header or its options as TRUNCATED without reading past it", () => {
    const h = OPTS + ETH;
    for (let n = 0; n < 20; n++) {
      expect(parseCut(h, n)).toBe(WireErr.TRUNCATED); expect(r.payloadLen).toBe(0);
    }
    for (let n = 20; n <= hexLen(h); n++) {
      expect(parseCut(h, n)).toBe(WireErr.OK); expect(r.payloadLen).toBe(n - 20);
    }
    expect(GENEVE_HDR_LEN).toBe(8);
  });
});
