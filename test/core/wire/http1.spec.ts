import { HttpStartLine, HttpLineKind, parseHttpStartLine } from "../../../assembly/wire/http1";

const r = new HttpStartLine();
let base: usize = 0;
function parse(s: string): HttpLineKind { base = utf8(s); parseHttpStartLine(base, String.UTF8.byteLength(s), r); return r.kind; }
function text(p: usize, n: i32): string { return String.UTF8.decodeUnsafe(p, n); }

describe("wire/http1 start line", () => {
  it("reads a request line: method, target, version", () => {
    expect(parse("GET /index.html?q=1 HTTP/1.1\r\nHost: a\r\n\r\n")).toBe(HttpLineKind.REQUEST);
    expect(r.cut).toBe(false);
    expect(text(r.method, r.methodLen)).toBe("GET");
    expect(text(r.target, r.targetLen)).toBe("/index.html?q=1");
    expect(text(r.version, r.versionLen)).toBe("HTTP/1.1");
    // A bare LF ends the line too (RFC 9112 §2.2), and any uppercase token is a method.
    expect(parse("PROPFIND * HTTP/1.0\nx")).toBe(HttpLineKind.REQUEST);
    expect(text(r.method, r.methodLen)).toBe("PROPFIND"); expect(text(r.target, r.targetLen)).toBe("*");
  });
  it("reads a status line: version, code, and the code with its reason as Go's Status", () => {
    expect(parse("HTTP/1.1 404 Not Found\r\n\r\n")).toBe(HttpLineKind.STATUS);
    expect(r.cut).toBe(false); expect(r.code).toBe(404);
    expect(text(r.version, r.versionLen)).toBe("HTTP/1.1"); expect(text(r.status, r.statusLen)).toBe("404 Not Found");
    expect(parse("HTTP/1.0 204\r\n")).toBe(HttpLineKind.STATUS);
    expect(text(r.status, r.statusLen)).toBe("204");
  });
  it("says where the bytes end inside the line, keeping only what came whole before it", () => {
    expect(parse("GET /index")).toBe(HttpLineKind.REQUEST);
    expect(r.cut).toBe(true); expect(text(r.method, r.methodLen)).toBe("GET"); expect(r.targetLen).toBe(0); expect(r.versionLen).toBe(0);
    expect(parse("DELETE /a HTTP/1")).toBe(HttpLineKind.REQUEST);
    expect(r.cut).toBe(true); expect(r.targetLen).toBe(0);
    // Cut right after the version: all three fields, but no line end seen.
    expect(parse("GET /a HTTP/1.1\r")).toBe(HttpLineKind.REQUEST);
    expect(r.cut).toBe(true); expect(text(r.target, r.targetLen)).toBe("/a"); expect(text(r.version, r.versionLen)).toBe("HTTP/1.1");
    expect(parse("HTTP/1.1 200 O")).toBe(HttpLineKind.STATUS);
    expect(r.cut).toBe(true); expect(r.code).toBe(200); expect(r.statusLen).toBe(0);
    // A cut line whose method is not a standard one could be anything.
    expect(parse("FOO /index")).toBe(HttpLineKind.NONE);
    expect(parse("GET")).toBe(HttpLineKind.NONE);
    expect(parse("HTTP/1.1 20")).toBe(HttpLineKind.NONE);
  });
  it("takes nothing else for a start line", () => {
    expect(parse("GET /a HTTP/1.1x\r\n")).toBe(HttpLineKind.NONE);
    expect(parse("GET /a HTTP/one\r\n")).toBe(HttpLineKind.NONE);
    expect(parse("GET  HTTP/1.1\r\n")).toBe(HttpLineKind.NONE);
    expect(parse("GET /a\tb HTTP/1.1\r\n")).toBe(HttpLineKind.NONE);
    expect(parse("get / HTTP/1.1\r\n")).toBe(HttpLineKind.NONE);
    expect(parse("HTTP/1.1 2000\r\n")).toBe(HttpLineKind.NONE);
    expect(parse("HTTP/1.1 abc OK\r\n")).toBe(HttpLineKind.NONE);
    expect(parse("HTTP/x.1 200 OK\r\n")).toBe(HttpLineKind.NONE);
    expect(parse("\x16\x03\x01\x02\x00\x01")).toBe(HttpLineKind.NONE);
    expect(parse("")).toBe(HttpLineKind.NONE);
  });
  it("reads nothing past the bytes given", () => {
    // Every prefix of a request and a status line: never a span past the prefix.
    const lines = ["POST /upload HTTP/1.1\r\n", "HTTP/1.1 301 Moved\r\n"];
    for (let k = 0; k < lines.length; k++) {
      const s = lines[k];
      const p = utf8(s);
      for (let n = 0; n <= s.length; n++) {
        parseHttpStartLine(p, n, r);
        if (r.methodLen > 0) expect(<i32>(r.method - p) + r.methodLen).toBeLessThanOrEqual(n);
        if (r.targetLen > 0) expect(<i32>(r.target - p) + r.targetLen).toBeLessThanOrEqual(n);
        if (r.versionLen > 0) expect(<i32>(r.version - p) + r.versionLen).toBeLessThanOrEqual(n);
        if (r.statusLen > 0) expect(<i32>(r.status - p) + r.statusLen).toBeLessThanOrEqual(n);
        if (n < s.length - 1) expect(r.kind == HttpLineKind.NONE || r.cut).toBe(true, "prefix " + n.toString());
      }
    }
  });
});
