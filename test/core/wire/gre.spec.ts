import { GreRepr, parseGre, GreProto, GRE_HDR_LEN } from "../../../assembly/wire/gre";
import { InnerKind } from "../../../assembly/wire/tunnel";
import { WireErr } from "../../../assembly/wire/errors";
import { atEnd } from "./at-end";

const r = new GreRepr();
function parse(h: string): WireErr { return parseGre(hexBytes(h), hexLen(h), r); }
/** The first n bytes of h, ending at the end of memory (a read past them traps). */
function parseCut(h: string, n: i32): WireErr { return parseGre(atEnd(hexBytes(h), n), n, r); }

const IP4 = "45000014000040004001b9e60a0000010a000002";
const ETH = "003088010002 00163e37f604 0800" + IP4;
const IP6 = "60000000 0000 3b 40 20010db8000000000000000000000001 20010db8000000000000000000000002";
// Checked with tshark 4.0 (text2pcap -i 47): flags 0xb000 (checksum, key, sequence number),
// protocol IP, checksum 0xb0f2 [correct], offset 0, key 0x01020304, sequence number 7, then IPv4.
const CKS = "b000 0800 b0f2 0000 01020304 00000007";
// Checked with tshark 4.0: flags 0xc000 (checksum, routing), checksum 0x9298 [correct], offset 0,
// an SRE of address family 2048, offset 0, length 4, information 0a000063, then the NULL SRE.
const ROUTED = "c000 0800 9298 0000" + "0800 00 04 0a000063" + "0000 00 00";
// Checked with tshark 4.0: flags 0x3081 (key, sequence, acknowledgment, Enhanced GRE (1)),
// protocol PPP, payload length 24, call ID 16384, sequence number 3, acknowledgment number 2,
// then PPP ff 03 0021 and an IPv4 packet.
const PPTP = "3081 880b 0018 4000 00000003 00000002";
const PPP = "ff030021" + IP4;
// The GRE header and mirrored frame of the corpus' tcpdump/erspan-type-i-3.pcap (tshark:
// flags 0x0000, protocol ERSPAN (0x88be), "ERSPAN Type I", then Ethernet to ff:ff:ff:ff:ff:ff).
const TYPE1 = "0000 88be" + "ffffffffffff 0015fadca1f7 8100 0001 0806 0001 0800 0604 0001";

