import { hashU64, hashBytes, fnvU64 } from "../../../assembly/util/fnv";

describe("util/fnv flow ids (reference §3.1)", () => {
  it("hashes interface indexes", () => {
    expect(hashU64(2)).toBe(12161960014018917983);
    expect(hashU64(0)).toBe(12161962213042174405);
  });
  it("reproduces the worked TCP example", () => {
    const l3 = hashU64(4 + hashBytes(hexBytes("0a000001"), 4) + hashBytes(hexBytes("0a000002"), 4));
    expect(l3).toBe(14334266727035557591);
    const l4 = hashU64(6 + 51234 + 8080);
    expect(l4).toBe(12312258855519140514);
    expect(fnvU64(fnvU64(hashU64(2), l3), l4)).toBe(12523862877769233555);
    expect(fnvU64(fnvU64(hashU64(2), l3), 255)).toBe(2623050195996050178);
  });
  it("is direction-independent and collides on equal port sums (a known property)", () => {
    expect(hashU64(6 + 51234 + 8080)).toBe(hashU64(6 + 8080 + 51234));
    expect(hashU64(6 + 51235 + 8079)).toBe(hashU64(6 + 51234 + 8080));
  });
});
