import { Dir } from "../../../assembly/flow/conn";
import { H1, H1Ev, Body, h1Step, h1Event, h1Body, h1BodyBytes, Head, parseHead, nameIs, setHeadLimit } from "../../../assembly/http/h1";
import { bufPtr, takeBuf, freeBuf, bufGen } from "../../../assembly/http/buffers";
import { HEAD_BUFFERS, CONN_PARTS } from "../../../assembly/config";

// The caller's part: body framing from the head (RFC 9112 §6.3), minimal for the spec.
function framing(buf: usize, h: Head): Body {
  for (let i = 0; i < h.n; i++) if (nameIs(buf, h, i, "transfer-encoding")) return Body.CHUNKED;
  for (let i = 0; i < h.n; i++) if (nameIs(buf, h, i, "content-length")) return Body.LENGTH;
  return h.isRequest ? Body.NONE : Body.UNTIL_EOF;
}
function clen(buf: usize, h: Head): i64 {
  for (let i = 0; i < h.n; i++) if (nameIs(buf, h, i, "content-length")) return I64.parseInt(String.UTF8.decodeUnsafe(buf + <usize>h.value[i], h.valueLen[i]));
  return 0;
}

/** Feeds `msg` split into pieces at the given cut points; returns the event log. */
function run(msg: string, cuts: i32[]): string {
  const d = new Dir();
  d.reset(); d.st = H1.START; d.owner = 0; // flow 0, direction 0: the pools need an owner
  const p = utf8(msg);
  const n = String.UTF8.byteLength(msg);
  let log = "";
  let body = 0;
  let prev = 0;
  cuts.push(n);
  for (let k = 0; k < cuts.length; k++) {
    let q = p + <usize>prev;
    let len = cuts[k] - prev;
    prev = cuts[k];
    while (len > 0) {
      const used = h1Step(d, q, len);
      body += h1BodyBytes;
      q += <usize>used; len -= used;
      if (h1Event == H1Ev.HEAD) {
        const h = new Head();
        const buf = bufPtr(d.head);
        const cut = d.headKept > 0;
        parseHead(buf, d.headLen, h, cut);
        log += "head[" + String.UTF8.decodeUnsafe(buf, h.lineLen) + "|" + h.n.toString() + (cut ? "|cut" : "") + "]";
        if (h1Body(d, framing(buf, h), clen(buf, h))) log += "done;";
      } else if (h1Event == H1Ev.DONE) { log += "done(" + body.toString() + ");"; body = 0; }
      else if (h1Event == H1Ev.HEAD_SKIPPED) log += "skipped;";
    }
  }
  return log;
}

const PIPELINE = "GET /a HTTP/1.1\r\nHost: x\r\n\r\n" +
  "POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello" +
  "POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3;ext=1\r\nabc\r\n10\r\n0123456789abcdef\r\n0\r\nTrailer: t\r\n\r\n" +
  "\r\nGET /d HTTP/1.1\r\nX-Long: " + "y".repeat(300) + "\r\n\r\n";

