import { LinkRepr, parseLink, NetKind, Encap, LINK_BIG_ENDIAN, LINK_MPLS_PW_ETHERNET } from "../../../assembly/wire/link";
import { WireErr } from "../../../assembly/wire/errors";
import { LINK_ENCAP_DEPTH } from "../../../assembly/config";
import { atEnd } from "./at-end";

const r = new LinkRepr();
function parse(link: u32, h: string, flags: u32 = 0): WireErr { return parseLink(link, hexBytes(h), hexLen(h), r, flags); }
/** The first n bytes of h, ending at the end of memory (a read past them traps). */
function parseCut(link: u32, h: string, n: i32, flags: u32 = 0): WireErr { return parseLink(link, atEnd(hexBytes(h), n), n, r, flags); }
function kinds(): string { let s = ""; for (let i = 0; i < r.encapCount; i++) s += (i > 0 ? "," : "") + r.encapKind[i].toString(); return s; }

const MACS = "020000000002 020000000001";
const IP4 = "45000014000040004001b9e60a0000010a000002";
const IP6 = "60000000 0000 3b 40 20010db8000000000000000000000001 20010db8000000000000000000000002";
const SNAP4 = "aaaa03 000000 0800";
const A = "021111111111 022222222222 023333333333";

describe("wire/link", () => {
  it("decodes Ethernet II", () => {
    expect(parse(1, "420a00000002 420a00000001 0800 45")).toBe(WireErr.OK);
    expect(r.macs).toBe(true); expect(r.hasType).toBe(true); expect(r.etherType).toBe(0x0800); expect(r.net).toBe(NetKind.IPV4); expect(r.hdrLen).toBe(14);
    expect(r.encapCount).toBe(0); expect(r.hasL2()).toBe(true);
  });
  it("walks 802.1Q and QinQ tags", () => {
    expect(parse(1, "020000000002 020000000001 88a8 0064 8100 00c8 86dd 60")).toBe(WireErr.OK);
    expect(r.etherType).toBe(0x88a8); expect(r.innerType).toBe(0x86dd); expect(r.vlanCount).toBe(2);
    expect(r.vlans[0]).toBe(100); expect(r.vlans[1]).toBe(200); expect(r.hdrLen).toBe(22); expect(r.net).toBe(NetKind.IPV6);
  });
  it("maps 802.3 length fields to LLC (EtherType 0) and follows SNAP with an EtherType", () => {
    expect(parse(1, "020000000002 020000000001 0026 424203 00")).toBe(WireErr.OK);
    expect(r.etherType).toBe(0); expect(r.net).toBe(NetKind.OTHER); expect(r.encapCount).toBe(0);
    // tshark 4.0: eth:llc:ip — L2.type stays the frame's own (LLC).
    expect(parse(1, MACS + " 001c " + SNAP4 + IP4)).toBe(WireErr.OK);
    expect(r.etherType).toBe(0); expect(kinds()).toBe(`${Encap.LLC_SNAP}`); expect(r.net).toBe(NetKind.IPV4); expect(r.hdrLen).toBe(22);
    // Cisco's SNAP (CDP) is not followed.
    expect(parse(1, MACS + " 001c aaaa03 00000c 2000 02")).toBe(WireErr.OK); expect(r.encapCount).toBe(0); expect(r.net).toBe(NetKind.OTHER);
  });
  it("decodes PPPoE sessions, behind QinQ too", () => {
    // tshark 4.0: eth:ethertype:vlan:ethertype:vlan:ethertype:pppoes:ppp:ip.
    expect(parse(1, MACS + " 88a8 0064 8100 00c8 8864 1100 0011 0016 0021" + IP4)).toBe(WireErr.OK);
    expect(r.vlanCount).toBe(2); expect(kinds()).toBe(`${Encap.PPPOE},${Encap.PPP}`);
    expect(r.encapA[0]).toBe(17); expect(r.encapA[1]).toBe(0x21); expect(r.net).toBe(NetKind.IPV4); expect(r.hdrLen).toBe(30);
    expect(parse(1, MACS + " 8864 1100 0011 0016 0057" + IP6)).toBe(WireErr.OK); expect(r.net).toBe(NetKind.IPV6);
    // LCP: no network layer; discovery (0x8863): no encapsulation.
    expect(parse(1, MACS + " 8864 1100 0011 0006 c021 01010004")).toBe(WireErr.OK); expect(r.net).toBe(NetKind.OTHER); expect(r.encapA[1]).toBe(0xc021);
    expect(parse(1, MACS + " 8863 1109 0000 0000")).toBe(WireErr.OK); expect(r.encapCount).toBe(0); expect(r.net).toBe(NetKind.OTHER);
  });
  it("decodes MPLS on Ethernet, and a pseudowire only when told", () => {
    expect(parse(1, MACS + " 8847 00064a3f 000001fe" + IP4)).toBe(WireErr.OK);
    expect(kinds()).toBe(`${Encap.MPLS}`); expect(r.encapA[0]).toBe(2); expect(r.encapB[0]).toBe(14); expect(r.net).toBe(NetKind.IPV4); expect(r.hdrLen).toBe(22);
    const pw = MACS + " 8847 0007d1ff 00000000 " + "529a00c84f88 529a00825c62 0800" + IP4;
    expect(parse(1, pw)).toBe(WireErr.OK); expect(r.net).toBe(NetKind.OTHER); expect(r.encapCount).toBe(1);
    // tshark 4.0: mpls:pwethcw:eth:ethertype:ip.
    expect(parse(1, pw, LINK_MPLS_PW_ETHERNET)).toBe(WireErr.OK);
    expect(kinds()).toBe(`${Encap.MPLS},${Encap.ETHERNET}`); expect(r.encapB[1]).toBe(22); expect(r.net).toBe(NetKind.IPV4); expect(r.hdrLen).toBe(36);
    // An associated channel is never a pseudowire's frame.
    expect(parse(1, MACS + " 8847 0000d1ff 10000000 0000", LINK_MPLS_PW_ETHERNET)).toBe(WireErr.OK); expect(r.net).toBe(NetKind.OTHER);
    expect(parse(1, MACS + " 8847 " + "00010040".repeat(9) + IP4)).toBe(WireErr.TOO_MANY_LABELS); expect(r.errAt).toBe(Encap.MPLS);
  });
  it("decodes PBB, FabricPath, VN-Tag, E-Tag and NSH down to the network layer", () => {
    // tshark 4.0 for each (tshark-check.mjs): the I-SID, the customer's tag, IPv4.
    expect(parse(1, MACS + " 88a8 0064 88e7 00012345 020000000004 020000000003 8100 00c8 0800" + IP4)).toBe(WireErr.OK);
    expect(kinds()).toBe(`${Encap.PBB},${Encap.ETHERNET}`); expect(r.encapA[0]).toBe(0x12345); expect(r.encapB[1]).toBe(22);
    expect(r.vlanCount).toBe(2); expect(r.vlans[1]).toBe(200); expect(r.net).toBe(NetKind.IPV4); expect(r.hdrLen).toBe(40);
    expect(parse(1, MACS + " 8903 0123 020000000004 020000000003 0800" + IP4)).toBe(WireErr.OK);
    expect(kinds()).toBe(`${Encap.FABRICPATH},${Encap.ETHERNET}`); expect(r.hdrLen).toBe(30); expect(r.net).toBe(NetKind.IPV4);
    expect(parse(1, MACS + " 8926 80010002 86dd" + IP6)).toBe(WireErr.OK); expect(kinds()).toBe(`${Encap.VNTAG}`); expect(r.hdrLen).toBe(20); expect(r.net).toBe(NetKind.IPV6);
    expect(parse(1, MACS + " 893f 612314560000 0800" + IP4)).toBe(WireErr.OK); expect(kinds()).toBe(`${Encap.ETAG}`); expect(r.hdrLen).toBe(22);
    expect(parse(1, MACS + " 894f 0fc20201 00000aff" + IP4)).toBe(WireErr.OK);
    expect(kinds()).toBe(`${Encap.NSH}`); expect(r.encapA[0]).toBe(10); expect(r.encapB[0]).toBe(255); expect(r.hdrLen).toBe(22);
    expect(parse(1, MACS + " 894f 0fc20203 00000aff 020000000004 020000000003 0806 0001")).toBe(WireErr.OK);
    expect(kinds()).toBe(`${Encap.NSH},${Encap.ETHERNET}`); expect(r.net).toBe(NetKind.ARP);
  });
  it("decodes Linux cooked SLL and SLL2, and what their protocol names", () => {
    expect(parse(113, "0000 0304 0006 000000000000 0000 0800 45")).toBe(WireErr.OK);
    expect(r.macs).toBe(false); expect(r.hdrLen).toBe(16); expect(r.net).toBe(NetKind.IPV4); expect(r.hasL2()).toBe(false);
    expect(parse(276, "86dd 0000 00000001 0304 00 06 0000000000000000 60")).toBe(WireErr.OK);
    expect(r.hdrLen).toBe(20); expect(r.net).toBe(NetKind.IPV6);
    expect(parse(113, "0000 0304 0006 000000000000 0000 8847 000001fe" + IP4)).toBe(WireErr.OK);
    expect(kinds()).toBe(`${Encap.MPLS}`); expect(r.net).toBe(NetKind.IPV4); expect(r.hasL2()).toBe(true);
    // A tag Linux left in the packet: walked, and the L2 object lists it.
    expect(parse(113, "0000 0304 0006 000000000000 0000 8100 0064 0800" + IP4)).toBe(WireErr.OK);
    expect(r.vlanCount).toBe(1); expect(r.vlans[0]).toBe(100); expect(r.hdrLen).toBe(20); expect(r.net).toBe(NetKind.IPV4); expect(r.hasL2()).toBe(true);
    // Below 0x0600 the protocol is one of Linux's own (here 802.2 LLC): not an 802.3 length.
    expect(parse(113, "0000 0304 0006 000000000000 0000 0004 aaaa03 000000 0800" + IP4)).toBe(WireErr.OK); expect(r.net).toBe(NetKind.OTHER);
  });
  it("decodes BSD null in either byte order and LOOP", () => {
    expect(parse(0, "02000000 45")).toBe(WireErr.OK); expect(r.net).toBe(NetKind.IPV4);
    expect(parse(0, "0000001e 60")).toBe(WireErr.OK); expect(r.net).toBe(NetKind.IPV6);
    expect(parse(108, "00000018 60")).toBe(WireErr.OK); expect(r.net).toBe(NetKind.IPV6);
  });
  it("decodes raw IP by version", () => {
    expect(parse(101, "60")).toBe(WireErr.OK); expect(r.net).toBe(NetKind.IPV6);
    expect(parse(228, "45")).toBe(WireErr.OK); expect(r.net).toBe(NetKind.IPV4);
  });
  it("decodes the PPP link types and Cisco HDLC", () => {
    expect(parse(9, "ff03 0021" + IP4)).toBe(WireErr.OK); expect(kinds()).toBe(`${Encap.PPP}`); expect(r.hdrLen).toBe(4); expect(r.net).toBe(NetKind.IPV4);
    expect(parse(9, "57" + IP6)).toBe(WireErr.OK); expect(r.hdrLen).toBe(1); expect(r.net).toBe(NetKind.IPV6);
    // PPP to MPLS, as in the corpus' tcpdump/lspping-fec-ldp.pcap (tshark: ppp:mpls:ip).
    expect(parse(9, "ff03 0281 189301ff" + IP4)).toBe(WireErr.OK); expect(kinds()).toBe(`${Encap.PPP},${Encap.MPLS}`); expect(r.hdrLen).toBe(8); expect(r.net).toBe(NetKind.IPV4);
    expect(parse(50, "ff03 0021" + IP4)).toBe(WireErr.OK); expect(r.net).toBe(NetKind.IPV4);
    // tshark 4.0: LINKTYPE_PPP_HDLC with 0x8f is Cisco HDLC.
    expect(parse(50, "8f00 0800" + IP4)).toBe(WireErr.OK); expect(kinds()).toBe(`${Encap.CHDLC}`); expect(r.encapA[0]).toBe(0x0800); expect(r.hdrLen).toBe(4);
    // libpcap's LINKTYPE_PPP_WITH_DIR: a direction octet, then PPP.
    expect(parse(204, "01 ff03 0021" + IP4)).toBe(WireErr.OK); expect(r.hdrLen).toBe(5); expect(r.net).toBe(NetKind.IPV4);
    expect(parse(104, "0f00 86dd" + IP6)).toBe(WireErr.OK); expect(kinds()).toBe(`${Encap.CHDLC}`); expect(r.net).toBe(NetKind.IPV6);
    expect(parse(104, "8f00 8035 0000")).toBe(WireErr.OK); expect(r.net).toBe(NetKind.OTHER); expect(r.hasL2()).toBe(true); expect(r.macs).toBe(false);
  });
  it("decodes the MPLS link type", () => {
    expect(parse(219, "00010040 00011140" + IP4)).toBe(WireErr.OK); expect(kinds()).toBe(`${Encap.MPLS}`); expect(r.encapA[0]).toBe(2); expect(r.net).toBe(NetKind.IPV4);
    expect(parse(219, "000021ff" + IP6)).toBe(WireErr.OK); expect(r.net).toBe(NetKind.IPV6); expect(r.hdrLen).toBe(4);
  });
  it("decodes NFLOG's payload TLV by the family, in the capture's byte order", () => {
    expect(parse(239, "02 00 0014 0800 0100 08000300 1800 0900" + IP4 + "0800 0a00 41424300")).toBe(WireErr.OK);
    expect(kinds()).toBe(`${Encap.NFLOG}`); expect(r.hdrLen).toBe(16); expect(r.trailer).toBe(8); expect(r.net).toBe(NetKind.IPV4);
    expect(parse(239, "0a 00 0000 0018 0009" + IP4, LINK_BIG_ENDIAN)).toBe(WireErr.OK); expect(r.net).toBe(NetKind.IPV6); expect(r.hdrLen).toBe(8);
    expect(parse(239, "07 00 0000 0800 0900 0000")).toBe(WireErr.OK); expect(r.net).toBe(NetKind.OTHER);
    expect(parse(239, "02 00 0000")).toBe(WireErr.OK); expect(r.net).toBe(NetKind.NONE); expect(r.encapCount).toBe(1);
  });
  it("decodes 802.11 data frames to LLC/SNAP, with radiotap's FCS and padding", () => {
    expect(parse(105, "0801 0000 " + A + " 1000 " + SNAP4 + IP4)).toBe(WireErr.OK);
    expect(kinds()).toBe(`${Encap.DOT11},${Encap.LLC_SNAP}`); expect(r.macs).toBe(true); expect(load<u8>(r.dst + 1)).toBe(0x33); expect(load<u8>(r.src + 1)).toBe(0x22);
    expect(r.hasType).toBe(true); expect(r.etherType).toBe(0x0800); expect(r.hdrLen).toBe(32); expect(r.net).toBe(NetKind.IPV4); expect(r.fcs).toBe(false);
    // tshark 4.0: radiotap flags.fcs 1, then the frame; the last 4 bytes are its FCS.
    expect(parse(127, "00001100 03000000 0000000000000000 10 0801 0000 " + A + " 1000 " + SNAP4 + IP4 + "deadbeef")).toBe(WireErr.OK);
    expect(kinds()).toBe(`${Encap.RADIOTAP},${Encap.DOT11},${Encap.LLC_SNAP}`); expect(r.fcs).toBe(true); expect(r.hdrLen).toBe(49);
    // Data padding: a 26-byte QoS header is followed by 2 bytes of padding (tshark 4.0: flags.datapad 1, ip.src 10.0.0.1).
    expect(parse(127, "00000a00 02000000 20 00 8801 0000 " + A + " 1000 0000 0000 " + SNAP4 + IP4)).toBe(WireErr.OK);
    expect(r.hdrLen).toBe(10 + 28 + 8); expect(r.net).toBe(NetKind.IPV4);
  });
  it("does not decode encrypted bodies, and says so", () => {
    expect(parse(105, "0841 0000 " + A + " 1000 " + SNAP4 + IP4)).toBe(WireErr.OK);
    expect(kinds()).toBe(`${Encap.DOT11}`); expect(r.encapA[0]).toBe(1); expect(r.net).toBe(NetKind.NONE); expect(r.macs).toBe(true); expect(r.hasType).toBe(false);
    // Control frames name no addresses here.
    expect(parse(105, "b400 0000 021111111111 022222222222")).toBe(WireErr.OK); expect(r.macs).toBe(false); expect(r.hasL2()).toBe(true);
  });
  it("decodes FDDI to LLC/SNAP", () => {
    expect(parse(10, "50 " + MACS + " " + SNAP4 + IP4)).toBe(WireErr.OK);
    expect(kinds()).toBe(`${Encap.FDDI},${Encap.LLC_SNAP}`); expect(load<u8>(r.dst + 5)).toBe(2); expect(r.etherType).toBe(0x0800); expect(r.hdrLen).toBe(21); expect(r.net).toBe(NetKind.IPV4);
    expect(parse(10, "41 " + MACS + " 00")).toBe(WireErr.OK); expect(r.net).toBe(NetKind.NONE); expect(r.hasType).toBe(false);
  });
  it("stops after LINK_ENCAP_DEPTH encapsulations", () => {
    expect(LINK_ENCAP_DEPTH).toBe(8);
    // Four PBB levels are eight encapsulations (I-TAG and customer frame each); a fifth is too many.
    const level = "88e7 00000001 020000000004 020000000003 ";
    expect(parse(1, MACS + " " + level.repeat(4) + "0800" + IP4)).toBe(WireErr.OK); expect(r.encapCount).toBe(8); expect(r.net).toBe(NetKind.IPV4);
    expect(parse(1, MACS + " " + level.repeat(5) + "0800" + IP4)).toBe(WireErr.TOO_MANY_ENCAPS);
    expect(r.encapCount).toBe(8); expect(r.errAt).toBe(Encap.PBB); expect(r.net).toBe(NetKind.NONE);
    // NSH naming NSH again and again ends the same way.
    expect(parse(1, MACS + " 894f " + "0fc20204 00000aff ".repeat(9) + IP4)).toBe(WireErr.TOO_MANY_ENCAPS); expect(r.errAt).toBe(Encap.NSH);
  });
  it("reports unknown link types as unknown, never an error", () => {
    expect(parse(147, "0102")).toBe(WireErr.OK); expect(r.known).toBe(false);
  });
  it("is truncated when a header is cut, and says which, without reading past it", () => {
    expect(parse(1, "0200")).toBe(WireErr.TRUNCATED); expect(r.errAt).toBe(Encap.NONE);
    expect(parse(1, "020000000002 020000000001 8100 00")).toBe(WireErr.TRUNCATED);
    expect(parse(276, "86dd")).toBe(WireErr.TRUNCATED);
    // [link type, frame, where the network layer starts, the encapsulation a cut before it blames]
    const cases: string[] = [
      "1|" + MACS + " 88a8 0064 8864 1100 0011 0016 0021" + IP4 + "|26",
      "1|" + MACS + " 8847 00064a3f 000001fe" + IP4 + "|22",
      "1|" + MACS + " 88e7 00012345 020000000004 020000000003 0800" + IP4 + "|32",
      "1|" + MACS + " 8903 0123 020000000004 020000000003 0800" + IP4 + "|30",
      "1|" + MACS + " 8926 80010002 0800" + IP4 + "|20",
      "1|" + MACS + " 893f 612314560000 0800" + IP4 + "|22",
      "1|" + MACS + " 894f 0fc20201 00000aff" + IP4 + "|22",
      "1|" + MACS + " 001c " + SNAP4 + IP4 + "|22",
      "9|0281 189301ff" + IP4 + "|6",
      "104|0f00 0800" + IP4 + "|4",
      "219|00010040 00011140" + IP4 + "|8",
      "204|01 0021" + IP4 + "|3",
      "105|0801 0000 " + A + " 1000 " + SNAP4 + IP4 + "|32",
      "127|00001100 03000000 0000000000000000 10 0801 0000 " + A + " 1000 " + SNAP4 + IP4 + "|49",
      "10|50 " + MACS + " " + SNAP4 + IP4 + "|21",
      "239|02 00 0014 0800 0100 08000300 1800 0900" + IP4 + "|16",
    ];
    for (let i = 0; i < cases.length; i++) {
      const f = cases[i].split("|");
      const link = <u32>parseInt(f[0]), h = f[1], start = <i32>parseInt(f[2]);
      for (let n = 0; n < start; n++) {
        const e = parseCut(link, h, n);
        // NFLOG before its payload TLV is a header without payload, not an error.
        if (link == 239 && n >= 4) { expect(e).toBe(WireErr.OK); expect(r.net).toBe(NetKind.NONE); continue; }
        expect(e).toBe(WireErr.TRUNCATED);
        expect(r.net).toBe(NetKind.NONE);
        if (link != 1 || n >= 14) expect(r.errAt == Encap.NONE && link != 1).toBe(false);
      }
      expect(parseCut(link, h, start)).toBe(WireErr.OK); expect(r.hdrLen).toBe(start);
    }
  });
});
