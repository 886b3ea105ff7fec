/**
 * What the filter bar offers while typing: field-name completion and the help popover's content.
 * Both are plain data behind two small types (Complete, FilterHelp), so the query module's own
 * completer and catalog can take their place without touching the bar (views/filterbar.tsx).
 */
import type { Fields } from '../protocol.js';
import { complete, QUERY_HELP } from '../query.js';
import { keysOf } from '../fields.js';

/** One proposal: the text it puts in place of the word being typed, and an optional note. */
export interface CompletionItem { label: string; insert?: string; detail?: string }

/** Proposals for the text with the caret at `caret`: they replace text[from, to). */
export interface Completion { from: number; to: number; items: CompletionItem[] }

/** A completer: null when the caret is not where a field name goes (or nothing fits). */
export type Complete = (text: string, caret: number) => Completion | null;

/** The help popover: operators and examples, each with a line saying what it does. */
export interface FilterHelp { operators: Array<{ op: string; meaning: string }>; examples: Array<{ q: string; meaning: string }>; notes: string[] }

/** The help of the filter language, from the query module's own (query.ts QUERY_HELP). */
export const FILTER_HELP: FilterHelp = {
  operators: QUERY_HELP.operators.map((o) => ({ op: o.text, meaning: o.doc })),
  examples: QUERY_HELP.examples.map((e) => ({ q: e.text, meaning: e.doc })),
  notes: [
    'Unknown fields are errors; HTTP.method, HTTP.code, HTTP.url, HTTP.headers.* and the trace read HTTP/1 and HTTP/2 (and gRPC) alike.',
    'The filter applies to every view and export: a connection, exchange or trace shows when one of its packets matches.',
  ],
};

/**
 * The query module's completer (query.ts complete()): field names where a term starts (those
 * the capture has first: the worker's `fields` answer), operators after a field, values after
 * an operator, and/or/not after a term.
 */
export function queryCompleter(fields: Fields | null): Complete {
  const present = new Set(fields?.present ?? []);
  return (text, caret) => {
    const c = complete(text, caret, present.size ? present : undefined);
    // Nothing until a word is begun: an empty bar (or a space) proposing every field would cover
    // the page, and a word typed in full needs no proposal.
    const word = text.slice(c.from, c.to);
    if (!word.trim()) return null;
    const items = byLevel(word, c.items).filter((x) => (x.insert ?? x.label) !== word);
    if (!items.length) return null;
    return { from: c.from, to: c.to, items: items.slice(0, 12) };
  };
}

/**
 * Field names one level at a time, as the record nests them: "L" offers L2, L3, L4 (then "L3."
 * offers L3.src, L3.dst…), not every leaf under them; the capture's own fields stay first, each
 * group in name order. Operators, keywords and values pass as they are.
 */
function byLevel(word: string, items: ReadonlyArray<{ label: string; insert: string; kind: string; detail?: string; present?: boolean }>): CompletionItem[] {
  const depth = Math.max(1, keysOf(word).length);
  const out: CompletionItem[] = [];
  const seen = new Set<string>();
  const fields: Array<CompletionItem & { present: boolean }> = [];
  for (const x of items) {
    if (x.kind !== 'field') { out.push({ label: x.label, insert: x.insert, ...(x.detail ? { detail: x.detail } : {}) }); continue; }
    const keys = keysOf(x.insert);
    const leaf = keys.length <= depth;
    const name = leaf ? x.insert : keys.slice(0, depth).join('.');
    if (seen.has(name)) continue;
    seen.add(name);
    fields.push({ label: name, insert: name, present: x.present === true, ...(leaf && x.detail ? { detail: x.detail } : {}) });
  }
  fields.sort((a, b) => Number(b.present) - Number(a.present) || (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
  // Keywords (and, or, not) after a term come before field names, as complete() orders them.
  return [...out, ...fields.map(({ present: _p, ...f }) => f)];
}
