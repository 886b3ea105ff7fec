/** @module tracecap/workers — the Cloudflare Workers adapter: POST a capture, get its NDJSON back as a stream. */
import { CaptureError, createTranslator, type Translator, type TranslatorOptions } from '../../src/index.js';
import { parseBpfDdd, parsePortList, type BpfProgram, type SoftwareFilters } from '../../src/filter.js';
import { OtlpRecordReader } from '../../src/otlp.js';

export * from '../../src/index.js';

/** The part of the Workers ExecutionContext this adapter accepts (it uses none of it). */
export interface ExecutionContextLike {
  waitUntil(promise: Promise<unknown>): void;
  passThroughOnException?(): void;
}

/** A module-syntax Worker's default export. */
export interface TracecapHandler {
  fetch(request: Request, env?: unknown, ctx?: ExecutionContextLike): Promise<Response>;
}

const USAGE = `tracecap: POST a pcap or pcapng capture as the request body; the response streams
one JSON record per packet (application/x-ndjson), in the format pcap-sidecar writes to
Cloud Logging.

Query parameters (all optional):
  verbosity=info|debug   record detail (default: debug)
  project=ID             Google Cloud project for trace names
  iface=NAME             capture interface name (default: pcapng if_name, else "any")
  iface_index=N          capture interface index (default: the capture's interface id)
  iface_addr=ADDR        an address of the capture interface (repeatable); marks "local"
  log_name=NAME          log name, the operation's producer (default: log/tracecap)
  id=ID                  context id, prefix of the operation id (default: tracecap)
  limit=N                stop after N records
  format=ndjson|otlp     the records (default), or OpenTelemetry spans: OTLP/JSON, one
                         TracesData per line, a span per HTTP exchange (needs debug)
  bpf=LINKTYPE:PROGRAM   a compiled BPF filter for one link type (repeatable): PROGRAM is
                         the output of tcpdump -ddd EXPR with its lines joined by commas
                         (tracecap's Node CLI and any libpcap compile it; a Worker cannot)
  l3, l4, net, ports, deny_ports, tcp_flags, deny_socket
                         pcap-sidecar's software filters, as the CLI's --l3 ... --deny-socket
                         (comma lists; net and deny_socket repeatable)

Status: 200 NDJSON; 400 bad parameter; 422 the body is not a capture (or is damaged
before its first record), with the reason as one line; 405 other methods. Damage found
after the first records ends the 200 response with one last line that is not a packet:
{"severity":"ERROR","tracecap_error":{"code":...,"message":...,"offset":...,"packets":...}}

  curl --data-binary @capture.pcapng 'https://HOST/?verbosity=info'
`;

const TEXT = 'text/plain; charset=utf-8';

function text(status: number, body: string, headers: Record<string, string> = {}): Response {
  return new Response(body, { status, headers: { 'content-type': TEXT, 'cache-control': 'no-store', ...headers } });
}

/** A request option the adapter refuses, with a one-line reason (answered with 400). */
export class BadParam extends Error {}

const STRING_PARAMS = { project: 'project', iface: 'ifaceName', log_name: 'logName', id: 'id' } as const;

/** Parameters that may be given more than once. */
const REPEATABLE = new Set(['iface_addr', 'bpf', 'net', 'deny_socket']);

/** One `bpf` parameter: `LINKTYPE:` and tcpdump -ddd's lines joined by commas (or newlines). */
function bpfParam(value: string): BpfProgram {
  const m = /^(\d{1,5}):(.*)$/s.exec(value);
  if (!m || Number(m[1]) > 0xffff) throw new BadParam('bpf must be LINKTYPE:PROGRAM, PROGRAM being tcpdump -ddd output with its lines joined by commas');
  try {
    return { linktype: Number(m[1]), program: parseBpfDdd(m[2]!.replace(/,/g, '\n')) };
  } catch (e) { throw new BadParam(`bpf: ${(e as Error).message}`); }
}

