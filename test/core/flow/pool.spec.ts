import { Pool } from "../../../assembly/flow/pool";
import * as T from "../../../assembly/flow/table";
import { observe, resetClock } from "../../../assembly/flow/timers";
import { setPart } from "../../../assembly/flow/part";
import { CONN_PARTS } from "../../../assembly/config";

const ADDR_A = utf8("\x0a\x00\x00\x01");
const ADDR_B = utf8("\x0a\x00\x00\x02");

// A connection of part 0 last seen at `sec`: returns its flow index.
function flowAt(port: u32, sec: i64): i32 {
  while (true) {
    T.makeKey(0, ADDR_A, ADDR_B, 4, port, 80);
    if (T.keyPart() == 0) break;
    port += 1;
  }
  const f = T.insert(sec * 1_000_000_000, 0);
  return f;
}

describe("flow/pool", () => {
  it("hands out a part's share, gives each take a new generation, and frees only a holder's own slot", () => {
    T.initTable(0); resetClock(); setPart(0);
    const p = new Pool(CONN_PARTS * 2);
    const a = flowAt(1000, 100), b = flowAt(2000, 100);
    const i = p.take(a * 2), j = p.take(b * 2);
    expect(i).toBeGreaterThanOrEqual(0); expect(j).toBeGreaterThanOrEqual(0); expect(i).not.toBe(j);
    const gi = p.gen[i];
    expect(p.valid(i, gi)).toBe(true);
    p.free(i, gi);
    expect(p.valid(i, gi)).toBe(false);
    const k = p.take(a * 2 + 1);
    expect(k).toBe(i);                       // the freed slot, under a new generation
    expect(p.gen[k]).not.toBe(gi);
    p.free(k, gi);                           // a stale handle frees nothing
    expect(p.valid(k, p.gen[k])).toBe(true);
  });
  it("when the share is empty, reclaims from an ended connection first, then from one idle for 60 s, never from the one asking", () => {
    T.initTable(0); resetClock(); setPart(0);
    const p = new Pool(CONN_PARTS * 2);
    const live = flowAt(3000, 100), ended = flowAt(4000, 150), asker = flowAt(5000, 150);
    observe(150, 0);
    const li = p.take(live * 2), ei = p.take(ended * 2);
    const lg = p.gen[li], eg = p.gen[ei];
    T.setState(ended, T.State.ENDED);
    // The ended holder goes first even though the live one was seen earlier.
    const x = p.take(asker * 2);
    expect(x).toBe(ei);
    expect(p.valid(ei, eg)).toBe(false);
    expect(p.fromEnded).toBe(1);
    // The live holder was seen 50 s ago: not idle enough, so the next take is refused.
    expect(p.take(asker * 2 + 1)).toBe(-1);
    expect(p.refused).toBe(1);
    // 60 s after its last packet it may give its slot up.
    observe(160, 0);
    const y = p.take(asker * 2 + 1);
    expect(y).toBe(li);
    expect(p.valid(li, lg)).toBe(false);
    expect(p.fromIdle).toBe(1);
    // Nothing left but the asker's own slots: refused, whatever their idle time.
    observe(1000, 0);
    expect(p.take(asker * 2)).toBe(-1);
  });
  it("limit() lowers a part's share before the first take", () => {
    setPart(0);
    const p = new Pool(CONN_PARTS * 4);
    p.limit(CONN_PARTS);                     // one per part
    T.initTable(0); resetClock();
    const f = flowAt(6000, 1);
    expect(p.take(f * 2)).toBeGreaterThanOrEqual(0);
    expect(p.take(f * 2 + 1)).toBe(-1);
  });
});
