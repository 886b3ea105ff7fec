import * as pf from "../../../assembly/filter/packet";
import { L3, L4, Net, Proto } from "../../../assembly/filter/packet";

// TCP flag bits (RFC 9293 §3.1).
const FIN: u32 = 0x01, SYN: u32 = 0x02, RST: u32 = 0x04, ACK: u32 = 0x10;

// upstream packet_filter_test.go's fixture (reference §11.2).
function fixture(): void {
  pf.reset();
  pf.setL3(L3.IPV4 | L3.IPV6);
  pf.addNet(hexBytes("a9fe0000"), 4, 16);      // 169.254.0.0/16
  pf.addNet(hexBytes("7f000001"), 4, 32);      // 127.0.0.1/32
  pf.addNet(hexBytes("0a000000"), 4, 8);       // 10.0.0.0/8
  pf.addNet(hexBytes("00000000000000000000000000000001"), 16, 128); // ::1/128
  pf.setL4(L4.TCP | L4.UDP | L4.ICMP4 | L4.ICMP6);
  pf.setTcpFlags(SYN | FIN | RST);
  pf.addPort(8022, false);
}

const V6_LO = "00000000000000000000000000000001";
const V6_GOOGLE = "2607f8b040010c0800000000000000cf"; // 2607:f8b0:4001:c08::cf
const V6_ULA = "fddf3978feb1d745000000000000c001"; // fddf:3978:feb1:d745::c001

describe("filter/packet: upstream packet_filter_test.go (reference §11.2)", () => {
  it("TestRejectTCPfilter: the flags pass but neither port is allowed", () => {
    fixture();
    expect(pf.allowsL4(Proto.TCP, 27584, 80, ACK | FIN)).toBe(false);
    expect(pf.allowsL4(Proto.TCP, 27584, 8022, ACK | FIN)).toBe(true);
  });
  it("TestRejectIPv4Filter", () => {
    fixture();
    const a = hexBytes("a9fe0801"), b = hexBytes("a9fea9fe"); // 169.254.8.1, 169.254.169.254
    expect(pf.inNets(a, 4)).toBe(true);
    expect(pf.inNets(b, 4)).toBe(true);
    expect(pf.allowsL3(Net.IPV4, a, b)).toBe(true);
    expect(pf.allowsL4(Proto.TCP, 27584, 80, ACK | FIN)).toBe(false);
    expect(pf.allows(Net.IPV4, a, b, Proto.TCP, 27584, 80, ACK | FIN)).toBe(false);
  });
  it("TestAllowIPv6Filter", () => {
    fixture();
    const lo = hexBytes(V6_LO);
    expect(pf.allows(Net.IPV6, lo, lo, Proto.TCP, 8022, 41234, RST)).toBe(true);
  });
  it("TestRejectIPv6Filter", () => {
    fixture();
    const a = hexBytes(V6_ULA), b = hexBytes(V6_GOOGLE);
    expect(pf.inNets(a, 16)).toBe(false);
    expect(pf.inNets(b, 16)).toBe(false);
    expect(pf.allowsL3(Net.IPV6, a, b)).toBe(false);
    expect(pf.allowsL4(Proto.TCP, 52552, 443, ACK)).toBe(false); // ACK alone fails the SYN|FIN|RST mask
    expect(pf.allows(Net.IPV6, a, b, Proto.TCP, 52552, 443, ACK)).toBe(false);
  });
  it("TestAllowsIPaddres", () => {
    fixture();
    expect(pf.inNets(hexBytes("adc2ce5f"), 4)).toBe(false); // 173.194.206.95
    expect(pf.inNets(hexBytes("12cc969a"), 4)).toBe(false); // 18.204.150.154
    expect(pf.inNets(hexBytes("c0a80001"), 4)).toBe(false); // 192.168.0.1
    expect(pf.inNets(hexBytes("0a000101"), 4)).toBe(true);  // 10.0.1.1
    expect(pf.inNets(hexBytes("a9fe0801"), 4)).toBe(true);  // 169.254.8.1
    expect(pf.inNets(hexBytes("a9fe0901"), 4)).toBe(true);  // 169.254.9.1
    expect(pf.inNets(hexBytes("a9fea9fe"), 4)).toBe(true);  // 169.254.169.254
    expect(pf.inNets(hexBytes("7f000002"), 4)).toBe(false); // 127.0.0.2 is outside 127.0.0.1/32
  });
  it("TestHashSocket: the exact values, in both directions, and DenySocket", () => {
    pf.reset();
    const a4 = hexBytes("7f000001"), b4 = hexBytes("0a0a0a0a");
    expect(pf.socketHash(a4, 55555, b4, 443, 4)).toBe(10351161001335498133);
    expect(pf.socketHash(b4, 443, a4, 55555, 4)).toBe(10351161001335498133);
    const a6 = hexBytes(V6_LO), b6 = hexBytes(V6_GOOGLE);
    expect(pf.socketHash(a6, 55555, b6, 443, 16)).toBe(3654079826366050561);
    expect(pf.socketHash(b6, 443, a6, 55555, 16)).toBe(3654079826366050561);
    expect(pf.allowsSocket(a4, 55555, b4, 443, 4)).toBe(true);
    expect(pf.denySocket(a4, 55555, b4, 443, 4)).toBe(true);
    expect(pf.denySocket(a6, 55555, b6, 443, 16)).toBe(true);
    expect(pf.allowsSocket(a4, 55555, b4, 443, 4)).toBe(false);
    expect(pf.allowsSocket(b4, 443, a4, 55555, 4)).toBe(false);
    expect(pf.allowsSocket(b6, 443, a6, 55555, 16)).toBe(false);
    expect(pf.allowsSocket(a4, 55556, b4, 443, 4)).toBe(true);
    expect(pf.allows(Net.IPV4, b4, a4, Proto.UDP, 443, 55555, 0)).toBe(false);
    expect(pf.allows(Net.IPV4, b4, a4, Proto.UDP, 443, 55556, 0)).toBe(true);
  });
});

