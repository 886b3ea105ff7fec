import { Conn, ex } from "../../../assembly/flow/conn";
import { FLOW_EXCHANGES } from "../../../assembly/config";

function addExchange(c: Conn, reqStart: u32, resStart: u32, answered: bool): i32 {
  const pos = c.append();
  const i = c.at(pos);
  const e = ex(i);
  e.hasReq = true; e.reqStart = reqStart;
  if (pos > 0) { const p = ex(c.at(pos - 1)); p.reqEnd = reqStart; if (answered) p.resEnd = resStart; }
  if (answered) { e.hasRes = true; e.resStart = resStart; }
  return i;
}

describe("flow/conn sequence index", () => {
  it("finds the exchange whose request or response bytes contain an offset", () => {
    const c = new Conn();
    const a = addExchange(c, 0, 0, true);
    const b = addExchange(c, 100, 500, true);
    const d = addExchange(c, 250, 900, false);
    expect(c.findByOffset(false, 0)).toBe(a);
    expect(c.findByOffset(false, 99)).toBe(a);
    expect(c.findByOffset(false, 100)).toBe(b);
    expect(c.findByOffset(false, 249)).toBe(b);
    expect(c.findByOffset(false, 250)).toBe(d);
    expect(c.findByOffset(false, 100000)).toBe(d);
    expect(c.findByOffset(true, 499)).toBe(a);
    expect(c.findByOffset(true, 500)).toBe(b);
    expect(c.findByOffset(true, 5000)).toBe(b);
  });
  it("offsets are relative to each direction's first byte, so 32-bit sequence wrap-around is harmless", () => {
    const c = new Conn();
    const dir = c.d[0];
    dir.base = 0xffffff00;
    const a = addExchange(c, dir.off(0xffffff00), 0, false);
    const b = addExchange(c, dir.off(0x00000080), 0, false); // after the wrap
    expect(dir.off(0x00000080)).toBe(0x180);
    expect(c.findByOffset(false, dir.off(0xffffffff))).toBe(a);
    expect(c.findByOffset(false, dir.off(0x0000007f))).toBe(a);
    expect(c.findByOffset(false, dir.off(0x00000080))).toBe(b);
  });
  it("keeps only the newest FLOW_EXCHANGES exchanges: older offsets lose their context", () => {
    const c = new Conn();
    for (let i = 0; i < FLOW_EXCHANGES + 5; i++) addExchange(c, <u32>(i * 10), 0, false);
    expect(c.findByOffset(false, 3)).toBe(-1);
    expect(c.findByOffset(false, <u32>((FLOW_EXCHANGES + 4) * 10 + 1))).toBe(c.at(c.count - 1));
    expect(c.at(0)).toBe(-1);
  });
  it("finds HTTP/2 exchanges by stream id", () => {
    const c = new Conn();
    const i = addExchange(c, 0, 0, false); ex(i).stream = 3;
    const j = addExchange(c, 0, 0, false); ex(j).stream = 5;
    expect(c.findStream(3)).toBe(i);
    expect(c.findStream(5)).toBe(j);
    expect(c.findStream(7)).toBe(-1);
  });
});