/** Reads TranslatorOptions from the query string; throws BadParam with a one-line reason. */
export function optionsFromQuery(params: URLSearchParams, defaults: TranslatorOptions = {}): TranslatorOptions {
  const options: TranslatorOptions = { ...defaults };
  const addrs: string[] = [];
  const bpf: BpfProgram[] = [];
  const filters: SoftwareFilters = {};
  const list = (v: string) => v.split(',').map((t) => t.trim()).filter((t) => t !== '');
  const seen = new Set<string>();
  const int = (name: string, v: string): number => {
    if (!/^\d{1,10}$/.test(v)) throw new BadParam(`${name} must be a non-negative integer, not ${JSON.stringify(v)}`);
    return Number(v);
  };
  for (const [name, value] of params) {
    if (!REPEATABLE.has(name)) {
      if (seen.has(name)) throw new BadParam(`${name} is given more than once`);
      seen.add(name);
    }
    switch (name) {
      case 'verbosity': {
        const v = value.toLowerCase();
        if (v !== 'info' && v !== 'debug') throw new BadParam(`verbosity must be info or debug, not ${JSON.stringify(value)}`);
        options.verbosity = v;
        break;
      }
      case 'project': case 'iface': case 'log_name': case 'id':
        options[STRING_PARAMS[name]] = value;
        break;
      case 'iface_index': options.ifaceIndex = int(name, value); break;
      case 'limit': {
        const n = int(name, value);
        if (n === 0) throw new BadParam('limit must be a positive count');
        options.limit = n;
        break;
      }
      case 'iface_addr': addrs.push(value); break;
      case 'bpf': {
        const program = bpfParam(value);
        if (bpf.some((b) => b.linktype === program.linktype)) throw new BadParam(`bpf is given more than once for link type ${program.linktype}`);
        bpf.push(program);
        break;
      }
      case 'l3': filters.l3 = list(value); break;
      case 'l4': filters.l4 = list(value); break;
      case 'tcp_flags': filters.tcpFlags = list(value); break;
      case 'net': (filters.nets ??= []).push(...list(value)); break;
      case 'deny_socket': (filters.denySockets ??= []).push(value); break;
      case 'ports': case 'deny_ports':
        try {
          filters[name === 'ports' ? 'ports' : 'denyPorts'] = parsePortList(value);
        } catch (e) { throw new BadParam(`${name}: ${(e as Error).message}`); }
        break;
      default: throw new BadParam(`unknown parameter ${JSON.stringify(name)}`);
    }
  }
  if (addrs.length) options.ifaceAddrs = addrs;
  if (bpf.length) options.bpf = bpf;
  if (Object.keys(filters).length) options.filters = filters;
  return options;
}

/**
 * Creates the Worker's handler around the compiled core. On Workers the module must come
 * from a `.wasm` module import: the runtime refuses to compile wasm from bytes.
 *
 * Errors and status codes. The status line goes out before the body is fully read, so a
 * capture error cannot always be a status code, and the body stays pure NDJSON (no error
 * record is appended). Instead:
 * - Before responding, the request body is read through the translator until it yields its
 *   first NDJSON bytes, an error, or the end of the input. Input chunks are consumed as they
 *   arrive; nothing is buffered but the first output chunk. If the error comes before any
 *   record (not a capture, an empty body, damage in the first packet) the answer is 422 with
 *   the CaptureError's message as one line (and its code in `x-tracecap-error`). This rule
 *   does not depend on how the body happens to be chunked.
 * - Damage found after the first records ends the body cleanly, after every record before
 *   the damage, with one last line that is not a packet record (errorLine(): `severity`
 *   ERROR and a `tracecap_error` object with the code, message, byte offset and packet
 *   count), and the CaptureError goes to the runtime log (console.error). A body without
 *   that line is a whole capture. Why not a broken transfer: erroring the response stream
 *   is what the Streams spec offers, but workerd then ends the chunked body normally
 *   (cloudflare/workerd#6818, open) or resets it, depending on timing (checked with miniflare
 *   4.20260426.0: about 1 run in 6 reset). Before the body ends, the unread rest of the
 *   upload is drained (as below): cancelling it also resets the connection, and the records
 *   still in flight to the client were lost. A clean end is the same every time.
 * - Before a 400, 405 or 422 the unread rest of the upload is drained (up to 16 MiB): workerd
 *   resets the connection when a Worker answers before consuming the request body, and the
 *   client would see a failed upload instead of the status.
 */
