import { Dir } from "../../../assembly/flow/conn";
import { H2Ev, h2Step, h2Event, h2Start, h2Release, framePtr, frameAvail } from "../../../assembly/http/h2";

// Client preface, SETTINGS (2 settings), WINDOW_UPDATE, HEADERS stream 1, DATA stream 1 (padded),
// PING, a DATA frame of 300 bytes, GOAWAY.
function stream(): string {
  return "505249202a20485454502f322e300d0a0d0a534d0d0a0d0a" +
    "00000c040000000000 000300000064 000400010000" +
    "000004080000000000 00001000" +
    "000005010500000001 8286841234" +
    "000005000900000001 02 6869 0000" +
    "000008060000000000 0102030405060708" +
    "00012c000100000003 " + "ab".repeat(300) +
    "000008070000000000 0000000300000000";
}

function run(h: string, cuts: i32[]): string {
  const d = new Dir(); d.reset(); d.owner = 0; h2Start(d, true); // flow 0, direction 0: the pools need an owner
  const p = hexBytes(h);
  const n = hexLen(h);
  let log = "";
  let prev = 0;
  cuts.push(n);
  for (let k = 0; k < cuts.length; k++) {
    let q = p + <usize>prev;
    let len = cuts[k] - prev;
    prev = cuts[k];
    while (len > 0) {
      const used = h2Step(d, q, len);
      q += <usize>used; len -= used;
      if (h2Event == H2Ev.PREFACE) log += "preface;";
      if (h2Event == H2Ev.FRAME) {
        let sum: u32 = 0;
        for (let i = 0; i < frameAvail; i++) sum = sum * 31 + <u32>load<u8>(framePtr + <usize>i);
        log += d.fType.toString() + "/" + d.fFlags.toString() + "/" + d.fStream.toString() + "/" + d.fLen.toString() + "/" + frameAvail.toString() + "/" + sum.toString() + ";";
        h2Release(d);
      }
    }
  }
  return log;
}

describe("http/h2 framing", () => {
  it("reads the preface and every frame with its payload", () => {
    const log = run(stream(), []);
    expect(log.startsWith("preface;4/0/0/12/12/")).toBe(true);
    expect(log.split(";").length).toBe(9);
  });
  it("gives the same frames and payloads split at every byte boundary", () => {
    const whole = run(stream(), []);
    const n = hexLen(stream());
    for (let cut = 1; cut < n; cut++) expect(run(stream(), [cut])).toBe(whole);
  });
  it("gives the same frames fed one byte at a time", () => {
    const n = hexLen(stream());
    const cuts: i32[] = [];
    for (let i = 1; i < n; i++) cuts.push(i);
    expect(run(stream(), cuts)).toBe(run(stream(), []));
  });
  it("reports a wrong preface", () => {
    const d = new Dir(); d.reset(); d.owner = 0; h2Start(d, true); // flow 0, direction 0: the pools need an owner
    const p = hexBytes("474554202f20485454502f312e31");
    h2Step(d, p, 14);
    expect(h2Event).toBe(H2Ev.BAD_PREFACE);
  });
});
