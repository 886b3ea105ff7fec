import { Conn, conn } from "../../../assembly/flow/conn";
import { segment, C_RTT, C_SYN } from "../../../assembly/flow/timing";

// Segment classification as Wireshark 4.0's tcp_analyze_sequence_number (flow/timing.ts): the
// analysis moves d.next on after segment(); here the tests move it as track.ts would.
const SYN: u32 = 0x02, ACK: u32 = 0x10, FIN: u32 = 0x01, RST: u32 = 0x04, PSH_ACK: u32 = 0x18;
const MS: i64 = 1000000;

function fresh(f: i32): Conn { const c = conn(f); c.releaseExchanges(); c.reset(); return c; }

// Direction 0 sends plen bytes at seq at time t (ms), then its next sequence number moves on as track.ts moves it.
function send(c: Conn, seq: u32, plen: i32, t: i64, flags: u32 = PSH_ACK, win: u32 = 502): void {
  segment(c, 0, seq, 1, flags, win, plen, t * MS);
  const d = c.d[0];
  const end = seq + <u32>plen + ((flags & (SYN | FIN)) != 0 ? 1 : 0);
  if (!d.known) { d.known = true; d.next = end; } else if (<i32>(end - d.next) > 0) d.next = end;
}

describe("flow/timing segment classification", () => {
  it("times the handshake with explicit bits, also at time 0, and takes the first round trip from the last SYN", () => {
    const c = fresh(3);
    c.client = 0;
    send(c, 100, 0, 0, SYN);               // at the epoch
    send(c, 100, 0, 1000, SYN);            // sent again 1 s later: a retransmission
    segment(c, 1, 900, 101, SYN | ACK, 502, 0, 1001 * MS);
    segment(c, 0, 101, 901, ACK, 502, 0, 1003 * MS);
    expect(c.tbits & C_SYN).toBe(C_SYN);
    expect(c.synNs).toBe(0);
    expect(c.tbits & C_RTT).toBe(C_RTT);
    expect(c.rttNs).toBe(3 * MS);
    expect(c.d[0].retrans).toBe(1);
  });
  it("counts out of order within the round trip, retransmitted after it, and neither keep-alives nor a probe's follower", () => {
    const c = fresh(4);
    c.client = 0;
    send(c, 0xfffffff0, 0, 0, SYN);        // sequence numbers wrap around during the test
    segment(c, 1, 5, 0xfffffff1, SYN | ACK, 502, 0, 0);
    segment(c, 0, 0xfffffff1, 6, ACK, 502, 0, 2 * MS);   // round trip 2 ms
    send(c, 0xfffffff1, 100, 10);
    send(c, 0xfffffff1 + 200, 100, 11);     // a gap
    send(c, 0xfffffff1 + 100, 100, 12);     // 1 ms after the highest: out of order
    expect(c.d[0].outOfOrder).toBe(1);
    send(c, 0xfffffff1 + 300, 100, 20);
    send(c, 0xfffffff1 + 300, 100, 30);     // 10 ms later: retransmitted
    expect(c.d[0].retrans).toBe(1);
    send(c, 0xfffffff1 + 399, 1, 40);       // a keep-alive: 1 byte just behind
    expect(c.d[0].retrans).toBe(1);
    segment(c, 1, 6, 0xfffffff1 + 400, ACK, 0, 0, 41 * MS); // the other side's window is 0
    send(c, 0xfffffff1 + 400, 1, 42);       // a zero-window probe: not counted
    segment(c, 1, 6, 0xfffffff1 + 400, ACK, 502, 0, 43 * MS);
    send(c, 0xfffffff1 + 400, 50, 44);      // the probe's byte again and more: one byte behind, neither
    expect(c.d[0].retrans).toBe(1);
    expect(c.d[0].outOfOrder).toBe(1);
    expect(c.d[1].zeroWin).toBe(1);
  });
  it("counts data already acknowledged as retransmitted (spurious) before the out-of-order test, and a FIN sent again", () => {
    const c = fresh(5);
    c.client = 0;
    send(c, 1000, 100, 0);
    send(c, 1100, 100, 1);
    segment(c, 1, 7, 1200, ACK, 502, 0, 2 * MS);  // acknowledges all
    send(c, 1000, 100, 2);                         // 1 ms after the highest, not ending there: spurious
    expect(c.d[0].retrans).toBe(1);
    expect(c.d[0].outOfOrder).toBe(0);
    send(c, 1200, 0, 10, FIN | ACK);
    send(c, 1200, 0, 300, FIN | ACK);              // the FIN again
    expect(c.d[0].retrans).toBe(2);
    segment(c, 0, 1201, 7, RST, 0, 0, 400 * MS);   // a RST's zero window is none
    expect(c.d[0].zeroWin).toBe(0);
    expect(c.rstDir).toBe(0);
  });
});
