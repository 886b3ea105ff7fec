import { IcmpRepr, IcmpQuote, parseIcmp4, parseIcmp6, parseIcmpQuote, icmpQuotes } from "../../../assembly/wire/icmp";
import { WireErr } from "../../../assembly/wire/errors";

const ic = new IcmpRepr();
const q = new IcmpQuote();

function h(v: i32, digits: i32): string { let s = v.toString(16); while (s.length < digits) s = "0" + s; return s; }
function zeros(n: i32): string { let s = ""; for (let i = 0; i < n; i++) s += "00"; return s; }
// A 20-byte IPv4 header 10.0.0.9 > 10.0.0.53 (flags and fragment offset as one 16-bit field).
function ip4(total: i32, proto: i32, fragField: i32): string { return "4500" + h(total, 4) + "0000" + h(fragField, 4) + "40" + h(proto, 2) + "0000 0a000009 0a000035"; }
// A 40-byte IPv6 header fd00::9 > fd00::35.
function ip6(payloadLen: i32, nh: i32): string { return "60000000" + h(payloadLen, 4) + h(nh, 2) + "40 fd000000000000000000000000000009 fd000000000000000000000000000035"; }
function udp(len: i32): string { return "a028 0035" + h(len, 4) + "0000"; }

// Parses an ICMPv4 message (hex) and the packet it quotes; the offsets returned are from the quote's start.
function quote4(msg: string): void { const p = hexBytes(msg); expect(parseIcmp4(p, hexLen(msg), ic)).toBe(WireErr.OK); parseIcmpQuote(ic, false, q); }
function quote6(msg: string): void { const p = hexBytes(msg); expect(parseIcmp6(p, hexLen(msg), ic)).toBe(WireErr.OK); parseIcmpQuote(ic, true, q); }
function l4At(): i32 { return <i32>(q.l4 - q.ip); }
function payloadAt(): i32 { return q.payload == 0 ? -1 : <i32>(q.payload - q.ip); }

