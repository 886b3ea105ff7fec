// The browser test page's script (bundled by smoke.test.ts with esbuild): translates a capture
// served by the test's HTTP server with the browser adapter, and hands back the NDJSON as base64.
import { CaptureError, loadCore, translateFile, type TranslatorOptions } from '../../runtimes/browser/index.js';

/** How the page hands the core to translateFile. */
export type CoreMode = 'url' | 'module' | 'bytes' | 'module-octet' | 'module-no-streaming';

export interface RunRequest {
  capture: string;
  options?: TranslatorOptions;
  core?: CoreMode;
  /** Milliseconds to wait before each read (a slow consumer). */
  readDelay?: number;
}

export interface RunResult {
  base64: string;
  bytes: number;
  reads: number;
  compileStreamingCalls: number;
  /** Set when translateFile itself rejected (bad options): no stream was made. */
  rejected?: { name: string; message: string };
  /** Set when the stream errored. */
  error?: { name: string; message: string; isCaptureError: boolean; codeName?: string; offset?: number; packets?: number };
}

let compileStreamingCalls = 0;
const realCompileStreaming = WebAssembly.compileStreaming;
WebAssembly.compileStreaming = (source) => {
  compileStreamingCalls++;
  return realCompileStreaming.call(WebAssembly, source);
};

async function core(mode: CoreMode): Promise<WebAssembly.Module | BufferSource | URL> {
  const url = new URL('/tracecap.wasm', location.href);
  switch (mode) {
    case 'url': return url;
    case 'module': return loadCore(url);
    case 'bytes': return (await fetch(url)).arrayBuffer();
    case 'module-octet': return loadCore(new URL('/tracecap-octet.wasm', location.href));
    case 'module-no-streaming': {
      const saved = WebAssembly.compileStreaming;
      (WebAssembly as { compileStreaming?: unknown }).compileStreaming = undefined;
      try { return await loadCore(url); } finally { WebAssembly.compileStreaming = saved; }
    }
  }
}

function base64(parts: Uint8Array[]): string {
  let s = '';
  for (const p of parts) for (let i = 0; i < p.length; i += 0x8000) s += String.fromCharCode(...p.subarray(i, i + 0x8000));
  return btoa(s);
}

async function run(req: RunRequest): Promise<RunResult> {
  compileStreamingCalls = 0;
  const response = await fetch(req.capture);
  if (!response.ok) throw new Error(`GET ${req.capture}: ${response.status}`);
  const file = new File([await response.arrayBuffer()], req.capture.split('/').pop() ?? 'capture');
  const wasm = await core(req.core ?? 'url');
  const parts: Uint8Array[] = [];
  const result: RunResult = { base64: '', bytes: 0, reads: 0, compileStreamingCalls: 0 };
  let stream: ReadableStream<Uint8Array>;
  try {
    stream = await translateFile(file, req.options ?? {}, wasm);
  } catch (err) {
    const e = err as Error;
    result.rejected = { name: e.name, message: e.message };
    result.compileStreamingCalls = compileStreamingCalls;
    return result;
  }
  const reader = stream.getReader();
  try {
    for (;;) {
      if (req.readDelay) await new Promise((r) => setTimeout(r, req.readDelay));
      const { done, value } = await reader.read();
      if (done) break;
      result.reads++;
      parts.push(value);
    }
  } catch (err) {
    const e = err as Error;
    result.error = { name: e.name, message: e.message, isCaptureError: err instanceof CaptureError };
    if (err instanceof CaptureError) Object.assign(result.error, { codeName: err.codeName, offset: err.offset, packets: err.packets });
  }
  result.bytes = parts.reduce((n, p) => n + p.length, 0);
  result.base64 = base64(parts);
  result.compileStreamingCalls = compileStreamingCalls;
  return result;
}

(globalThis as { tracecapRun?: typeof run }).tracecapRun = run;
