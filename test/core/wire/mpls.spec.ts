import { MplsRepr, parseMpls, pwEthernetStart, MAX_MPLS_LABELS, MPLS_ENTRY_LEN } from "../../../assembly/wire/mpls";
import { InnerKind } from "../../../assembly/wire/tunnel";
import { WireErr } from "../../../assembly/wire/errors";
import { atEnd } from "./at-end";

const r = new MplsRepr();
function parse(h: string): WireErr { return parseMpls(hexBytes(h), hexLen(h), r); }
/** The first n bytes of h, ending at the end of memory (a read past them traps). */
function parseCut(h: string, n: i32): WireErr { return parseMpls(atEnd(hexBytes(h), n), n, r); }

const IP4 = "45000014000040004001b9e60a0000010a000002";
const IP6 = "60000000 0000 3b 40 20010db8000000000000000000000001 20010db8000000000000000000000002";
const ETH = "529a00c84f88 529a00825c62 0800" + IP4;
// Checked with tshark 4.0 (text2pcap -e 0x8847): label 100, Exp 5, S 0, TTL 63; then label 0
// (IPv4 Explicit-Null), S 1, TTL 254; then IPv4.
const TWO = "00064a3f 000001fe";

describe("wire/mpls", () => {
  it("decodes a label stack down to an explicit-null bottom", () => {
    expect(parse(TWO + IP4)).toBe(WireErr.OK);
    expect(r.count).toBe(2); expect(r.labels[0]).toBe(100); expect(r.tcs[0]).toBe(5); expect(r.ttls[0]).toBe(63);
    expect(r.labels[1]).toBe(0); expect(r.tcs[1]).toBe(0); expect(r.ttls[1]).toBe(254);
    expect(r.hdrLen).toBe(8); expect(r.inner).toBe(InnerKind.IPV4); expect(r.payloadLen).toBe(20);
    // tshark 4.0: label 2 (IPv6 Explicit-Null), S 1, TTL 255, then IPv6.
    expect(parse("000021ff" + IP6)).toBe(WireErr.OK); expect(r.labels[0]).toBe(2); expect(r.inner).toBe(InnerKind.IPV6);
    // The label, not the nibble, decides after an explicit null.
    expect(parse("000001ff" + IP6)).toBe(WireErr.OK); expect(r.inner).toBe(InnerKind.IPV4);
  });
  it("guesses IPv4 and IPv6 by the first nibble", () => {
    // The label stack of the corpus' tcpdump/mpls-over-udp.pcap (tshark: label 21, S 1, TTL 63, then IPv4).
    expect(parse("0001513f" + IP4)).toBe(WireErr.OK);
    expect(r.count).toBe(1); expect(r.labels[0]).toBe(21); expect(r.ttls[0]).toBe(63); expect(r.inner).toBe(InnerKind.IPV4);
    expect(parse("ffffffff" + IP6)).toBe(WireErr.OK);
    expect(r.labels[0]).toBe(0xfffff); expect(r.tcs[0]).toBe(7); expect(r.ttls[0]).toBe(255); expect(r.inner).toBe(InnerKind.IPV6);
    expect(r.controlWord).toBe(false); expect(r.ach).toBe(false);
  });
  it("flags a pseudowire control word and says where the Ethernet frame would start", () => {
    // tshark 4.0 shows label 125, S 1, then "PW Ethernet Control Word" and the frame.
    expect(parse("0007d1ff 00000000" + ETH)).toBe(WireErr.OK);
    expect(r.controlWord).toBe(true); expect(r.inner).toBe(InnerKind.UNKNOWN); expect(pwEthernetStart(r)).toBe(4);
    expect(parse("0007d1ff 00")).toBe(WireErr.OK); expect(r.controlWord).toBe(true); expect(pwEthernetStart(r)).toBe(-1);
    // Without a control word (tshark 4.0: Data) the frame would start at once.
    expect(parse("0007d1ff" + ETH)).toBe(WireErr.OK);
    expect(r.controlWord).toBe(false); expect(r.inner).toBe(InnerKind.UNKNOWN); expect(pwEthernetStart(r)).toBe(0);
  });
  it("flags a pseudowire associated channel", () => {
    // tshark 4.0: label 13 (GAL), S 1, then a Generic Associated Channel Header.
    expect(parse("0000d1ff 10000000 0000")).toBe(WireErr.OK);
    expect(r.labels[0]).toBe(13); expect(r.ach).toBe(true); expect(r.controlWord).toBe(false); expect(r.inner).toBe(InnerKind.UNKNOWN);
  });
  it("leaves an empty payload UNKNOWN", () => {
    expect(parse("0001513f")).toBe(WireErr.OK); expect(r.payloadLen).toBe(0); expect(r.inner).toBe(InnerKind.UNKNOWN);
  });
  it("decodes MAX_MPLS_LABELS labels and no more", () => {
    expect(MAX_MPLS_LABELS).toBe(8);
    // tshark 4.0: seven entries of label 16, S 0, TTL 64, then label 17, S 1, then IPv4.
    expect(parse("00010040".repeat(7) + "00011140" + IP4)).toBe(WireErr.OK);
    expect(r.count).toBe(8); expect(r.labels[0]).toBe(16); expect(r.labels[7]).toBe(17); expect(r.hdrLen).toBe(32); expect(r.inner).toBe(InnerKind.IPV4);
    expect(parse("00010040".repeat(8) + "00011140" + IP4)).toBe(WireErr.TOO_MANY_LABELS);
    expect(r.count).toBe(8); expect(r.hdrLen).toBe(32); expect(r.inner).toBe(InnerKind.UNKNOWN);
  });
  it("reports every cut inside the stack as TRUNCATED without reading past it", () => {
    const h = TWO + IP4;
    for (let n = 0; n < 8; n++) {
      expect(parseCut(h, n)).toBe(WireErr.TRUNCATED);
      expect(r.count).toBe(n / MPLS_ENTRY_LEN); expect(r.inner).toBe(InnerKind.UNKNOWN);
    }
    for (let n = 8; n <= hexLen(h); n++) { expect(parseCut(h, n)).toBe(WireErr.OK); expect(r.payloadLen).toBe(n - 8); }
    // A stack without a bottom within the capture.
    expect(parse("00064a3f 00064a3f")).toBe(WireErr.TRUNCATED); expect(r.count).toBe(2);
  });
});
