/**
 * @module tracecap/workers/edge/env — the deployable Worker's bindings (runtimes/workers/wrangler.jsonc),
 * typed by minimal local interfaces: only the members this Worker and part B's jobs use, with the
 * shapes of @cloudflare/workers-types (not a dependency of this project).
 */

/** An object's metadata in R2 (R2Object, without the body). */
export interface R2ObjectLike {
  readonly key: string;
  readonly size: number;
  readonly etag: string;
  readonly httpEtag: string;
  readonly uploaded: Date;
}

/** An object with its body (R2ObjectBody). */
export interface R2ObjectBodyLike extends R2ObjectLike {
  readonly body: ReadableStream<Uint8Array>;
}

/** One part's receipt, as complete() wants it back. */
export interface R2UploadedPartLike { partNumber: number; etag: string }

/** A multipart upload in progress (R2MultipartUpload). */
export interface R2MultipartUploadLike {
  readonly key: string;
  readonly uploadId: string;
  uploadPart(partNumber: number, value: ReadableStream<Uint8Array> | ArrayBuffer | ArrayBufferView | string): Promise<R2UploadedPartLike>;
  abort(): Promise<void>;
  complete(parts: R2UploadedPartLike[]): Promise<R2ObjectLike>;
}

/** One page of a listing (R2Objects). */
export interface R2ObjectsLike {
  objects: R2ObjectLike[];
  truncated: boolean;
  cursor?: string;
}

/** The R2 bucket binding (R2Bucket), as far as used. */
export interface R2Bucket {
  head(key: string): Promise<R2ObjectLike | null>;
  get(key: string, options?: { range?: { offset: number; length?: number } }): Promise<R2ObjectBodyLike | null>;
  put(key: string, value: ReadableStream<Uint8Array> | ArrayBuffer | ArrayBufferView | string | null): Promise<R2ObjectLike | null>;
  delete(keys: string | string[]): Promise<void>;
  list(options?: { prefix?: string; cursor?: string; limit?: number }): Promise<R2ObjectsLike>;
  createMultipartUpload(key: string): Promise<R2MultipartUploadLike>;
  resumeMultipartUpload(key: string, uploadId: string): R2MultipartUploadLike;
}

/** The Queue producer binding (Queue). */
export interface Queue<Body = unknown> {
  send(body: Body, options?: { contentType?: string; delaySeconds?: number }): Promise<void>;
  sendBatch(messages: Iterable<{ body: Body; contentType?: string; delaySeconds?: number }>): Promise<void>;
}

/** A Durable Object's id (DurableObjectId). */
export interface DurableObjectId { toString(): string; readonly name?: string }

/** A Durable Object's stub: requests reach its fetch(). */
export interface DurableObjectStub { fetch(input: Request | string, init?: RequestInit): Promise<Response> }

/** The Durable Object namespace binding (DurableObjectNamespace). */
export interface DurableObjectNamespace {
  idFromName(name: string): DurableObjectId;
  idFromString(id: string): DurableObjectId;
  newUniqueId(): DurableObjectId;
  get(id: DurableObjectId): DurableObjectStub;
}

/** A service binding, here the static assets (Fetcher). */
export interface Fetcher { fetch(input: Request | string, init?: RequestInit): Promise<Response> }

/** The deployable Worker's environment: its bindings, its secret and its optional vars. */
export interface Env {
  /** Captures (`captures/NAME`) and jobs' records and checkpoints (`jobs/ID/…`, expired by the lifecycle rule). */
  CAPTURES: R2Bucket;
  /** Part B's shards of a job, one message per shard (producer and consumer of `tracecap-shards`). */
  SHARDS: Queue;
  /** Part B's jobs, one Durable Object (class `Job`) per job. */
  JOBS: DurableObjectNamespace;
  /** The browser app (build/app) as static assets. */
  ASSETS: Fetcher;
  /** The bearer token of every write and job endpoint (`wrangler secret put TRACECAP_TOKEN`); unset: they answer 503. */
  TRACECAP_TOKEN: string;
  /** The Cloudflare plan, for the request body limit (limits.ts); default free. */
  TRACECAP_PLAN?: string;
  /** A body limit in bytes below the plan's (tests, or smaller uploads on purpose). */
  TRACECAP_BODY_LIMIT?: string;
}
