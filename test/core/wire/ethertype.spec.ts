import { EtherNext, etherNext } from "../../../assembly/wire/ethertype";
import { InnerKind, innerOfEtherType } from "../../../assembly/wire/tunnel";

describe("wire/ethertype", () => {
  it("names what each EtherType announces", () => {
    expect(etherNext(0x0800)).toBe(EtherNext.IPV4); expect(etherNext(0x86dd)).toBe(EtherNext.IPV6); expect(etherNext(0x0806)).toBe(EtherNext.ARP);
    expect(etherNext(0x8100)).toBe(EtherNext.VLAN); expect(etherNext(0x88a8)).toBe(EtherNext.VLAN); expect(etherNext(0x9100)).toBe(EtherNext.VLAN);
    expect(etherNext(0x8864)).toBe(EtherNext.PPPOE_SESSION); expect(etherNext(0x8863)).toBe(EtherNext.UNKNOWN);
    expect(etherNext(0x8847)).toBe(EtherNext.MPLS); expect(etherNext(0x8848)).toBe(EtherNext.MPLS);
    expect(etherNext(0x88e7)).toBe(EtherNext.PBB); expect(etherNext(0x8903)).toBe(EtherNext.FABRICPATH);
    expect(etherNext(0x8926)).toBe(EtherNext.VNTAG); expect(etherNext(0x893f)).toBe(EtherNext.ETAG); expect(etherNext(0x894f)).toBe(EtherNext.NSH);
    expect(etherNext(0x6558)).toBe(EtherNext.TEB); expect(etherNext(0x880b)).toBe(EtherNext.PPP);
    expect(etherNext(0x88be)).toBe(EtherNext.ERSPAN); expect(etherNext(0x22eb)).toBe(EtherNext.ERSPAN); expect(etherNext(0x88cc)).toBe(EtherNext.UNKNOWN);
  });
  it("gives the tunnels the inner kinds they had", () => {
    expect(innerOfEtherType(0x0800)).toBe(InnerKind.IPV4); expect(innerOfEtherType(0x86dd)).toBe(InnerKind.IPV6);
    expect(innerOfEtherType(0x6558)).toBe(InnerKind.ETHERNET); expect(innerOfEtherType(0x880b)).toBe(InnerKind.PPP);
    expect(innerOfEtherType(0x8847)).toBe(InnerKind.MPLS); expect(innerOfEtherType(0x8848)).toBe(InnerKind.MPLS);
    expect(innerOfEtherType(0x894f)).toBe(InnerKind.NSH); expect(innerOfEtherType(0x88be)).toBe(InnerKind.ERSPAN); expect(innerOfEtherType(0x22eb)).toBe(InnerKind.ERSPAN);
    // Link-level ones are not tunnel payloads.
    expect(innerOfEtherType(0x0806)).toBe(InnerKind.UNKNOWN); expect(innerOfEtherType(0x8100)).toBe(InnerKind.UNKNOWN);
    expect(innerOfEtherType(0x8864)).toBe(InnerKind.UNKNOWN); expect(innerOfEtherType(0x88e7)).toBe(InnerKind.UNKNOWN);
  });
});
