import { TeredoRepr, parseTeredo, TEREDO_ORIGIN_LEN, TEREDO_AUTH_FIXED_LEN } from "../../../assembly/wire/teredo";
import { InnerKind } from "../../../assembly/wire/tunnel";
import { WireErr } from "../../../assembly/wire/errors";
import { atEnd } from "./at-end";

const r = new TeredoRepr();
function parse(h: string): WireErr { return parseTeredo(hexBytes(h), hexLen(h), r); }
/** The first n bytes of h, ending at the end of memory (a read past them traps). */
function parseCut(h: string, n: i32): WireErr { return parseTeredo(atEnd(hexBytes(h), n), n, r); }

const IP6 = "60000000 0000 3b 40 20010db8000000000000000000000001 20010db8000000000000000000000002";
// Checked with tshark 4.0 (text2pcap -u 3544,50000): authentication header with client
// identifier length 2 (abcd), authentication value length 3 (010203), nonce 0102030405060708,
// confirmation 00; origin indication with port 3544 and address 63.87.0.1; then IPv6.
const AUTH = "0001 02 03 abcd 010203 0102030405060708 00";
const ORIGIN = "0000 f227 c0a8fffe";
// Checked with tshark 4.0: client identifier and authentication value lengths 0, nonce
// a1a2a3a4a5a6a7a8, confirmation 01 (the shape of a qualification's router solicitation).
const AUTH0 = "0001 00 00 a1a2a3a4a5a6a7a8 01";

describe("wire/teredo", () => {
  it("decodes an authentication header and an origin indication before the IPv6 packet", () => {
    expect(parse(AUTH + ORIGIN + IP6)).toBe(WireErr.OK);
    expect(r.hasAuth).toBe(true); expect(r.clientIdLen).toBe(2); expect(r.authLen).toBe(3);
    expect(load<u8>(r.clientId)).toBe(0xab); expect(load<u8>(r.auth + 2)).toBe(0x03); expect(load<u8>(r.nonce + 7)).toBe(0x08);
    expect(r.confirmation).toBe(0);
    expect(r.hasOrigin).toBe(true); expect(r.originPort).toBe(3544); expect(r.originAddr).toBe(0x3f570001);
    expect(r.inner).toBe(InnerKind.IPV6); expect(r.payloadLen).toBe(40); expect(load<u8>(r.payload)).toBe(0x60);
  });
  it("decodes each indicator alone, and a bare IPv6 packet", () => {
    expect(parse(AUTH0 + IP6)).toBe(WireErr.OK);
    expect(r.hasAuth).toBe(true); expect(r.clientIdLen).toBe(0); expect(r.authLen).toBe(0); expect(r.confirmation).toBe(1);
    expect(r.hasOrigin).toBe(false); expect(r.payloadLen).toBe(40);
    expect(r.payload - r.nonce).toBe(9); expect(TEREDO_AUTH_FIXED_LEN).toBe(13);
    expect(parse(ORIGIN + IP6)).toBe(WireErr.OK);
    expect(r.hasAuth).toBe(false); expect(r.hasOrigin).toBe(true); expect(r.originPort).toBe(3544); expect(r.payloadLen).toBe(40);
    expect(parse(IP6)).toBe(WireErr.OK);
    expect(r.hasAuth).toBe(false); expect(r.hasOrigin).toBe(false); expect(r.inner).toBe(InnerKind.IPV6); expect(r.payloadLen).toBe(40);
  });
  it("takes the longest client identifier and authentication value", () => {
    const h = "0001 ff ff" + "11".repeat(255) + "22".repeat(255) + "0102030405060708 00";
    expect(parse(h + IP6)).toBe(WireErr.OK);
    expect(r.clientIdLen).toBe(255); expect(r.authLen).toBe(255); expect(r.payloadLen).toBe(40);
    expect(parse(h)).toBe(WireErr.TRUNCATED);
  });
  it("rejects what is not IPv6 after the indicators", () => {
    expect(parse("45000014000040004001b9e60a0000010a000002")).toBe(WireErr.BAD_VERSION);
    expect(parse(ORIGIN + "45000014")).toBe(WireErr.BAD_VERSION); expect(r.hasOrigin).toBe(true);
    expect(parse("0002 0000 " + IP6)).toBe(WireErr.BAD_VERSION);
    expect(r.inner).toBe(InnerKind.UNKNOWN);
  });
  it("reports indicator lengths beyond the captured bytes as TRUNCATED", () => {
    expect(parse("0001 ff ff" + "00".repeat(64))).toBe(WireErr.TRUNCATED);
    expect(parse("0001 04 00 abcd")).toBe(WireErr.TRUNCATED);
    expect(parse("")).toBe(WireErr.TRUNCATED); expect(parse("00")).toBe(WireErr.TRUNCATED);
    expect(r.inner).toBe(InnerKind.UNKNOWN);
  });
  it("reports every cut before the IPv6 packet as TRUNCATED without reading past it", () => {
    const h = AUTH + ORIGIN + IP6;
    const hl = 18 + TEREDO_ORIGIN_LEN;
    for (let n = 0; n <= hl; n++) { expect(parseCut(h, n)).toBe(WireErr.TRUNCATED); expect(r.inner).toBe(InnerKind.UNKNOWN); }
    for (let n = hl + 1; n <= hexLen(h); n++) { expect(parseCut(h, n)).toBe(WireErr.OK); expect(r.payloadLen).toBe(n - hl); }
  });
});
