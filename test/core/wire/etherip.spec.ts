import { EtherIpRepr, parseEtherIp, ETHERIP_HDR_LEN } from "../../../assembly/wire/etherip";
import { InnerKind } from "../../../assembly/wire/tunnel";
import { WireErr } from "../../../assembly/wire/errors";
import { atEnd } from "./at-end";

const r = new EtherIpRepr();
function parse(h: string): WireErr { return parseEtherIp(hexBytes(h), hexLen(h), r); }
/** The first n bytes of h, ending at the end of memory (a read past them traps). */
function parseCut(h: string, n: i32): WireErr { return parseEtherIp(atEnd(hexBytes(h), n), n, r); }

const IP4 = "45000014000040004001b9e60a0000010a000002";
const ETH = "003088010002 00163e37f604 0800" + IP4;

describe("wire/etherip", () => {
  it("decodes the version 3 header and points at the Ethernet frame", () => {
    // Checked with tshark 4.0 (text2pcap -i 97): EtherIP, Version 3, Reserved 0, then Ethernet.
    expect(parse("3000" + ETH)).toBe(WireErr.OK);
    expect(r.version).toBe(3); expect(r.reserved).toBe(0);
    expect(r.inner).toBe(InnerKind.ETHERNET); expect(r.payloadLen).toBe(34); expect(load<u8>(r.payload + 1)).toBe(0x30);
  });
  it("reports reserved bits without rejecting the packet", () => {
    // tshark 4.0 warns "Reserved field must be 0" (0xfff) and still decodes the frame.
    expect(parse("3fff" + ETH)).toBe(WireErr.OK); expect(r.reserved).toBe(0xfff); expect(r.inner).toBe(InnerKind.ETHERNET);
  });
  it("rejects versions other than 3", () => {
    // tshark 4.0: "Version must be 3".
    expect(parse("4000" + ETH)).toBe(WireErr.BAD_VERSION); expect(r.version).toBe(4);
    expect(r.inner).toBe(InnerKind.UNKNOWN); expect(r.payloadLen).toBe(0);
    expect(parse("0000" + ETH)).toBe(WireErr.BAD_VERSION);
  });
  it("reports every cut inside the header as TRUNCATED without reading past it", () => {
    const h = "3000" + ETH;
    for (let n = 0; n < ETHERIP_HDR_LEN; n++) { expect(parseCut(h, n)).toBe(WireErr.TRUNCATED); expect(r.payloadLen).toBe(0); }
    for (let n = ETHERIP_HDR_LEN; n <= hexLen(h); n++) { expect(parseCut(h, n)).toBe(WireErr.OK); expect(r.payloadLen).toBe(n - 2); }
  });
});
