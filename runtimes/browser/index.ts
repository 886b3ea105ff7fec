/** @module tracecap/browser — the browser adapter (web APIs only): a File or Blob in, a ReadableStream of NDJSON out. */
import { createTranslator, type TranslatorOptions } from '../../src/index.js';
import { createBrowserParallelTranslator, type BrowserParallelOptions } from './parallel.js';

export * from '../../src/index.js';
/** Parallel translation on module Web Workers (runtimes/browser/parallel.ts): same bytes as one Translator, on up to 8 threads. */
export { createBrowserParallelTranslator, defaultThreads, type BrowserParallelOptions } from './parallel.js';
export { ParallelTranslator, MAX_THREADS, PARALLEL_CHUNK_BYTES, AHEAD_CHUNKS, type ParallelOptions } from '../../src/parallel.js';

/** Where the core comes from: a compiled module, its bytes, or the URL of tracecap.wasm. */
export type BrowserCoreSource = WebAssembly.Module | BufferSource | URL;

/**
 * Fetches and compiles the core (tracecap.wasm). Uses WebAssembly.compileStreaming when the
 * server sends `application/wasm`; otherwise (another Content-Type, or no compileStreaming)
 * compiles the downloaded bytes.
 */
export async function loadCore(url: string | URL, init?: RequestInit): Promise<WebAssembly.Module> {
  const response = await fetch(url, init);
  if (!response.ok) throw new Error(`cannot load the tracecap core from ${String(url)}: HTTP ${response.status}`);
  const type = response.headers.get('content-type') ?? '';
  if (typeof WebAssembly.compileStreaming === 'function' && /^application\/wasm\s*(;|$)/i.test(type)) {
    const spare = response.clone();
    try {
      return await WebAssembly.compileStreaming(response);
    } catch (err) {
      if (err instanceof WebAssembly.CompileError) throw err;
      // e.g. a TypeError from an embedder refusing streaming compilation: compile the bytes.
      return WebAssembly.compile(await spare.arrayBuffer());
    }
  }
  return WebAssembly.compile(await response.arrayBuffer());
}

/**
 * Translates a capture file (pcap or pcapng) into a stream of NDJSON bytes, one record per
 * packet, reading `file.stream()` through the translator's TransformStream.
 *
 * The promise rejects (before any stream exists) for bad options (RangeError) or a core that
 * cannot be loaded. A non-capture or damaged input instead errors the returned stream with a
 * CaptureError, after the records before the damage.
 */
export async function translateFile(file: Blob, options: TranslatorOptions = {}, wasm: BrowserCoreSource): Promise<ReadableStream<Uint8Array>> {
  const core = wasm instanceof URL ? await loadCore(wasm) : wasm;
  const translator = await createTranslator(core, options);
  return (file.stream() as ReadableStream<Uint8Array>).pipeThrough(translator.stream());
}

/**
 * translateFile() on several threads: the same stream of NDJSON bytes, translated by
 * `options.threads` module Web Workers (default: defaultThreads()) started from `workerUrl`, the
 * served bundle build/runtimes/browser-shard.js (and, on a cross-origin isolated page, with
 * `options.sharedModule`: tracecap-shared.wasm). Rejects and errors as translateFile() does;
 * also rejects when a thread cannot start (e.g. a wrong workerUrl).
 */
export async function translateFileParallel(file: Blob, options: Omit<BrowserParallelOptions, 'workerUrl'> = {}, wasm: BrowserCoreSource, workerUrl: string | URL): Promise<ReadableStream<Uint8Array>> {
  const core = wasm instanceof URL ? await loadCore(wasm) : wasm instanceof WebAssembly.Module ? wasm : await WebAssembly.compile(wasm);
  const translator = await createBrowserParallelTranslator(core, { ...options, workerUrl });
  return (file.stream() as ReadableStream<Uint8Array>).pipeThrough(translator.stream());
}
