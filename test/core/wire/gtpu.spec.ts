import { GtpuRepr, parseGtpu, GTPU_HDR_LEN, MAX_GTPU_EXTENSIONS, GTPU_G_PDU } from "../../../assembly/wire/gtpu";
import { InnerKind } from "../../../assembly/wire/tunnel";
import { WireErr } from "../../../assembly/wire/errors";
import { atEnd } from "./at-end";

const r = new GtpuRepr();
function parse(h: string): WireErr { return parseGtpu(hexBytes(h), hexLen(h), r); }
/** The first n bytes of h, ending at the end of memory (a read past them traps). */
function parseCut(h: string, n: i32): WireErr { return parseGtpu(atEnd(hexBytes(h), n), n, r); }

const IP4 = "45000014000040004001b9e60a0000010a000002";
const IP6 = "60000000 0000 3b 40 20010db8000000000000000000000001 20010db8000000000000000000000002";
// Checked with tshark 4.0 (text2pcap -u 2152,2152): flags 0x34 (version 1, PT GTP, E), T-PDU,
// length 28, TEID 1, next extension header PDU Session container (0x85) of length 1 (UL PDU
// session information, QFI 9), next type 0, then IPv4.
const EXT1 = "34 ff 001c 00000001 0000 00 85" + "01 10 09 00";
// Checked with tshark 4.0: flags 0x37 (E, S, PN), T-PDU, length 32, TEID 0x12345678, sequence
// 0xabcd, N-PDU 5, next extension PDCP PDU number (0xc0): length 1, PDCP SN 4660, next 0x85;
// then the PDU Session container as above; then IPv4.
const EXT2 = "37 ff 0020 12345678 abcd 05 c0" + "01 1234 85" + "01 10 09 00";
// Checked with tshark 4.0: flags 0x32 (S only), T-PDU, length 44, TEID 0x12345678, sequence 7, then IPv6.
const SEQ = "32 ff 002c 12345678 0007 00 00";