describe("wire/icmp quote", () => {
  it("names the messages that quote a packet (RFC 792, RFC 4443 §3)", () => {
    expect(icmpQuotes(3, false)).toBe(true); expect(icmpQuotes(5, false)).toBe(true);
    expect(icmpQuotes(11, false)).toBe(true); expect(icmpQuotes(12, false)).toBe(true);
    expect(icmpQuotes(8, false)).toBe(false); expect(icmpQuotes(4, false)).toBe(false);
    for (let t: u32 = 1; t <= 4; t++) expect(icmpQuotes(t, true)).toBe(true);
    expect(icmpQuotes(128, true)).toBe(false); expect(icmpQuotes(137, true)).toBe(false);
  });
  it("finds the quoted UDP datagram and its payload, bounded by the IP and UDP lengths", () => {
    // 5 bytes of payload, then 2 bytes of padding past the IP total length.
    quote4("0303 0000 00000000" + ip4(33, 17, 0) + udp(13) + "0102030405" + "eeee");
    expect(q.ipLen).toBe(35); expect(q.proto).toBe(17);
    expect(l4At()).toBe(20); expect(q.l4Len).toBe(13);
    expect(payloadAt()).toBe(28); expect(q.payloadLen).toBe(5);
    // A UDP length shorter than the IP datagram bounds the payload; one below 8 leaves none.
    quote4("0303 0000 00000000" + ip4(33, 17, 0) + udp(12) + "0102030405");
    expect(q.payloadLen).toBe(4);
    quote4("0303 0000 00000000" + ip4(33, 17, 0) + udp(7) + "0102030405");
    expect(q.payload).toBe(0); expect(q.payloadLen).toBe(0);
    // UDP length 0 (a jumbogram, RFC 2675 §4): the quoted bytes.
    quote4("0303 0000 00000000" + ip4(33, 17, 0) + udp(0) + "0102030405");
    expect(q.payloadLen).toBe(5);
  });
  it("stops at the original datagram field's length when RFC 4884 gives one (ICMP extensions follow)", () => {
    // A 300-byte datagram quoted in a 128-byte field (32 words, byte 5), then a 12-byte extension structure.
    const body = ip4(300, 17, 0) + udp(280) + zeros(100) + "2000 0000 0008 0101 00000001";
    quote4("0b00 0000 00200000" + body);
    expect(q.ipLen).toBe(128); expect(q.l4Len).toBe(108); expect(q.payloadLen).toBe(100);
    // Without the length (pre-RFC 4884 senders write 0), everything captured is the quote.
    quote4("0b00 0000 00000000" + body);
    expect(q.ipLen).toBe(140); expect(q.payloadLen).toBe(112);
    // A redirect's bytes 4..7 are the gateway address: no length there.
    quote4("0501 0000 0a200001" + body);
    expect(q.payloadLen).toBe(112);
    // A parameter problem has the pointer in byte 4, the length in byte 5.
    quote4("0c00 0000 14200000" + body);
    expect(q.payloadLen).toBe(100);
    // A length longer than what was captured: the captured bytes.
    quote4("0b00 0000 00ff0000" + body);
    expect(q.ipLen).toBe(140);
    // ICMPv6 (RFC 4884 §4.2): 8-octet words in byte 4 of destination unreachable and time exceeded.
    const body6 = ip6(300, 17) + udp(300) + zeros(80) + "2000 0000 0008 0101 00000001";
    quote6("0300 0000 10000000" + body6);
    expect(q.ipLen).toBe(128); expect(q.payloadLen).toBe(80);
    quote6("0300 0000 00000000" + body6);
    expect(q.payloadLen).toBe(92);
    // Packet too big's bytes 4..7 are the MTU.
    quote6("0200 0000 000005dc" + body6);
    expect(q.payloadLen).toBe(92);
  });
  it("reads no transport in a later fragment, nor in a quote that is not IPv4", () => {
    quote4("0b00 0000 00000000" + ip4(40, 17, 0x0001) + udp(20) + zeros(12));
    expect(q.proto).toBe(17); expect(q.l4).toBe(0); expect(q.payload).toBe(0);
    // The first fragment (MF set, offset 0) has the transport header.
    quote4("0b00 0000 00000000" + ip4(40, 17, 0x2000) + udp(20) + zeros(12));
    expect(l4At()).toBe(20); expect(q.payloadLen).toBe(12);
    quote4("0b00 0000 00000000" + "65" + ip4(40, 17, 0).slice(2) + udp(20) + zeros(12));
    expect(q.l4).toBe(0);
    // An IHL past the quote.
    quote4("0b00 0000 00000000" + "4f" + ip4(40, 17, 0).slice(2) + udp(20));
    expect(q.l4).toBe(0);
  });
  it("walks the quoted IPv6 packet's extension headers, and stops at a later fragment", () => {
    quote6("0104 0000 00000000" + ip6(8 + 8 + 3, 0) + "1100 0000 00000000" + udp(11) + "aabbcc");
    expect(q.proto).toBe(17); expect(l4At()).toBe(48); expect(payloadAt()).toBe(56); expect(q.payloadLen).toBe(3);
    quote6("0104 0000 00000000" + ip6(8 + 8 + 3, 44) + "1100 0008 00000001" + udp(11) + "aabbcc");
    expect(q.proto).toBe(17); expect(q.l4).toBe(0);
    quote6("0104 0000 00000000" + ip6(8 + 8 + 3, 44) + "1100 0001 00000001" + udp(11) + "aabbcc");
    expect(l4At()).toBe(48); expect(q.payloadLen).toBe(3);
    // An extension header cut by the quote.
    quote6("0104 0000 00000000" + ip6(64, 0) + "1106 0000");
    expect(q.ip).not.toBe(0); expect(q.l4).toBe(0);
  });
  it("finds a TCP segment's data after its options, and none before the data offset is quoted", () => {
    const tcpHdr = "c350 0050 000003e8 000007d0 8018 ffff 0000 0000" + "0101080a0000000100000002";
    quote4("0b00 0000 00000000" + ip4(20 + 32 + 3, 6, 0) + tcpHdr + "474554");
    expect(q.proto).toBe(6); expect(q.l4Len).toBe(35); expect(payloadAt()).toBe(52); expect(q.payloadLen).toBe(3);
    quote4("0b00 0000 00000000" + ip4(20 + 32 + 3, 6, 0) + "c350 0050 000003e8 000007d0");
    expect(q.l4Len).toBe(12); expect(q.payload).toBe(0);
    quote4("0b00 0000 00000000" + ip4(20 + 32 + 3, 6, 0) + tcpHdr);
    expect(q.l4Len).toBe(32); expect(q.payload).toBe(0);
    // A data offset below 5 words is no TCP header.
    quote4("0b00 0000 00000000" + ip4(20 + 20 + 3, 6, 0) + "c350 0050 000003e8 000007d0 4018 ffff 0000 0000 474554");
    expect(q.payload).toBe(0);
  });
  it("finds nothing in messages that quote none, or quote fewer bytes than anything", () => {
    quote4("0800 0000 00010001" + ip4(28, 17, 0) + udp(8));
    expect(q.ip).toBe(0);
    quote4("0303 0000 00000000");
    expect(q.ip).toBe(0);
    quote4("0303 0000 00000000 4500");
    expect(q.ip).not.toBe(0); expect(q.l4).toBe(0);
    quote6("0104 0000 00000000" + "6000000000081140 fd00000000000000");
    expect(q.l4).toBe(0);
  });
});