describe("filter/packet: tracecap's rules", () => {
  it("counts every configured network, even overlapping ones (upstream replaced them)", () => {
    pf.reset();
    pf.addNet(hexBytes("0a000000"), 4, 8);  // 10.0.0.0/8
    pf.addNet(hexBytes("0a010000"), 4, 16); // 10.1.0.0/16 overlaps
    expect(pf.inNets(hexBytes("0a020304"), 4)).toBe(true);
    expect(pf.inNets(hexBytes("0a010304"), 4)).toBe(true);
    expect(pf.inNets(hexBytes("0b000001"), 4)).toBe(false);
  });
  it("matches prefixes that end inside a byte, and /0", () => {
    pf.reset();
    pf.addNet(hexBytes("c0a80080"), 4, 25); // 192.168.0.128/25
    expect(pf.inNets(hexBytes("c0a800ff"), 4)).toBe(true);
    expect(pf.inNets(hexBytes("c0a8007f"), 4)).toBe(false);
    pf.addNet(hexBytes("00000000000000000000000000000000"), 16, 0); // ::/0
    expect(pf.inNets(hexBytes(V6_GOOGLE), 16)).toBe(true);
    expect(pf.inNets(hexBytes("08080808"), 4)).toBe(false); // families stay apart
    expect(pf.addNet(hexBytes("00000000"), 4, 33)).toBe(false);
    expect(pf.addNet(hexBytes("00000000"), 5, 8)).toBe(false);
  });
  it("needs both ends inside, and networks of one family leave the other alone", () => {
    pf.reset();
    pf.addNet(hexBytes("0a000000"), 4, 8);
    expect(pf.allowsL3(Net.IPV4, hexBytes("0a000001"), hexBytes("0a000002"))).toBe(true);
    expect(pf.allowsL3(Net.IPV4, hexBytes("0a000001"), hexBytes("08080808"))).toBe(false);
    expect(pf.allowsL3(Net.IPV4, hexBytes("08080808"), hexBytes("0a000001"))).toBe(false);
    expect(pf.allowsL3(Net.IPV6, hexBytes(V6_GOOGLE), hexBytes(V6_LO))).toBe(true);
  });
  it("lets packets without IP through the L3 step; arp in the set only excludes IP", () => {
    pf.reset();
    pf.setL3(L3.IPV4);
    expect(pf.allowsL3(Net.NONE, 0, 0)).toBe(true);
    expect(pf.allowsL3(Net.IPV4, hexBytes("01020304"), hexBytes("01020304"))).toBe(true);
    expect(pf.allowsL3(Net.IPV6, hexBytes(V6_LO), hexBytes(V6_LO))).toBe(false);
    pf.setL3(L3.ARP);
    expect(pf.allows(Net.NONE, 0, 0, Proto.NONE, 0, 0, 0)).toBe(true);
    expect(pf.allowsL3(Net.IPV4, hexBytes("01020304"), hexBytes("01020304"))).toBe(false);
    expect(pf.allowsL3(Net.IPV6, hexBytes(V6_LO), hexBytes(V6_LO))).toBe(false);
  });
  it("filters TCP and UDP by the L4 set, never ICMP", () => {
    pf.reset();
    pf.setL4(L4.UDP);
    expect(pf.allowsL4(Proto.UDP, 1, 2, 0)).toBe(true);
    expect(pf.allowsL4(Proto.TCP, 1, 2, SYN)).toBe(false);
    expect(pf.allowsL4(Proto.NONE, 0, 0, 0)).toBe(true);
    pf.setL4(L4.ICMP4);
    expect(pf.allowsL4(Proto.UDP, 1, 2, 0)).toBe(false);
    expect(pf.allowsL4(Proto.TCP, 1, 2, 0)).toBe(false);
  });
  it("denies ports before allowing them, for UDP as for TCP, and ignores flags for UDP", () => {
    pf.reset();
    pf.addPort(53, true);
    expect(pf.allowsL4(Proto.UDP, 53, 40000, 0)).toBe(false);
    expect(pf.allowsL4(Proto.UDP, 40000, 53, 0)).toBe(false);
    expect(pf.allowsL4(Proto.UDP, 40000, 40001, 0)).toBe(true); // only denials: anything else passes
    pf.addPort(40000, false);
    pf.addPort(40000, false); // twice is once
    pf.addPort(53, false);    // denied wins
    expect(pf.allowsL4(Proto.TCP, 40000, 53, SYN)).toBe(false);
    expect(pf.allowsL4(Proto.TCP, 40000, 80, SYN)).toBe(true);
    expect(pf.allowsL4(Proto.TCP, 81, 80, SYN)).toBe(false);
    pf.setTcpFlags(SYN);
    expect(pf.allowsL4(Proto.TCP, 40000, 80, ACK)).toBe(false);
    expect(pf.allowsL4(Proto.UDP, 40000, 80, 0)).toBe(true);
    expect(pf.addPort(65536, false)).toBe(false);
    expect(pf.addPort(-1, true)).toBe(false);
  });
  it("is inactive until something is configured, and reset() clears everything", () => {
    pf.reset();
    expect(pf.active).toBe(false);
    pf.addPort(80, false);
    expect(pf.active).toBe(true);
    pf.reset();
    expect(pf.active).toBe(false);
    expect(pf.allowsL4(Proto.TCP, 1, 2, 0)).toBe(true);
  });
});
