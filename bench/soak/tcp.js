// One TCP connection of the soak generator: the handshake, data cut into segments of at most
// 1448 bytes, ACKs (every second segment at once, a last odd one delayed 40 ms unless data in
// the other direction carries it), FIN both ways, RST, and random initial sequence numbers
// (some just below 2^32, so sequence numbers wrap). A connection script (h1.js, h2.js, tls.js)
// drives it; packets wait in a small time-ordered queue until the scheduler (gen.js) writes
// them. At that moment the connection's observer works out what the record must show, and the
// generic closing rules live here (README "How the analysis works"; flow/track.ts): trace context
// is dropped 10 s after the first FIN/RST once no response is pending (scheduleUntrack), and an
// ENDED connection (FIN both ways, or any RST) is RELEASED 10 s of capture time after its last
// packet: its later packets carry no trace and no analysis (plain L7) until a new SYN. Times
// here are capture-time ticks (integer ns as written to the pcap, so µs-rounded unless --ns),
// compared as the core compares its deadlines.

export const CLIENT = 0;
export const SERVER = 1;
export const MSS = 1448;
const FIN = 0x01, SYN = 0x02, RST = 0x04, PSH = 0x08, ACK = 0x10;
const DELAYED_ACK = 0.040;
const UNTRACK_NS = 10e9;
const RELEASE_NS = 10e9;

/** A TCP connection: its endpoints, both byte streams, and the packets not yet written. */
export class TcpConn {
  /** `o`: id (arrival order), mix, rng, addresses, ports, t (start, seconds), rtt (seconds). */
  constructor(o) {
    Object.assign(this, { id: o.id, mix: o.mix, rng: o.rng, addr: o.addr, port: o.port, rtt: o.rtt });
    this.now = o.t;
    this.isn = [this.drawIsn(), this.drawIsn()];
    this.sent = [0, 0];
    this.deliv = [[], []]; // per receiving side: [time, end offset] of the other side's data
    this.finAt = [Infinity, Infinity]; // time each side's FIN reaches the other
    this.finWritten = [false, false]; // a FIN of this side is written: its later packets count it in their sequence numbers
    this.emitted = [0, 0]; // stream bytes of each side already written
    this.lastAck = [-1, -1]; // the acknowledgement each side last sent
    this.q = [];
    this.segsSinceAck = [0, 0];
    this.closing = false; this.untrackAt = 0; this.untracked = false;
    this.finSeen = [false, false]; this.rstSeen = false; this.lastSeen = -1; this.released = false;
    this.observer = null; this.script = null; this.done = false;
  }

  drawIsn() { return this.rng.chance(0.15) ? 0x100000000 - this.rng.int(1, 400000) : this.rng.u32(); }

  /** Queues a packet, keeping the queue in time order (stable for equal times). */
  queue(p) {
    let i = this.q.length;
    while (i > 0 && this.q[i - 1].t > p.t) i--;
    this.q.splice(i, 0, p);
    return p;
  }

  /** Time of the next queued packet (Infinity when none). */
  nextTime() { return this.q.length ? this.q[0].t : Infinity; }

  /** Bytes of the other side that side `dir` has received by time t (and whether its FIN). */
  ackFor(dir, t) {
    const list = this.deliv[dir];
    let off = 0;
    for (let i = list.length - 1; i >= 0; i--) if (list[i][0] <= t) { off = list[i][1]; if (i > 32) list.splice(0, i - 16); break; }
    return { off, fin: this.finAt[1 - dir] <= t };
  }

  // A packet's sequence offset (null: wherever its side's stream is when it is written) and
  // acknowledgement are settled when it is written: by then every segment of the other side
  // sent earlier has been created (the scheduler runs scripts in time order).
  packet(t, dir, flags, off, payload) {
    return this.queue({ t, dir, flags, off, payload, ackOff: 0, ackFin: false });
  }

  /**
   * Settles a packet about to be written: its offset and acknowledgement. Returns false for a
   * pure ACK that acknowledges nothing new (data of its side carried it already).
   */
  settle(p) {
    if (p.off === null) p.off = this.emitted[p.dir];
    if (p.flags & ACK && !(p.flags & SYN)) { const a = this.ackFor(p.dir, p.t); p.ackOff = a.off; p.ackFin = a.fin; }
    const key = p.ackOff * 2 + (p.ackFin ? 1 : 0);
    if (p.flags === ACK && p.payload.length === 0 && key === this.lastAck[p.dir] && !p.force) return false;
    if (p.flags & ACK) this.lastAck[p.dir] = key;
    if (p.off >= 0) this.emitted[p.dir] = Math.max(this.emitted[p.dir], p.off + p.payload.length);
    p.seqOff = p.off < 0 ? -1 : p.off + (this.finWritten[p.dir] ? 1 : 0);
    if (p.flags & FIN) this.finWritten[p.dir] = true;
    return true;
  }

  /** SYN, SYN-ACK, ACK; the script's clock moves on by one round trip. */
  open() {
    const t = this.now;
    this.packet(t, CLIENT, SYN, -1, EMPTY);
    this.packet(t + this.rtt / 2, SERVER, SYN | ACK, -1, EMPTY);
    this.packet(t + this.rtt, CLIENT, ACK, null, EMPTY);
    this.now = t + this.rtt;
  }

