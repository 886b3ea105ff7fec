import { idleExpired, untrackDeadline, due } from "../../../assembly/flow/timers";

describe("flow/timers (capture time)", () => {
  it("reaps after exactly 600 s of idleness", () => {
    expect(idleExpired(1_000_000_000, 600_999_999_999)).toBe(false);
    expect(idleExpired(1_000_000_000, 601_000_000_000)).toBe(true);
  });
  it("untracks 10 s after the close, not before", () => {
    const d = untrackDeadline(5_000_000_000);
    expect(d).toBe(15_000_000_000);
    expect(due(d, 14_999_999_999)).toBe(false);
    expect(due(d, 15_000_000_000)).toBe(true);
  });
  it("an unscheduled deadline is never due", () => { expect(due(0, i64.MAX_VALUE)).toBe(false); });
});