describe("http/h1 framing", () => {
  it("frames a pipeline of requests: no body, Content-Length, chunked with extensions and trailers", () => {
    expect(run(PIPELINE, [])).toBe("head[GET /a HTTP/1.1|1]done;head[POST /b HTTP/1.1|2]done(5);head[POST /c HTTP/1.1|1]done(53);head[GET /d HTTP/1.1|1]done;");
  });
  it("gives the same events split at every byte boundary", () => {
    const whole = run(PIPELINE, []);
    const n = String.UTF8.byteLength(PIPELINE);
    for (let cut = 1; cut < n; cut++) expect(run(PIPELINE, [cut])).toBe(whole);
  });
  it("gives the same events fed one byte at a time", () => {
    const n = String.UTF8.byteLength(PIPELINE);
    const cuts: i32[] = [];
    for (let i = 1; i < n; i++) cuts.push(i);
    expect(run(PIPELINE, cuts)).toBe(run(PIPELINE, []));
  });
  it("tolerates bare LF line ends and folded header lines", () => {
    expect(run("GET /lf HTTP/1.1\nHost: x\nX-F: a\n b\n\n", [])).toBe("head[GET /lf HTTP/1.1|2]done;");
  });
  it("resynchronises after bytes that do not start a message", () => {
    const d = new Dir(); d.reset(); d.owner = 0; d.st = H1.RESYNC; d.lineEmpty = true;
    const s = "ody of something\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
    const p = utf8(s);
    let len = String.UTF8.byteLength(s), q = p, heads = 0;
    while (len > 0) { const u = h1Step(d, q, len); q += <usize>u; len -= u; if (h1Event == H1Ev.HEAD) { heads++; h1Body(d, Body.NONE, 0); } }
    expect(heads).toBe(1);
  });
  it("reads a head over the limit to its end: keeps the lines that fit and, of the lines beyond, those that frame the body", () => {
    setHeadLimit(256);
    const big = "HTTP/1.1 200 OK\r\nServer: s\r\nSet-Cookie: " + "c".repeat(600) + "\r\nX-A: 1\r\nContent-Length: 5\r\nX-B: 2\r\n\r\nhello" +
      "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
    const want = "head[HTTP/1.1 200 OK|2|cut]done(5);head[HTTP/1.1 200 OK|1]done;";
    expect(run(big, [])).toBe(want);
    const n = String.UTF8.byteLength(big);
    for (let cut = 1; cut < n; cut++) expect(run(big, [cut])).toBe(want);
    const cuts: i32[] = [];
    for (let i = 1; i < n; i++) cuts.push(i);
    expect(run(big, cuts)).toBe(want);
    setHeadLimit(16384);
  });
  it("a request line longer than the limit keeps its method and the start of its target", () => {
    setHeadLimit(256);
    const s = "GET /" + "a".repeat(400) + " HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\nGET /next HTTP/1.1\r\n\r\n";
    expect(run(s, [])).toBe("head[GET /" + "a".repeat(251) + "|2|cut]done(13);head[GET /next HTTP/1.1|0]done;");
    const h = new Head();
    const t = "GET /" + "a".repeat(20) + "\n";
    parseHead(utf8(t), String.UTF8.byteLength(t), h, true);
    expect(h.valid).toBe(true); expect(h.isRequest).toBe(true); expect(h.methodLen).toBe(3); expect(h.targetLen).toBe(21); expect(h.versionLen).toBe(0);
    setHeadLimit(16384);
  });
  it("a head that cannot get a buffer is skipped to its end, and the next message is found", () => {
    // Hold every head buffer of part 0 for another connection that is neither ended nor idle.
    const held = new StaticArray<i32>(HEAD_BUFFERS / CONN_PARTS);
    for (let i = 0; i < held.length; i++) held[i] = takeBuf(2);
    expect(takeBuf(4)).toBe(-1);
    // Each head is skipped to its end; the unframed body is passed over to the next message start.
    expect(run("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc\r\nHTTP/1.1 200 OK\r\n\r\n", [])).toBe("skipped;skipped;");
    for (let i = 0; i < held.length; i++) freeBuf(held[i], bufGen(held[i]));
    expect(run("GET / HTTP/1.1\r\n\r\n", [])).toBe("head[GET / HTTP/1.1|0]done;");
  });
  it("parses request and status lines", () => {
    const h = new Head();
    const s = "HTTP/1.0 404 Not Found\r\nA: 1\r\nB:2 \r\n\r\n";
    parseHead(utf8(s), String.UTF8.byteLength(s), h);
    expect(h.isRequest).toBe(false); expect(h.code).toBe(404); expect(h.minor).toBe(0); expect(h.n).toBe(2);
    expect(h.valueLen[1]).toBe(1);
    const r = "CONNECT example.com:443 HTTP/1.1\r\n\r\n";
    parseHead(utf8(r), String.UTF8.byteLength(r), h);
    expect(h.isRequest).toBe(true); expect(h.methodLen).toBe(7); expect(h.targetLen).toBe(15);
  });
});
