/** The page's side of the worker protocol: requests as promises, events to a listener. */
import type { Event, Request } from './protocol.js';

/** A connection to the app's worker. */
export class Engine {
  readonly #worker: Worker;
  #next = 1;
  readonly #waiting = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();

  /** Starts the worker at `url`; `onEvent` receives progress and the end of loading. */
  constructor(url: URL, onEvent: (e: Event) => void) {
    this.#worker = new Worker(url, { type: 'module' });
    this.#worker.onmessage = (m: MessageEvent<Event>) => {
      const e = m.data;
      if (e.ev !== 'reply') { onEvent(e); return; }
      const w = this.#waiting.get(e.id);
      if (!w) return;
      this.#waiting.delete(e.id);
      if (e.error !== undefined) w.reject(new Error(e.error)); else w.resolve(e.result);
    };
    this.#worker.onerror = (e) => onEvent({ ev: 'failed', message: `the worker failed: ${e.message}` });
  }

  /** Sends a request; resolves with the worker's answer. */
  ask<T>(req: Request): Promise<T> {
    const id = this.#next++;
    return new Promise<T>((resolve, reject) => {
      this.#waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.#worker.postMessage({ id, req });
    });
  }
}
