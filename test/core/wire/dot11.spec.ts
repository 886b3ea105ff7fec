import { Dot11Repr, parseDot11, Dot11Type } from "../../../assembly/wire/dot11";
import { WireErr } from "../../../assembly/wire/errors";
import { atEnd } from "./at-end";

const r = new Dot11Repr();
function parse(h: string): WireErr { return parseDot11(hexBytes(h), hexLen(h), r); }
const A = "021111111111 022222222222 023333333333";
const A4 = "024444444444";
function addr(p: usize): u8 { return load<u8>(p + 1); }

describe("wire/dot11", () => {
  it("takes each data frame's destination and source by To DS / From DS", () => {
    // tshark 4.0 (text2pcap -l 105), wlan.da / wlan.sa: 0 0 → A1/A2, To DS → A3/A2, From DS → A1/A3, both → A3/A4.
    expect(parse("0800 0000 " + A + " 1000")).toBe(WireErr.OK); expect(addr(r.dst)).toBe(0x11); expect(addr(r.src)).toBe(0x22); expect(r.hdrLen).toBe(24);
    expect(parse("0801 0000 " + A + " 1000")).toBe(WireErr.OK); expect(addr(r.dst)).toBe(0x33); expect(addr(r.src)).toBe(0x22);
    expect(parse("0802 0000 " + A + " 1000")).toBe(WireErr.OK); expect(addr(r.dst)).toBe(0x11); expect(addr(r.src)).toBe(0x33);
    expect(parse("0803 0000 " + A + " 1000 " + A4)).toBe(WireErr.OK); expect(addr(r.dst)).toBe(0x33); expect(addr(r.src)).toBe(0x44); expect(r.hdrLen).toBe(30);
    expect(r.type).toBe(Dot11Type.DATA); expect(r.body).toBe(true);
  });
  it("counts QoS Control and HT Control", () => {
    // tshark 4.0: QoS Data (0x0028) with +HTC and four addresses, then LLC at 36.
    expect(parse("8883 0000 " + A + " 1000 " + A4 + " 0000 00000000")).toBe(WireErr.OK); expect(r.hdrLen).toBe(36);
    expect(parse("8801 0000 " + A + " 1000 0000")).toBe(WireErr.OK); expect(r.hdrLen).toBe(26);
    // +HTC/Order in a non-QoS data frame adds nothing (§9.2.4.1.10).
    expect(parse("0881 0000 " + A + " 1000")).toBe(WireErr.OK); expect(r.hdrLen).toBe(24);
  });
  it("flags protected bodies, A-MSDUs and frames without a body", () => {
    expect(parse("0841 0000 " + A + " 1000")).toBe(WireErr.OK); expect(r.isProtected).toBe(true);
    // tshark 4.0 splits this A-MSDU into subframes; it is not one LLC packet.
    expect(parse("8800 0000 " + A + " 1000 8000")).toBe(WireErr.OK); expect(r.amsdu).toBe(true);
    expect(parse("4801 0000 " + A + " 1000")).toBe(WireErr.OK); expect(r.body).toBe(false); // Null function
    expect(parse("c801 0000 " + A + " 1000 0000")).toBe(WireErr.OK); expect(r.body).toBe(false); // QoS Null
  });
  it("addresses management frames DA A1, SA A2, and names none for control frames", () => {
    expect(parse("8000 0000 ffffffffffff 022222222222 023333333333 1000")).toBe(WireErr.OK);
    expect(r.type).toBe(Dot11Type.MANAGEMENT); expect(load<u8>(r.dst)).toBe(0xff); expect(addr(r.src)).toBe(0x22);
    expect(parse("b400 0000 021111111111 022222222222")).toBe(WireErr.OK); expect(r.type).toBe(Dot11Type.CONTROL); expect(r.dst).toBe(0); expect(r.body).toBe(false);
  });
  it("rejects protocol versions other than 0", () => {
    // tshark 4.0 on the corpus' tcpdump/ieee802.11_rates_oobr.pcap: "PV1".
    expect(parse("8130 0000 " + A + " 1000")).toBe(WireErr.BAD_VERSION);
  });
  it("is TRUNCATED when the header is cut, without reading past it", () => {
    const h = "8883 0000 " + A + " 1000 " + A4 + " 0000 00000000";
    for (let n = 0; n < 36; n++) expect(parseDot11(atEnd(hexBytes(h), n), n, r)).toBe(WireErr.TRUNCATED);
    expect(parseDot11(atEnd(hexBytes(h), 36), 36, r)).toBe(WireErr.OK);
    for (let n = 10; n < 24; n++) expect(parseDot11(atEnd(hexBytes("8000 0000 " + A + " 1000"), n), n, r)).toBe(WireErr.TRUNCATED);
  });
});
