import { NflogRepr, parseNflog } from "../../../assembly/wire/nflog";
import { WireErr } from "../../../assembly/wire/errors";
import { atEnd } from "./at-end";

const r = new NflogRepr();
function parse(h: string, big: bool = false): WireErr { return parseNflog(hexBytes(h), hexLen(h), big, r); }
const IP4 = "45000014000040004001b9e60a0000010a000002";
// family 2, version 0, resource id 20; NFULA_PACKET_HDR (1, 8 bytes), NFULA_PREFIX (10, 5 bytes, padded to 8), NFULA_PAYLOAD (9).
const LE = "02 00 0014 0800 0100 08000300 0500 0a00 00000000 1800 0900" + IP4;

describe("wire/nflog", () => {
  it("finds the payload TLV behind others, each padded to 4 bytes", () => {
    // tshark 4.0 (text2pcap -l 239): family 2, version 0, res_id 20, TLV types 1, 10, 9, then IPv4.
    expect(parse(LE)).toBe(WireErr.OK);
    expect(r.family).toBe(2); expect(r.resourceId).toBe(20); expect(r.hasPayload).toBe(true);
    expect(r.payloadOff).toBe(24); expect(r.payloadLen).toBe(20);
  });
  it("reads the TLV headers in the capture's byte order", () => {
    expect(parse("0a 00 0001 0008 0001 00000000 0018 0009" + IP4, true)).toBe(WireErr.OK);
    expect(r.family).toBe(10); expect(r.payloadOff).toBe(16); expect(r.payloadLen).toBe(20);
    // Read as little-endian, the first TLV is 2048 bytes long: there is no payload TLV within the packet.
    expect(parse("0a 00 0001 0008 0001 00000000 0018 0009" + IP4, false)).toBe(WireErr.OK); expect(r.hasPayload).toBe(false);
  });
  it("takes the nested and byte-order flags off the TLV type (linux/netlink.h NLA_TYPE_MASK)", () => {
    expect(parse("02 00 0000 1800 0980" + IP4)).toBe(WireErr.OK); expect(r.hasPayload).toBe(true); expect(r.payloadOff).toBe(8);
  });
  it("has no payload without the TLV, and a cut payload is what was captured", () => {
    expect(parse("02 00 0000 0800 0100 08000300")).toBe(WireErr.OK); expect(r.hasPayload).toBe(false);
    expect(parse("02 00 0000 1800 0900 4500")).toBe(WireErr.OK); expect(r.hasPayload).toBe(true); expect(r.payloadLen).toBe(2);
  });
  it("rejects other versions and TLVs shorter than their header", () => {
    expect(parse("02 01 0000 1800 0900" + IP4)).toBe(WireErr.BAD_VERSION);
    expect(parse("02 00 0000 0200 0900" + IP4)).toBe(WireErr.BAD_LENGTH);
  });
  it("never reads past the capture", () => {
    for (let n = 0; n < 4; n++) expect(parseNflog(atEnd(hexBytes(LE), n), n, false, r)).toBe(WireErr.TRUNCATED);
    for (let n = 4; n < 24; n++) { expect(parseNflog(atEnd(hexBytes(LE), n), n, false, r)).toBe(WireErr.OK); expect(r.hasPayload).toBe(false); }
    for (let n = 24; n <= hexLen(LE); n++) { expect(parseNflog(atEnd(hexBytes(LE), n), n, false, r)).toBe(WireErr.OK); expect(r.payloadLen).toBe(n - 24); }
  });
});
