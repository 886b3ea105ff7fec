describe("toolchain", () => {
  it("runs", () => { expect<i32>(19 + 23).toBe(42); });
});
