import { FabricPathRepr, parseFabricPath } from "../../../assembly/wire/fabricpath";
import { WireErr } from "../../../assembly/wire/errors";
import { atEnd } from "./at-end";

const r = new FabricPathRepr();

describe("wire/fabricpath", () => {
  it("decodes FTag and TTL", () => {
    // tshark 4.0 (text2pcap, EtherType 0x8903): cfp.ftag 4, cfp.ttl 35, then the inner Ethernet frame.
    expect(parseFabricPath(hexBytes("0123"), 2, r)).toBe(WireErr.OK); expect(r.ftag).toBe(4); expect(r.ttl).toBe(0x23);
  });
  it("is TRUNCATED below 2 bytes, without reading past them", () => {
    expect(parseFabricPath(atEnd(hexBytes("0123"), 0), 0, r)).toBe(WireErr.TRUNCATED);
    expect(parseFabricPath(atEnd(hexBytes("0123"), 1), 1, r)).toBe(WireErr.TRUNCATED);
  });
});