describe("wire/gtpu", () => {
  it("decodes a G-PDU with one extension header", () => {
    expect(parse(EXT1 + IP4)).toBe(WireErr.OK);
    expect(r.version).toBe(1); expect(r.pt).toBe(1); expect(r.extFlag).toBe(true); expect(r.seqFlag).toBe(false);
    expect(r.npduFlag).toBe(false); expect(r.msgType).toBe(GTPU_G_PDU); expect(r.length).toBe(28); expect(r.teid).toBe(1);
    expect(r.seq).toBe(0); expect(r.npdu).toBe(0); expect(r.nextExtType).toBe(0x85);
    expect(r.extCount).toBe(1); expect(r.extsLen).toBe(4); expect(load<u8>(r.exts + 1)).toBe(0x10); expect(r.hdrLen).toBe(16);
    expect(r.inner).toBe(InnerKind.IPV4); expect(r.payloadLen).toBe(20); expect(r.truncated).toBe(false);
  });
  it("walks a chain of extension headers, with the sequence and N-PDU numbers", () => {
    expect(parse(EXT2 + IP4)).toBe(WireErr.OK);
    expect(r.seqFlag).toBe(true); expect(r.npduFlag).toBe(true); expect(r.teid).toBe(0x12345678);
    expect(r.seq).toBe(0xabcd); expect(r.npdu).toBe(5); expect(r.nextExtType).toBe(0xc0);
    expect(r.extCount).toBe(2); expect(r.extsLen).toBe(8); expect(r.hdrLen).toBe(20);
    expect(r.inner).toBe(InnerKind.IPV4); expect(r.payloadLen).toBe(20);
  });
  it("decodes the optional fields without extension headers, and an IPv6 T-PDU", () => {
    expect(parse(SEQ + IP6)).toBe(WireErr.OK);
    expect(r.seqFlag).toBe(true); expect(r.seq).toBe(7); expect(r.npdu).toBe(0); expect(r.nextExtType).toBe(0);
    expect(r.extCount).toBe(0); expect(r.extsLen).toBe(0); expect(r.hdrLen).toBe(12);
    expect(r.inner).toBe(InnerKind.IPV6); expect(r.payloadLen).toBe(40);
    // PN alone: the N-PDU number counts, the type byte is ignored without E.
    expect(parse("31 ff 0008 00000001 0000 2a 85" + "ffffffff")).toBe(WireErr.OK); expect(r.truncated).toBe(false);
    expect(r.npdu).toBe(42); expect(r.seq).toBe(0); expect(r.nextExtType).toBe(0); expect(r.extCount).toBe(0);
    expect(r.payloadLen).toBe(4); expect(r.inner).toBe(InnerKind.UNKNOWN);
  });
  it("decodes the 8-byte header alone", () => {
    expect(parse("30 ff 0014 00000001" + IP4)).toBe(WireErr.OK);
    expect(r.hdrLen).toBe(GTPU_HDR_LEN); expect(r.exts).toBe(0); expect(r.inner).toBe(InnerKind.IPV4); expect(r.payloadLen).toBe(20);
    // tshark 4.0: an Echo request, length 0, TEID 0.
    expect(parse("30 01 0000 00000000")).toBe(WireErr.OK);
    expect(r.msgType).toBe(1); expect(r.payloadLen).toBe(0); expect(r.inner).toBe(InnerKind.UNKNOWN);
    // Only a G-PDU carries a user packet.
    expect(parse("30 1a 0014 00000001" + IP4)).toBe(WireErr.OK); expect(r.inner).toBe(InnerKind.UNKNOWN);
    expect(parse("30 ff 0014 00000001" + "00".repeat(20))).toBe(WireErr.OK); expect(r.inner).toBe(InnerKind.UNKNOWN);
  });
  it("rejects GTP versions other than 1 and GTP' (PT 0)", () => {
    expect(parse("48 20 0008 00000000 00000100")).toBe(WireErr.BAD_VERSION); expect(r.version).toBe(2);
    expect(parse("10 ff 0000 00000000")).toBe(WireErr.BAD_VERSION); expect(r.version).toBe(0);
    expect(parse("20 ff 0000 00000000")).toBe(WireErr.BAD_VERSION); expect(r.version).toBe(1); expect(r.pt).toBe(0);
    expect(r.payloadLen).toBe(0); expect(r.inner).toBe(InnerKind.UNKNOWN);
  });
  it("bounds the T-PDU by the length field, or the capture", () => {
    expect(parse("30 ff 0004 00000001" + IP4)).toBe(WireErr.OK);
    expect(r.payloadLen).toBe(4); expect(r.truncated).toBe(false);
    expect(parse("30 ff 0100 00000001" + IP4)).toBe(WireErr.OK);
    expect(r.payloadLen).toBe(20); expect(r.truncated).toBe(true);
  });
  it("reports a length field too small for the optional fields or extension headers", () => {
    expect(parse("32 ff 0000 00000001 0007 00 00" + IP4)).toBe(WireErr.TOO_SMALL);
    expect(parse("34 ff 0004 00000001 0000 00 85 01 10 09 00" + IP4)).toBe(WireErr.TOO_SMALL);
    expect(parse("34 ff 0006 00000001 0000 00 85 01 10 09 00" + IP4)).toBe(WireErr.TOO_SMALL);
    expect(r.payloadLen).toBe(0); expect(r.inner).toBe(InnerKind.UNKNOWN);
  });
  it("reports an extension header beyond the captured bytes as TRUNCATED", () => {
    expect(parse("34 ff 0020 00000001 0000 00 85 02 10 09 00")).toBe(WireErr.TRUNCATED);
    expect(r.truncated).toBe(true); expect(r.payloadLen).toBe(0);
  });
  it("rejects an extension header of length 0", () => {
    expect(parse("34 ff 0008 00000001 0000 00 85 00 00 00 00")).toBe(WireErr.BAD_GTP_EXTENSION);
  });
  it("walks at most MAX_GTPU_EXTENSIONS extension headers", () => {
    expect(MAX_GTPU_EXTENSIONS).toBe(16);
    const chain16 = "01 0000 85".repeat(15) + "01 0000 00";
    expect(parse("34 ff 0044 00000001 0000 00 85" + chain16)).toBe(WireErr.OK);
    expect(r.extCount).toBe(16); expect(r.hdrLen).toBe(76); expect(r.payloadLen).toBe(0);
    const chain17 = "01 0000 85".repeat(16) + "01 0000 00";
    expect(parse("34 ff 0048 00000001 0000 00 85" + chain17)).toBe(WireErr.TOO_MANY_GTP_EXTENSIONS);
    expect(r.extCount).toBe(16); expect(r.payloadLen).toBe(0);
  });
  it("reports every cut inside the header as TRUNCATED without reading past it", () => {
    const hs = [EXT2 + IP4, EXT1 + IP4, SEQ + IP6];
    const hl = [20, 16, 12];
    for (let i = 0; i < hs.length; i++) {
      const h = hs[i];
      for (let n = 0; n < hl[i]; n++) { expect(parseCut(h, n)).toBe(WireErr.TRUNCATED); expect(r.payloadLen).toBe(0); }
      for (let n = hl[i]; n <= hexLen(h); n++) {
        expect(parseCut(h, n)).toBe(WireErr.OK); expect(r.payloadLen).toBe(n - hl[i]);
        expect(r.truncated).toBe(n < hexLen(h));
      }
    }
  });
});
