import { AyiyaRepr, parseAyiya, AyiyaOp, AYIYA_HDR_LEN } from "../../../assembly/wire/ayiya";
import { InnerKind } from "../../../assembly/wire/tunnel";
import { WireErr } from "../../../assembly/wire/errors";
import { atEnd } from "./at-end";

const r = new AyiyaRepr();
function parse(h: string): WireErr { return parseAyiya(hexBytes(h), hexLen(h), r); }
/** The first n bytes of h, ending at the end of memory (a read past them traps). */
function parseCut(h: string, n: i32): WireErr { return parseAyiya(atEnd(hexBytes(h), n), n, r); }

const IP4 = "45000014000040004001b9e60a0000010a000002";
const IP6 = "60000000 0000 3b 40 20010db8000000000000000000000001 20010db8000000000000000000000002";
// Checked with tshark 4.0 (text2pcap -u 50000,5072): identity length 4 (16 bytes), type
// integer (1), signature length 5 (20 bytes), hash SHA1 (2), authentication shared secret (1),
// opcode Forward (1), next header IPv6 (0x29), epoch Sep 13, 2020 12:26:40 UTC, identity
// 20010db8…0001, signature 000102…13; then IPv6.
const FWD = "41 52 11 29 5f5e1000" + "20010db8000000000000000000000001" + "000102030405060708090a0b0c0d0e0f10111213";
// Checked with tshark 4.0: identity length 0 (1 byte), nothing else, opcode No Operation /
// Heartbeat, next header No Next Header (0x3b), epoch 0.
const NOOP = "00 00 00 3b 00000000 00";

describe("wire/ayiya", () => {
  it("decodes a Forward with identity and signature", () => {
    expect(parse(FWD + IP6)).toBe(WireErr.OK);
    expect(r.idLenLog2).toBe(4); expect(r.idType).toBe(1); expect(r.sigLenWords).toBe(5); expect(r.hashMethod).toBe(2);
    expect(r.authMethod).toBe(1); expect(r.opcode).toBe(AyiyaOp.FORWARD); expect(r.nextHeader).toBe(41);
    expect(r.epoch).toBe(1600000000);
    expect(r.identityLen).toBe(16); expect(load<u8>(r.identity)).toBe(0x20);
    expect(r.signatureLen).toBe(20); expect(load<u8>(r.signature + 19)).toBe(0x13);
    expect(r.hdrLen).toBe(44); expect(r.inner).toBe(InnerKind.IPV6); expect(r.payloadLen).toBe(40);
  });
  it("decodes a heartbeat: the smallest identity, no signature, no payload", () => {
    expect(parse(NOOP)).toBe(WireErr.OK);
    expect(r.identityLen).toBe(1); expect(r.signatureLen).toBe(0); expect(r.hdrLen).toBe(AYIYA_HDR_LEN + 1);
    expect(r.opcode).toBe(AyiyaOp.NOOP); expect(r.nextHeader).toBe(59); expect(r.payloadLen).toBe(0); expect(r.inner).toBe(InnerKind.UNKNOWN);
  });
  it("types the payload of the forwarding operations only", () => {
    // tshark 4.0 shows this as Echo Request and Forward, next header IPIP, identity abcd (it
    // hands on a Forward's payload only).
    expect(parse("10 00 13 04 00000001 abcd" + IP4)).toBe(WireErr.OK);
    expect(r.opcode).toBe(AyiyaOp.ECHO_REQUEST_FORWARD); expect(r.identityLen).toBe(2); expect(r.inner).toBe(InnerKind.IPV4); expect(r.payloadLen).toBe(20);
    expect(parse("00 00 01 04 00000000 00" + IP4)).toBe(WireErr.OK); expect(r.inner).toBe(InnerKind.IPV4);
    expect(parse("00 00 02 29 00000000 00" + IP6)).toBe(WireErr.OK); expect(r.inner).toBe(InnerKind.UNKNOWN); expect(r.payloadLen).toBe(40);
    expect(parse("00 00 04 29 00000000 00" + IP6)).toBe(WireErr.OK); expect(r.inner).toBe(InnerKind.UNKNOWN);
    expect(parse("00 00 01 11 00000000 00 0035")).toBe(WireErr.OK); expect(r.inner).toBe(InnerKind.UNKNOWN);
  });
  it("reports an identity or signature beyond the captured bytes as TRUNCATED", () => {
    expect(parse("f0 00 01 29 00000000" + "00".repeat(1024))).toBe(WireErr.TRUNCATED);
    expect(r.identityLen).toBe(32768); expect(r.payloadLen).toBe(0);
    expect(parse("00 f0 01 29 00000000 00" + "00".repeat(59))).toBe(WireErr.TRUNCATED);
    expect(r.signatureLen).toBe(60);
    expect(parse("00 f0 01 29 00000000 00" + "00".repeat(60))).toBe(WireErr.OK); expect(r.payloadLen).toBe(0);
  });
  it("reports every cut inside the header as TRUNCATED without reading past it", () => {
    const h = FWD + IP6;
    for (let n = 0; n < 44; n++) { expect(parseCut(h, n)).toBe(WireErr.TRUNCATED); expect(r.payloadLen).toBe(0); }
    for (let n = 44; n <= hexLen(h); n++) { expect(parseCut(h, n)).toBe(WireErr.OK); expect(r.payloadLen).toBe(n - 44); }
  });
});