describe("wire/gre", () => {
  it("decodes checksum, key and sequence number", () => {
    expect(parse(CKS + IP4)).toBe(WireErr.OK);
    expect(r.flags).toBe(0xb000); expect(r.checksumPresent).toBe(true); expect(r.routingPresent).toBe(false);
    expect(r.keyPresent).toBe(true); expect(r.seqPresent).toBe(true); expect(r.version).toBe(0);
    expect(r.protocol).toBe(GreProto.IPV4); expect(r.checksum).toBe(0xb0f2); expect(r.offset).toBe(0);
    expect(r.key).toBe(0x01020304); expect(r.seq).toBe(7); expect(r.hdrLen).toBe(16);
    expect(r.inner).toBe(InnerKind.IPV4); expect(r.payloadLen).toBe(20); expect(load<u8>(r.payload)).toBe(0x45);
  });
  it("decodes the bare 4-byte header, and each optional field alone", () => {
    expect(parse("0000 0800" + IP4)).toBe(WireErr.OK);
    expect(r.hdrLen).toBe(GRE_HDR_LEN); expect(r.checksumPresent).toBe(false); expect(r.keyPresent).toBe(false);
    expect(r.seqPresent).toBe(false); expect(r.key).toBe(0); expect(r.seq).toBe(0); expect(r.payloadLen).toBe(20);
    expect(parse("8000 0800 1234 0000" + IP4)).toBe(WireErr.OK); expect(r.checksum).toBe(0x1234); expect(r.hdrLen).toBe(8);
    expect(parse("2000 6558 00000064" + ETH)).toBe(WireErr.OK);
    expect(r.key).toBe(100); expect(r.hdrLen).toBe(8); expect(r.inner).toBe(InnerKind.ETHERNET); expect(r.payloadLen).toBe(34);
    expect(parse("1000 86dd ffffffff" + IP6)).toBe(WireErr.OK);
    expect(r.seq).toBe(0xffffffff); expect(r.hdrLen).toBe(8); expect(r.inner).toBe(InnerKind.IPV6);
  });
  it("reads the RFC 1701 strict route and recursion bits", () => {
    expect(parse("0f00 0800")).toBe(WireErr.OK);
    expect(r.strictRoute).toBe(true); expect(r.recursion).toBe(7); expect(r.hdrLen).toBe(4); expect(r.payloadLen).toBe(0);
  });
  it("walks RFC 1701 routing to the NULL SRE", () => {
    expect(parse(ROUTED + IP4)).toBe(WireErr.OK);
    expect(r.routingPresent).toBe(true); expect(r.checksum).toBe(0x9298);
    expect(r.routingLen).toBe(12); expect(load<u8>(r.routing)).toBe(0x08); expect(r.hdrLen).toBe(20);
    expect(r.inner).toBe(InnerKind.IPV4); expect(r.payloadLen).toBe(20);
    // Routing without the checksum bit still carries the checksum and offset fields.
    expect(parse("4000 0800 0000 0000 0000 00 00" + IP4)).toBe(WireErr.OK);
    expect(r.checksumPresent).toBe(false); expect(r.routingLen).toBe(4); expect(r.hdrLen).toBe(12);
  });
  it("reports routing that runs past the captured bytes", () => {
    expect(parse("4000 0800 0000 0000 0800 00 04 0a000063")).toBe(WireErr.TRUNCATED);
    expect(parse("4000 0800 0000 0000 0800 00 ff 0a000063 0000 00 00")).toBe(WireErr.TRUNCATED);
    expect(r.payloadLen).toBe(0); expect(r.inner).toBe(InnerKind.UNKNOWN);
  });
  it("decodes PPTP's enhanced GRE (version 1)", () => {
    expect(parse(PPTP + PPP)).toBe(WireErr.OK);
    expect(r.version).toBe(1); expect(r.keyPresent).toBe(true); expect(r.seqPresent).toBe(true); expect(r.ackPresent).toBe(true);
    expect(r.protocol).toBe(GreProto.PPP); expect(r.pptpLength).toBe(24); expect(r.callId).toBe(16384);
    expect(r.seq).toBe(3); expect(r.ack).toBe(2); expect(r.key).toBe(0); expect(r.hdrLen).toBe(16);
    expect(r.inner).toBe(InnerKind.PPP); expect(r.payloadLen).toBe(24); expect(r.truncated).toBe(false);
  });
  it("bounds PPTP's payload by its length field", () => {
    // tshark 4.0: flags 0x2081, payload length 0, call ID 16384, acknowledgment number 2 (an ack alone).
    expect(parse("2081 880b 0000 4000 00000002")).toBe(WireErr.OK);
    expect(r.seqPresent).toBe(false); expect(r.ack).toBe(2); expect(r.hdrLen).toBe(12); expect(r.payloadLen).toBe(0);
    expect(parse("3001 880b 0002 0001 00000001 ff03 eeee")).toBe(WireErr.OK);
    expect(r.ackPresent).toBe(false); expect(r.payloadLen).toBe(2); expect(r.truncated).toBe(false);
    expect(parse("3001 880b 0100 0001 00000001 ff03")).toBe(WireErr.OK);
    expect(r.payloadLen).toBe(2); expect(r.truncated).toBe(true);
  });
  it("rejects PPTP without the key bit, and versions above 1", () => {
    expect(parse("1001 880b 00000001 ff03")).toBe(WireErr.BAD_FLAGS); expect(r.payloadLen).toBe(0);
    for (let v = 2; v < 8; v++) {
      expect(parse("200" + v.toString() + " 880b 0000 0001" + PPP)).toBe(WireErr.BAD_VERSION);
      expect(r.version).toBe(v); expect(r.inner).toBe(InnerKind.UNKNOWN);
    }
  });
  it("names the payload of ERSPAN, MPLS and the other protocol types", () => {
    expect(parse(TYPE1)).toBe(WireErr.OK);
    expect(r.protocol).toBe(GreProto.ERSPAN2); expect(r.inner).toBe(InnerKind.ETHERNET); expect(r.payloadLen).toBe(26);
    expect(parse("1000 88be 0000002a")).toBe(WireErr.OK); expect(r.inner).toBe(InnerKind.ERSPAN);
    expect(parse("1000 22eb 0000002b")).toBe(WireErr.OK); expect(r.protocol).toBe(GreProto.ERSPAN3); expect(r.inner).toBe(InnerKind.ERSPAN);
    expect(parse("0000 22eb")).toBe(WireErr.OK); expect(r.inner).toBe(InnerKind.ERSPAN);
    expect(parse("0000 8847")).toBe(WireErr.OK); expect(r.protocol).toBe(GreProto.MPLS); expect(r.inner).toBe(InnerKind.MPLS);
    expect(parse("0000 8848")).toBe(WireErr.OK); expect(r.protocol).toBe(GreProto.MPLS_MCAST); expect(r.inner).toBe(InnerKind.MPLS);
    expect(parse("0000 880b")).toBe(WireErr.OK); expect(r.inner).toBe(InnerKind.PPP);
    expect(parse("0000 883e")).toBe(WireErr.OK); expect(r.inner).toBe(InnerKind.UNKNOWN);
  });
  it("reports every cut inside a header as TRUNCATED without reading past it", () => {
    const hs = [CKS + IP4, ROUTED + IP4, PPTP + PPP];
    const hl = [16, 20, 16];
    for (let i = 0; i < hs.length; i++) {
      const h = hs[i];
      for (let n = 0; n < hl[i]; n++) { expect(parseCut(h, n)).toBe(WireErr.TRUNCATED); expect(r.payloadLen).toBe(0); }
      for (let n = hl[i]; n <= hexLen(h); n++) { expect(parseCut(h, n)).toBe(WireErr.OK); expect(r.payloadLen).toBe(n - hl[i]); }
    }
  });
});
