import { LinkRepr, parseLink, NetKind } from "../../../assembly/wire/link";
import { WireErr } from "../../../assembly/wire/errors";

const r = new LinkRepr();
function parse(link: u32, h: string): WireErr { return parseLink(link, hexBytes(h), hexLen(h), r); }

describe("wire/link", () => {
  it("decodes Ethernet II", () => {
    expect(parse(1, "420a00000002 420a00000001 0800 45")).toBe(WireErr.OK);
    expect(r.ethernet).toBe(true); expect(r.etherType).toBe(0x0800); expect(r.net).toBe(NetKind.IPV4); expect(r.hdrLen).toBe(14);
  });
  it("walks 802.1Q and QinQ tags", () => {
    expect(parse(1, "020000000002 020000000001 88a8 0064 8100 00c8 86dd 60")).toBe(WireErr.OK);
    expect(r.etherType).toBe(0x88a8); expect(r.innerType).toBe(0x86dd); expect(r.vlanCount).toBe(2);
    expect(r.vlans[0]).toBe(100); expect(r.vlans[1]).toBe(200); expect(r.hdrLen).toBe(22); expect(r.net).toBe(NetKind.IPV6);
  });
  it("maps 802.3 length fields to LLC (EtherType 0)", () => {
    expect(parse(1, "020000000002 020000000001 0026 aaaa03")).toBe(WireErr.OK);
    expect(r.etherType).toBe(0); expect(r.net).toBe(NetKind.OTHER);
  });
  it("decodes Linux cooked SLL and SLL2", () => {
    expect(parse(113, "0000 0304 0006 000000000000 0000 0800 45")).toBe(WireErr.OK);
    expect(r.ethernet).toBe(false); expect(r.hdrLen).toBe(16); expect(r.net).toBe(NetKind.IPV4);
    expect(parse(276, "86dd 0000 00000001 0304 00 06 0000000000000000 60")).toBe(WireErr.OK);
    expect(r.hdrLen).toBe(20); expect(r.net).toBe(NetKind.IPV6);
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
  it("reports unknown link types as unknown, never an error", () => {
    expect(parse(147, "0102")).toBe(WireErr.OK); expect(r.known).toBe(false);
  });
  it("is truncated when the header is cut", () => {
    expect(parse(1, "0200")).toBe(WireErr.TRUNCATED);
    expect(parse(1, "020000000002 020000000001 8100 00")).toBe(WireErr.TRUNCATED);
    expect(parse(276, "86dd")).toBe(WireErr.TRUNCATED);
  });
});
