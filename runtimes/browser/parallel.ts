// Parallel translation in the browser: the threads of src/parallel.ts as module Web Workers,
// each running runtimes/browser/shard-worker.ts (bundled: build/runtimes/browser-shard.js, and
// build/app/shard-worker.js for the app). The page (or worker) says where that script is served.
import { createParallelTranslator, MAX_THREADS, type ParallelOptions, type ParallelTranslator, type ShardThread } from '../../src/parallel.js';

/** Options of createBrowserParallelTranslator(): a parallel translator's, and the shard worker's URL. */
export interface BrowserParallelOptions extends ParallelOptions {
  /** URL of the bundled shard worker (build/runtimes/browser-shard.js), started as a module worker. */
  workerUrl: string | URL;
  /**
   * The shared-memory core (tracecap-shared.wasm, compiled with loadCore()). Used when the page is
   * cross-origin isolated: the threads' records are then read where their core wrote them, and
   * the sink may get views of shared memory (copy them before TextDecoder or an API that refuses
   * SharedArrayBuffer views). Without it, or not isolated, each batch is copied out of the thread.
   */
  sharedModule?: WebAssembly.Module | null;
}

/** Threads a parallel run uses by default: navigator.hardwareConcurrency, at most MAX_THREADS (8). */
export function defaultThreads(): number {
  const n = (globalThis.navigator as { hardwareConcurrency?: number } | undefined)?.hardwareConcurrency ?? 1;
  return Math.max(1, Math.min(Number.isInteger(n) ? n : 1, MAX_THREADS));
}

function browserThread(url: string | URL, index: number): ShardThread {
  const worker = new Worker(url, { type: 'module', name: `tracecap-shard-${index}` });
  let stopped = false;
  return {
    post: (m, transfer) => worker.postMessage(m, transfer ?? []),
    listen: (handler, failed) => {
      worker.onmessage = (e: MessageEvent) => handler(e.data);
      // A script that does not load (a wrong URL, a CSP refusal) or throws: the run fails.
      worker.onerror = (e: ErrorEvent) => {
        e.preventDefault();
        if (!stopped) failed(new Error(`tracecap thread ${index} (${String(url)}) failed: ${e.message || 'the worker script did not load'}`));
      };
      worker.onmessageerror = () => { if (!stopped) failed(new Error(`tracecap thread ${index}: a message could not be read`)); };
    },
    terminate: () => { stopped = true; worker.terminate(); },
  };
}

/**
 * Creates a translator that runs on `threads` module Web Workers (default: defaultThreads()),
 * each started from `workerUrl`. `module` is the compiled core (loadCore()). Its output is
 * byte for byte a single Translator's; push() and finish() are asynchronous (back-pressure).
 */
export async function createBrowserParallelTranslator(module: WebAssembly.Module, options: BrowserParallelOptions): Promise<ParallelTranslator> {
  const { threads = defaultThreads(), workerUrl, sharedModule = null, ...rest } = options;
  if (workerUrl === undefined || workerUrl === null || workerUrl === '') throw new TypeError('createBrowserParallelTranslator: workerUrl (the shard worker script) is required');
  const shared = sharedModule !== null && (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true ? sharedModule : null;
  return createParallelTranslator((i) => browserThread(workerUrl, i), module, threads, rest, shared);
}
