import { PppRepr, parsePpp, pppNext } from "../../../assembly/wire/ppp";
import { EtherNext } from "../../../assembly/wire/ethertype";
import { WireErr } from "../../../assembly/wire/errors";
import { atEnd } from "./at-end";

const r = new PppRepr();
function parse(h: string): WireErr { return parsePpp(hexBytes(h), hexLen(h), r); }
function parseCut(h: string, n: i32): WireErr { return parsePpp(atEnd(hexBytes(h), n), n, r); }
const IP4 = "45000014000040004001b9e60a0000010a000002";

describe("wire/ppp", () => {
  it("decodes HDLC-framed and unframed headers", () => {
    // tshark 4.0 (text2pcap -l 9): ppp.protocol 0x0021 for ff03 0021, 0021, 21 and ff03 21 alike.
    expect(parse("ff03 0021" + IP4)).toBe(WireErr.OK); expect(r.framed).toBe(true); expect(r.protocol).toBe(0x21); expect(r.hdrLen).toBe(4);
    expect(parse("0021" + IP4)).toBe(WireErr.OK); expect(r.framed).toBe(false); expect(r.protocol).toBe(0x21); expect(r.hdrLen).toBe(2);
    expect(parse("0057 60")).toBe(WireErr.OK); expect(r.protocol).toBe(0x57);
    expect(parse("c021 01")).toBe(WireErr.OK); expect(r.protocol).toBe(0xc021);
  });
  it("reads a one-octet protocol field when its first octet is odd (Protocol-Field-Compression)", () => {
    expect(parse("21" + IP4)).toBe(WireErr.OK); expect(r.protocol).toBe(0x21); expect(r.hdrLen).toBe(1);
    expect(parse("ff03 57 60")).toBe(WireErr.OK); expect(r.framed).toBe(true); expect(r.protocol).toBe(0x57); expect(r.hdrLen).toBe(3);
  });
  it("names what follows IPv4, IPv6 and MPLS", () => {
    expect(pppNext(0x0021)).toBe(EtherNext.IPV4); expect(pppNext(0x0057)).toBe(EtherNext.IPV6);
    expect(pppNext(0x0281)).toBe(EtherNext.MPLS); expect(pppNext(0x0283)).toBe(EtherNext.MPLS);
    expect(pppNext(0xc021)).toBe(EtherNext.UNKNOWN); expect(pppNext(0x8021)).toBe(EtherNext.UNKNOWN);
  });
  it("is TRUNCATED when the protocol field is cut, without reading past it", () => {
    expect(parseCut("ff03 0021", 0)).toBe(WireErr.TRUNCATED);
    // ff alone is a one-octet protocol 0xff (odd), as tshark reads it: the address needs its control octet.
    expect(parseCut("ff03 0021", 1)).toBe(WireErr.OK); expect(r.protocol).toBe(0xff);
    expect(parseCut("ff03 0021", 2)).toBe(WireErr.TRUNCATED);
    expect(parseCut("ff03 0021", 3)).toBe(WireErr.TRUNCATED);
    expect(parseCut("ff03 0021", 4)).toBe(WireErr.OK);
    expect(parseCut("0021", 1)).toBe(WireErr.TRUNCATED);
  });
});