  /**
   * Sends bytes from `dir` starting at the script's clock: segments of at most MSS bytes (cut
   * also at `cuts`, stream offsets where a segment must end), spaced by `gap` seconds. The
   * receiver acknowledges. Returns the time the last byte arrives at the other side. With
   * `stopAt` (a stream offset) only the bytes before it are sent (a reset follows).
   */
  send(dir, bytes, { cuts = [], gap = 0.00002, stopAt = Infinity } = {}) {
    let off = this.sent[dir];
    const end = Math.min(off + bytes.length, stopAt);
    const base = off;
    let t = this.now, arrive = t;
    const cutSet = cuts.filter((c) => c > off && c < end).sort((x, y) => x - y);
    let ci = 0;
    while (off < end) {
      let n = Math.min(MSS, end - off);
      while (ci < cutSet.length && cutSet[ci] <= off) ci++;
      if (ci < cutSet.length && cutSet[ci] < off + n) n = cutSet[ci] - off;
      const last = off + n >= end;
      this.packet(t, dir, ACK | (last ? PSH : 0), off, bytes.subarray(off - base, off - base + n));
      off += n;
      arrive = t + this.rtt / 2;
      this.deliv[1 - dir].push([arrive, off]);
      this.receiverAcks(1 - dir, arrive, last);
      t += gap;
    }
    this.sent[dir] = off;
    this.now = t;
    return arrive;
  }

  // The receiver's ACK policy: every second segment at once, a last odd one after 40 ms.
  receiverAcks(rdir, arrive, last) {
    this.segsSinceAck[rdir]++;
    if (this.segsSinceAck[rdir] >= 2) {
      this.segsSinceAck[rdir] = 0;
      this.packet(arrive + 0.000005, rdir, ACK, null, EMPTY);
    } else if (last) {
      this.segsSinceAck[rdir] = 0;
      this.packet(arrive + DELAYED_ACK, rdir, ACK, null, EMPTY);
    }
  }

  /** Moves the script's clock on by dt seconds. */
  wait(dt) { this.now += dt; }

  /** Moves the script's clock to time t if it is later. */
  until(t) { if (t > this.now) this.now = t; }

  /** FIN from `dir` at the script's clock. */
  fin(dir) {
    this.packet(this.now, dir, FIN | ACK, null, EMPTY);
    this.finAt[dir] = this.now + this.rtt / 2;
    this.now += 0.00001;
  }

  /** The usual close: FIN from `first`, FIN-ACK back, last ACK (late by `lastAckDelay` s). */
  close(first, lastAckDelay = 0) {
    this.fin(first);
    this.until(this.finAt[first] + 0.0002);
    this.fin(1 - first);
    this.packet(this.finAt[1 - first] + lastAckDelay, first, ACK, null, EMPTY);
    this.done = true;
  }

  /** RST from `dir` at the script's clock; nothing follows. */
  reset(dir) {
    this.packet(this.now, dir, RST | ACK, null, EMPTY);
    this.done = true;
  }

  /** A pure ACK from `dir` `dt` seconds after the script's clock, written even if it acknowledges nothing new (a straggler after the end). */
  straggler(dir, dt) {
    this.packet(this.now + dt, dir, ACK, null, EMPTY).force = true;
  }

  /** The TCP sequence and acknowledgement numbers of a queued packet. */
  numbers(p) {
    const seq = p.off < 0 ? this.isn[p.dir] : this.isn[p.dir] + 1 + p.seqOff;
    const o = 1 - p.dir;
    const ack = p.flags & ACK ? (p.off < 0 ? this.isn[o] + 1 : this.isn[o] + 1 + p.ackOff + (p.ackFin ? 1 : 0)) : 0;
    return { seq: seq >>> 0, ack: ack >>> 0 };
  }

  /**
   * The closing rules at a packet written at tick t, before its payload is analysed: whether the
   * trace context is already dropped, and whether the connection was released (ended, and its
   * previous packet 10 s or more before this one: flow/timers.ts releaseDue, flow/track.ts
   * release). A released connection is untracked for good.
   */
  beforePacket(t) {
    if (this.untrackAt && t >= this.untrackAt) { this.untracked = true; this.untrackAt = 0; }
    if (this.ended() && this.lastSeen >= 0 && t - this.lastSeen >= RELEASE_NS) { this.released = true; this.untracked = true; this.untrackAt = 0; }
    this.lastSeen = t;
  }

  /** FIN both ways, or a RST: only late ACKs and retransmissions can follow (flow/track.ts State.ENDED). */
  ended() { return this.rstSeen || (this.finSeen[0] && this.finSeen[1]); }

  /** After a packet's payload: FIN/RST start the closing; the 10 s timer starts when nothing is pending. */
  afterPacket(p, pending) {
    if (p.flags & FIN) this.finSeen[p.dir] = true;
    if (p.flags & RST) this.rstSeen = true;
    if (p.flags & (FIN | RST)) this.closing = true;
    this.scheduleUntrack(p.tick, pending);
  }

  /** Starts the 10 s timer if closing, not started, and no response is pending (also when a message completes). */
  scheduleUntrack(t, pending) {
    if (!this.closing || this.untrackAt || this.untracked || pending) return;
    this.untrackAt = t + UNTRACK_NS;
  }
}

/** An empty payload. */
export const EMPTY = Buffer.alloc(0);
