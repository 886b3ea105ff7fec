import { InnerKind, TunnelKind, ipInnerKind, udpTunnelKind, innerOfEtherType, innerOfIpVersion } from "../../../assembly/wire/tunnel";
import { WireErr, wireReason } from "../../../assembly/wire/errors";

describe("wire/tunnel", () => {
  it("maps IP protocol numbers to tunnels", () => {
    expect(ipInnerKind(4)).toBe(TunnelKind.IPIP);
    expect(ipInnerKind(41)).toBe(TunnelKind.IPV6_IN_IP);
    expect(ipInnerKind(47)).toBe(TunnelKind.GRE);
    expect(ipInnerKind(97)).toBe(TunnelKind.ETHERIP);
    expect(ipInnerKind(137)).toBe(TunnelKind.MPLS_IN_IP);
    expect(ipInnerKind(6)).toBe(TunnelKind.NONE); expect(ipInnerKind(17)).toBe(TunnelKind.NONE);
    expect(ipInnerKind(0x100 + 4)).toBe(TunnelKind.NONE);
  });
  it("maps well-known UDP destination ports to tunnels", () => {
    expect(udpTunnelKind(4789, 51234)).toBe(TunnelKind.VXLAN);
    expect(udpTunnelKind(8472, 51234)).toBe(TunnelKind.VXLAN);
    expect(udpTunnelKind(4790, 51234)).toBe(TunnelKind.VXLAN_GPE);
    expect(udpTunnelKind(6081, 51234)).toBe(TunnelKind.GENEVE);
    expect(udpTunnelKind(2152, 2152)).toBe(TunnelKind.GTPU);
    expect(udpTunnelKind(3544, 51234)).toBe(TunnelKind.TEREDO);
    expect(udpTunnelKind(5072, 51234)).toBe(TunnelKind.AYIYA);
    expect(udpTunnelKind(4754, 51234)).toBe(TunnelKind.GRE_IN_UDP);
    expect(udpTunnelKind(6635, 51234)).toBe(TunnelKind.MPLS_IN_UDP);
    expect(udpTunnelKind(53, 51234)).toBe(TunnelKind.NONE);
  });
  it("falls back to the source port (a Teredo or AYIYA server's reply), destination first", () => {
    expect(udpTunnelKind(51234, 3544)).toBe(TunnelKind.TEREDO);
    expect(udpTunnelKind(51234, 5072)).toBe(TunnelKind.AYIYA);
    expect(udpTunnelKind(4789, 3544)).toBe(TunnelKind.VXLAN);
    expect(udpTunnelKind(443, 51234)).toBe(TunnelKind.NONE);
  });
  it("maps EtherTypes and IP version nibbles to inner kinds", () => {
    expect(innerOfEtherType(0x0800)).toBe(InnerKind.IPV4);
    expect(innerOfEtherType(0x86dd)).toBe(InnerKind.IPV6);
    expect(innerOfEtherType(0x6558)).toBe(InnerKind.ETHERNET);
    expect(innerOfEtherType(0x880b)).toBe(InnerKind.PPP);
    expect(innerOfEtherType(0x8847)).toBe(InnerKind.MPLS); expect(innerOfEtherType(0x8848)).toBe(InnerKind.MPLS);
    expect(innerOfEtherType(0x894f)).toBe(InnerKind.NSH);
    expect(innerOfEtherType(0x88be)).toBe(InnerKind.ERSPAN); expect(innerOfEtherType(0x22eb)).toBe(InnerKind.ERSPAN);
    expect(innerOfEtherType(0x0806)).toBe(InnerKind.UNKNOWN);
    expect(innerOfIpVersion(hexBytes("45"), 1)).toBe(InnerKind.IPV4);
    expect(innerOfIpVersion(hexBytes("60"), 1)).toBe(InnerKind.IPV6);
    expect(innerOfIpVersion(hexBytes("50"), 1)).toBe(InnerKind.UNKNOWN);
    expect(innerOfIpVersion(hexBytes("45"), 0)).toBe(InnerKind.UNKNOWN);
  });
  it("names the tunnel decoders' errors", () => {
    expect(wireReason(WireErr.TOO_MANY_LABELS)).toBe("MPLS label stack deeper than 8 labels");
    expect(wireReason(WireErr.BAD_GTP_EXTENSION)).toBe("GTP-U extension header of length 0");
    expect(wireReason(WireErr.TOO_MANY_GTP_EXTENSIONS)).toBe("more than 16 GTP-U extension headers");
    expect(wireReason(WireErr.BAD_FLAGS)).toBe("flags the header's version does not allow");
  });
});