export function createHandler(wasm: WebAssembly.Module, defaults: TranslatorOptions = {}): TracecapHandler {
  return {
    async fetch(request: Request): Promise<Response> {
      const method = request.method.toUpperCase();
      if (method === 'GET' || method === 'HEAD') return text(200, method === 'HEAD' ? '' : USAGE);
      if (method !== 'POST') {
        await drain(request.body);
        return text(405, `method ${method} not allowed; POST a capture, or GET for usage\n`, { allow: 'GET, HEAD, POST' });
      }

      let translator: Translator;
      let otlp: OtlpBody | null = null;
      try {
        const params = new URL(request.url).searchParams;
        otlp = otlpParam(params);
        const options = optionsFromQuery(params, defaults);
        if (otlp !== null && options.verbosity === 'info') throw new BadParam('format=otlp makes spans from the debug records: not with verbosity=info');
        translator = await createTranslator(wasm, options);
      } catch (err) {
        if (err instanceof BadParam || err instanceof RangeError) {
          await drain(request.body);
          return text(400, `${oneLine(err.message)}\n`);
        }
        throw err;
      }

      const input = request.body ?? new ReadableStream<Uint8Array>({ start: (c) => c.close() });
      const transform = translator.stream();
      // preventCancel: after a capture error the rest of the body is drained (422) or cancelled
      // (200) by us, once the pipe has released it.
      const piping = input.pipeTo(transform.writable, { preventCancel: true }).catch(() => {});
      const release = (reason?: unknown) => piping.then(() => input.cancel(reason)).catch(() => {});
      const reader = transform.readable.getReader();
      let first: ReadableStreamReadResult<Uint8Array>;
      try {
        first = await reader.read();
      } catch (err) {
        if (err instanceof CaptureError) {
          await piping;
          await drain(input);
          return text(422, `${oneLine(err.message)}\n`, { 'x-tracecap-error': err.codeName });
        }
        void release(err);
        throw err;
      }

      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          if (otlp === null) {
            if (first.done) controller.close();
            else controller.enqueue(first.value);
            return;
          }
          if (first.done) { otlp.end(controller); controller.close(); } else otlp.push(first.value, controller);
        },
        async pull(controller) {
          try {
            // Spans: a read may give no line yet (its exchanges are still open); read on until one.
            for (;;) {
              const next = await reader.read();
              if (otlp === null) {
                if (next.done) controller.close();
                else controller.enqueue(next.value);
                return;
              }
              if (next.done) { otlp.end(controller); controller.close(); return; }
              if (otlp.push(next.value, controller)) return;
            }
          } catch (err) {
            if (err instanceof CaptureError) {
              console.error(`CaptureError: ${err.message}`);
              // Consume the unread upload before ending the body: cancelling it makes workerd
              // reset the connection, and records still in flight to the client are lost.
              await piping;
              await drain(input);
              otlp?.end(controller); // the spans of every record before the damage
              controller.enqueue(errorLine(err));
              controller.close();
            } else {
              controller.error(err);
              void release(err);
            }
          }
        },
        async cancel(reason) {
          await reader.cancel(reason);
          await release(reason);
        },
        // highWaterMark 0: pull only when the client reads, so nothing sits in this stream's
        // queue when it errors (erroring a stream discards chunks not yet read).
      }, { highWaterMark: 0 });
      return new Response(body, {
        status: 200,
        headers: { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' },
      });
    },
  };
}

/** format=otlp: the records' spans instead of the records (src/otlp.ts). */
interface OtlpBody {
  /** Records in; true when it gave the body a line. */
  push(view: Uint8Array, controller: ReadableStreamDefaultController<Uint8Array>): boolean;
  /** The spans still waiting, at the end of the records. */
  end(controller: ReadableStreamDefaultController<Uint8Array>): void;
}

/** Reads (and removes) `format`: null for the records, else the span converter. */
function otlpParam(params: URLSearchParams): OtlpBody | null {
  const all = params.getAll('format');
  params.delete('format');
  if (all.length > 1) throw new BadParam('format is given more than once');
  const f = all[0]?.toLowerCase() ?? 'ndjson';
  if (f === 'ndjson') return null;
  if (f !== 'otlp') throw new BadParam(`format must be ndjson or otlp, not ${JSON.stringify(all[0])}`);
  const enc = new TextEncoder();
  let out: Uint8Array[] = [];
  const reader = new OtlpRecordReader((line) => { out.push(enc.encode(line + '\n')); });
  const give = (c: ReadableStreamDefaultController<Uint8Array>): boolean => {
    for (const l of out) c.enqueue(l);
    const gave = out.length > 0;
    out = [];
    return gave;
  };
  return {
    push(view, c) { reader.push(view); return give(c); },
    end(c) { reader.end(); give(c); },
  };
}

/**
 * The body's last line after damage found mid-stream: valid JSON with its keys in the same
 * sorted order as the records, so an NDJSON consumer (or Cloud Logging) reads it as an error
 * entry, and nothing that selects packet records (by `pcap`, `L3`, …) picks it up.
 */
export function errorLine(err: CaptureError): Uint8Array {
  const e = { code: err.codeName, message: err.message, offset: err.offset, packets: err.packets };
  return new TextEncoder().encode(`${JSON.stringify({ severity: 'ERROR', tracecap_error: e })}\n`);
}

/** Bytes of an unread request body read and discarded before an early error response. */
const DRAIN_LIMIT = 16 << 20;

/**
 * Reads and discards the rest of an unread request body (up to DRAIN_LIMIT, then cancels it).
 * Answering before the upload is consumed makes workerd reset the connection, and the client
 * sees a failed upload instead of the 400/405/422.
 */
export async function drain(body: ReadableStream<Uint8Array> | null): Promise<void> {
  if (!body || body.locked) return;
  const reader = body.getReader();
  let n = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      n += value.byteLength;
      if (n > DRAIN_LIMIT) { await reader.cancel('response already decided'); return; }
    }
  } catch {
    // the client went away: nothing to answer
  }
}

function oneLine(s: string): string {
  return s.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}
