import { NshRepr, parseNsh, NSH_MIN_LEN } from "../../../assembly/wire/nsh";
import { InnerKind } from "../../../assembly/wire/tunnel";
import { WireErr } from "../../../assembly/wire/errors";
import { atEnd } from "./at-end";

const r = new NshRepr();
function parse(h: string): WireErr { return parseNsh(hexBytes(h), hexLen(h), r); }
function parseCut(h: string, n: i32): WireErr { return parseNsh(atEnd(hexBytes(h), n), n, r); }
const IP4 = "45000014000040004001b9e60a0000010a000002";
const MD1 = "0fc60103 00007b05 00000000 00000000 00000000 00000000";

describe("wire/nsh", () => {
  it("decodes an MD type 2 header without context", () => {
    // tshark 4.0 (text2pcap -e 0x894f): version 0, ttl 0x003f, length 2, mdtype 2, nextproto 1, spi 10, si 255, then IPv4.
    expect(parse("0fc20201 00000aff" + IP4)).toBe(WireErr.OK);
    expect(r.ttl).toBe(63); expect(r.mdType).toBe(2); expect(r.nextProtocol).toBe(1); expect(r.spi).toBe(10); expect(r.si).toBe(255);
    expect(r.hdrLen).toBe(8); expect(r.inner).toBe(InnerKind.IPV4); expect(r.oam).toBe(false);
  });
  it("decodes an MD type 1 header (24 bytes) and names an Ethernet payload", () => {
    // tshark 4.0: length 6, mdtype 1, nextproto 3, spi 123, si 5, then Ethernet.
    expect(parse(MD1)).toBe(WireErr.OK); expect(r.hdrLen).toBe(24); expect(r.inner).toBe(InnerKind.ETHERNET);
    expect(r.spi).toBe(123); expect(r.si).toBe(5);
    // The NSH of the corpus' tcpdump/nsh.pcap (tshark 4.0: ttl 0, length 6, mdtype 1, nextproto 1, spi 777, si 7, then IPv4).
    expect(parse("00060101 00030907 00000001 00000002 00000003 00000004" + IP4)).toBe(WireErr.OK);
    expect(r.ttl).toBe(0); expect(r.spi).toBe(777); expect(r.si).toBe(7); expect(r.hdrLen).toBe(24); expect(r.inner).toBe(InnerKind.IPV4);
  });
  it("rejects other versions and impossible lengths", () => {
    expect(parse("4fc20201 00000aff")).toBe(WireErr.BAD_VERSION);
    // Length 1 word is shorter than the fixed headers; MD type 1 must be 6 words (RFC 8300 §2.4).
    expect(parse("0fc10201 00000aff")).toBe(WireErr.BAD_HEADER_LENGTH);
    expect(parse("0fc20101 00000aff")).toBe(WireErr.BAD_HEADER_LENGTH);
  });
  it("is TRUNCATED when the header its length announces is cut, without reading past it", () => {
    for (let n = 0; n < NSH_MIN_LEN; n++) expect(parseCut(MD1, n)).toBe(WireErr.TRUNCATED);
    for (let n = NSH_MIN_LEN; n < 24; n++) expect(parseCut(MD1, n)).toBe(WireErr.TRUNCATED);
    expect(parseCut(MD1, 24)).toBe(WireErr.OK);
  });
});
