/** @module tracecap/workers/edge/http — the Worker's answers: errors as values until the router turns them into one-line responses. */
import { drain } from '../index.js';

/** An error as a value: the status and a one-line reason for the client. */
export interface Problem { status: number; message: string; headers?: Record<string, string> }

/** A result: the value, or the problem that stopped it. */
export type Result<T> = { ok: true; value: T } | { ok: false; problem: Problem };

/** The problem as a Result. */
export const fail = (status: number, message: string, headers?: Record<string, string>): { ok: false; problem: Problem } => ({ ok: false, problem: { status, message, headers } });

/** A JSON answer (no caching: every answer here is about state that changes). */
export function json(status: number, value: unknown, headers: Record<string, string> = {}): Response {
  return new Response(`${JSON.stringify(value)}\n`, { status, headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers } });
}

/**
 * The problem as a text/plain response of one line. The unread request body is drained first
 * (index.ts drain(), up to 16 MiB): workerd resets the connection when a Worker answers before
 * reading the upload, and the client would see a failed transfer instead of the reason.
 */
export async function problemResponse(request: Request, p: Problem): Promise<Response> {
  await drain(request.body);
  const line = p.message.replace(/\s*[\r\n]+\s*/g, ' ').trim();
  return new Response(`${line}\n`, { status: p.status, headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', ...p.headers } });
}

/** Byte counts for messages: exact bytes, and MiB where that helps reading. */
export function bytes(n: number): string {
  return n >= 1 << 20 ? `${n} bytes (${(n / (1 << 20)).toFixed(1)} MiB)` : `${n} bytes`;
}
