import { observe, resetClock, clock, idleExpired, releaseDue, reclaimable, untrackDeadline, due } from "../../../assembly/flow/timers";

describe("flow/timers (capture time)", () => {
  it("the clock is the latest timestamp read: a packet stamped in the past does not move it back", () => {
    resetClock();
    observe(100, 5);
    observe(90, 0);
    expect(clock).toBe(100_000_000_005);
  });
  it("reaps after exactly 600 s of idleness", () => {
    resetClock();
    observe(600, 999_999_999);
    expect(idleExpired(1_000_000_000)).toBe(false);
    observe(601, 0);
    expect(idleExpired(1_000_000_000)).toBe(true);
  });
  it("releases an ended connection 10 s after its last packet, and lets an idle one give up resources after 60 s", () => {
    resetClock();
    observe(10, 999_999_999);
    expect(releaseDue(1_000_000_000)).toBe(false);
    observe(11, 0);
    expect(releaseDue(1_000_000_000)).toBe(true);
    expect(reclaimable(1_000_000_000)).toBe(false);
    observe(61, 0);
    expect(reclaimable(1_000_000_000)).toBe(true);
  });
  it("untracks 10 s after the close, not before", () => {
    const d = untrackDeadline(5_000_000_000);
    expect(d).toBe(15_000_000_000);
    expect(due(d, 14_999_999_999)).toBe(false);
    expect(due(d, 15_000_000_000)).toBe(true);
  });
  it("an unscheduled deadline is never due", () => { expect(due(0, i64.MAX_VALUE)).toBe(false); });
});
