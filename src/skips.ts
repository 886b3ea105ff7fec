// What the DEBUG analysis gave up, by reason (the core's assembly/flow/skips.ts). Each record
// says so where it happens (`skipped`, `hpack`); these counts add it up for a whole capture.

/** What the DEBUG analysis gave up in a capture, by reason (each 0 when nothing). */
export interface SkipCounts {
  /** HTTP/1 heads longer than `maxHeadBytes`: the lines beyond the limit are not shown (framing, Host and trace are still read). */
  headTooLarge: number;
  /** Heads, HTTP/2 header blocks, TLS hellos or frame samples not kept: no buffer was free, even after reclaiming. */
  noBuffer: number;
  /** Heads, header blocks or hellos whose buffer was reclaimed while their connection was idle. */
  bufferReclaimed: number;
  /** Requests reclaimed while they waited (every exchange of their part was waiting): their responses are unpaired. */
  requestReclaimed: number;
  /** HTTP/1 responses left unpaired because a capture gap made their request uncertain. */
  pairingLost: number;
  /** HTTP/2 header blocks not decoded: no HPACK table was free, even after reclaiming. */
  noHpackTable: number;
  /** HTTP/2 header blocks longer than 16 KiB, not decoded. */
  blockTooLarge: number;
  /** HTTP/2 header blocks whose HPACK decoding failed part-way. */
  hpackError: number;
  /** HTTP/2 header blocks with fields lost to a desynchronised HPACK table (after a lost block, a gap or a reclaimed table). */
  hpackDesync: number;
  /** Live connections evicted because their part of the connection table was full. */
  evictedLive: number;
  /** Live connections' last finished exchanges reused for others (their part's exchanges were all in use): a later ACK or FIN of one carries no trace. */
  contextReclaimed: number;
  /** Buffers and HPACK tables taken from idle live connections for others. */
  reclaimedIdle: number;
}

/** The counts' names, in the order of the core's skipCount() kinds (1, 2, …). */
export const SKIP_KINDS: readonly (keyof SkipCounts)[] = [
  'headTooLarge', 'noBuffer', 'bufferReclaimed', 'requestReclaimed', 'pairingLost', 'noHpackTable',
  'blockTooLarge', 'hpackError', 'hpackDesync', 'evictedLive', 'contextReclaimed', 'reclaimedIdle',
];

/** Counts of nothing given up. */
export function noSkips(): SkipCounts {
  return Object.fromEntries(SKIP_KINDS.map((k) => [k, 0])) as unknown as SkipCounts;
}

/** Reads the counts from a core (skipCount kinds 1 … skipKinds()). */
export function readSkips(core: { skipKinds(): number; skipCount(k: number): number }): SkipCounts {
  const c = noSkips();
  const n = Math.min(core.skipKinds(), SKIP_KINDS.length);
  for (let k = 1; k <= n; k++) c[SKIP_KINDS[k - 1]!] = core.skipCount(k);
  return c;
}

/** a + b, reason by reason (the threads of a parallel run each count their own connections). */
export function addSkips(a: SkipCounts, b: SkipCounts): SkipCounts {
  const c = noSkips();
  for (const k of SKIP_KINDS) c[k] = a[k] + b[k];
  return c;
}

const SAID: Record<keyof SkipCounts, string> = {
  headTooLarge: 'HTTP/1 heads over the head limit (lines beyond it not shown)',
  noBuffer: 'heads, header blocks or hellos without a free buffer',
  bufferReclaimed: 'heads, header blocks or hellos whose buffer was reclaimed while idle',
  requestReclaimed: 'waiting requests reclaimed (their responses unpaired)',
  pairingLost: 'HTTP/1 responses unpaired after capture gaps',
  noHpackTable: 'HTTP/2 header blocks without a free HPACK table',
  blockTooLarge: 'HTTP/2 header blocks over 16 KiB',
  hpackError: 'HTTP/2 header blocks that failed to decode',
  hpackDesync: 'HTTP/2 header blocks with fields lost to a desynchronised HPACK table',
  evictedLive: 'live connections evicted (connection table part full)',
  contextReclaimed: 'last exchanges of idle connections reused (later ACKs or FINs of them carry no trace)',
  reclaimedIdle: 'buffers or HPACK tables reclaimed from idle connections',
};

/** One line naming every non-zero count ("" when nothing was given up), e.g. for a summary on standard error. */
export function skipSummary(c: SkipCounts): string {
  const parts = SKIP_KINDS.filter((k) => c[k] > 0).map((k) => `${c[k]} ${SAID[k]}`);
  return parts.length ? `the analysis gave up: ${parts.join('; ')}` : '';
}
