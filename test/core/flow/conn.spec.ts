import { Conn, ExState, conn, ex, finish, bindStream, nextPacket } from "../../../assembly/flow/conn";
import { FLOW_EXCHANGES, MAX_EXCHANGES, CONN_PARTS } from "../../../assembly/config";

// Every flow below is in part 0 (flows 0 … MAX_FLOWS / CONN_PARTS − 1), the part exchanges are
// taken from while flow/part.ts's current part is 0.
const PART_EXCHANGES = MAX_EXCHANGES / CONN_PARTS;

function addExchange(c: Conn, reqStart: u32, resStart: u32, answered: bool): i32 {
  nextPacket();
  const i = c.append();
  const e = ex(i);
  e.hasReq = true; e.reqStart = reqStart;
  if (e.pos > 0) { const p = c.at(e.pos - 1); if (p >= 0) { ex(p).reqEnd = reqStart; if (answered) ex(p).resEnd = resStart; } }
  if (answered) { e.hasRes = true; e.resStart = resStart; }
  return i;
}

function fresh(f: i32): Conn { const c = conn(f); c.releaseExchanges(); c.reset(); return c; }

describe("flow/conn sequence index", () => {
  it("finds the exchange whose request or response bytes contain an offset", () => {
    const c = fresh(1);
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
    c.releaseExchanges();
  });
  it("offsets are relative to each direction's first byte, so 32-bit sequence wrap-around is harmless", () => {
    const c = fresh(2);
    const dir = c.d[0];
    dir.base = 0xffffff00;
    const a = addExchange(c, dir.off(0xffffff00), 0, false);
    const b = addExchange(c, dir.off(0x00000080), 0, false); // after the wrap
    expect(dir.off(0x00000080)).toBe(0x180);
    expect(c.findByOffset(false, dir.off(0xffffffff))).toBe(a);
    expect(c.findByOffset(false, dir.off(0x0000007f))).toBe(a);
    expect(c.findByOffset(false, dir.off(0x00000080))).toBe(b);
    c.releaseExchanges();
  });
  it("keeps its newest FLOW_EXCHANGES finished exchanges, and every waiting one", () => {
    const c = fresh(3);
    const waiting = addExchange(c, 0, 0, false); // never answered: a slow response
    for (let i = 1; i < FLOW_EXCHANGES + 6; i++) finish(addExchange(c, <u32>(i * 10), 0, false));
    expect(c.exFinished).toBe(FLOW_EXCHANGES);
    expect(c.at(0)).toBe(waiting);
    expect(ex(waiting).state).toBe(ExState.WAITING);
    expect(c.at(1)).toBe(-1);                       // the oldest finished ones went back
    expect(c.at(5)).toBe(-1);
    expect(c.at(6)).toBeGreaterThanOrEqual(0);
    expect(c.findByOffset(false, 3)).toBe(waiting);
    expect(c.findByOffset(false, <u32>((FLOW_EXCHANGES + 5) * 10 + 1))).toBe(c.at(c.count - 1));
    c.releaseExchanges();
  });
  it("a part whose exchanges are all held reuses its oldest finished one, never a waiting one while one is finished", () => {
    const slow = fresh(4);
    const w = addExchange(slow, 0, 0, false);      // waits for minutes
    const wGen = ex(w).gen;
    const busy = fresh(5);
    // Fill the rest of the part's share with finished exchanges of many connections.
    for (let i = 0; i < PART_EXCHANGES - 1; i++) {
      const c = (i & 15) == 0 ? fresh(100 + (i >> 4)) : conn(100 + (i >> 4));
      finish(addExchange(c, <u32>i, 0, false));
    }
    const before = conn(100).exHead;
    const x = addExchange(busy, 0, 0, false);
    expect(x).toBe(before);                          // the part's oldest finished exchange
    expect(slow.at(0)).toBe(w);                      // the waiting one is untouched
    expect(ex(w).gen).toBe(wGen);
    for (let f = 100; f < 100 + (PART_EXCHANGES >> 4) + 1; f++) conn(f).releaseExchanges();
    slow.releaseExchanges(); busy.releaseExchanges();
  });
  it("finds HTTP/2 exchanges by stream id, 200 streams in flight on one connection", () => {
    const c = fresh(6);
    const ids = new StaticArray<i32>(200);
    for (let k = 0; k < 200; k++) { const i = addExchange(c, 0, 0, false); bindStream(i, <u32>(2 * k + 1)); ids[k] = i; }
    for (let k = 0; k < 200; k++) expect(c.findStream(<u32>(2 * k + 1))).toBe(ids[k]);
    expect(c.findStream(401)).toBe(-1);
    expect(conn(7).findStream(1)).toBe(-1);          // another connection's stream 1 is its own
    c.releaseExchanges();
    expect(c.findStream(1)).toBe(-1);
  });
});
