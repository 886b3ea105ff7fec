/**
 * What the filter bar offers while typing: field-name completion and the help popover's content.
 * Both are plain data behind two small types (Complete, FilterHelp), so the query module's own
 * completer and catalog can take their place without touching the bar (views/filterbar.tsx).
 */
import type { Fields } from '../protocol.js';

/** One proposal: the text it puts in place of the word being typed, and an optional note. */
export interface CompletionItem { label: string; insert?: string; detail?: string }

/** Proposals for the text with the caret at `caret`: they replace text[from, to). */
export interface Completion { from: number; to: number; items: CompletionItem[] }

/** A completer: null when the caret is not where a field name goes (or nothing fits). */
export type Complete = (text: string, caret: number) => Completion | null;

/** The help popover: operators and examples, each with a line saying what it does. */
export interface FilterHelp { operators: Array<{ op: string; meaning: string }>; examples: Array<{ q: string; meaning: string }>; notes: string[] }

/** The help of the filter language as query.ts implements it today. */
export const FILTER_HELP: FilterHelp = {
  operators: [
    { op: '==  !=', meaning: 'equal, not equal (numbers compare as numbers)' },
    { op: '<  <=  >  >=', meaning: 'order, numeric when both sides are numbers' },
    { op: '~', meaning: 'contains, case-insensitive' },
    { op: '=~', meaning: 'matches a regular expression (quoted)' },
    { op: 'and  or  not', meaning: 'also && || !, and ( ) to group; not binds first, then and' },
    { op: 'field', meaning: 'alone: the field is present (HTTP, L4.flags)' },
    { op: '"text"', meaning: 'alone: free text anywhere in the record' },
  ],
  examples: [
    { q: 'HTTP.code >= 500', meaning: 'server errors' },
    { q: 'L3.src == 10.0.0.1 and L4.dst == 443', meaning: 'one client to port 443' },
    { q: 'HTTP.method == POST or HTTP.code == 404', meaning: 'POST requests and not-found responses' },
    { q: 'L4.flags.str ~ RST', meaning: 'resets' },
    { q: 'HTTP.url =~ "^/api/"', meaning: 'URLs by pattern' },
    { q: '"keep-alive"', meaning: 'the text anywhere' },
  ],
  notes: ['The filter applies to every view and export: a connection, exchange or trace shows when one of its packets matches.'],
};

/** Characters of a field path (query.ts's WORD). */
const WORD = /[A-Za-z0-9_./:-]/;
/** Words after which a field name is expected. */
const BEFORE_FIELD = new Set(['', '(', 'and', 'or', 'not', '!', '&&', '||']);

/** The word around `caret` and the token before it, or null inside a quoted string. */
export function wordAt(text: string, caret: number): { from: number; to: number; before: string } | null {
  let quote: string | null = null;
  for (let i = 0; i < caret; i++) {
    const c = text[i]!;
    if (quote) { if (c === '\\') i++; else if (c === quote) quote = null; } else if (c === '"' || c === "'") quote = c;
  }
  if (quote) return null;
  let from = caret, to = caret;
  while (from > 0 && WORD.test(text[from - 1]!)) from--;
  while (to < text.length && WORD.test(text[to]!)) to++;
  // The token before the word: a word, or one of ( ! && ||, or '' at the start.
  let i = from;
  while (i > 0 && text[i - 1] === ' ') i--;
  let j = i;
  if (j > 0 && WORD.test(text[j - 1]!)) { while (j > 0 && WORD.test(text[j - 1]!)) j--; }
  else if (j > 0) { j--; if (j > 0 && (text.slice(j - 1, i) === '&&' || text.slice(j - 1, i) === '||')) j--; }
  return { from, to, before: text.slice(j, i).toLowerCase() };
}

/** A completer over field names (the worker's `fields` answer): the capture's own fields first. */
export function fieldCompleter(fields: Fields, limit = 12): Complete {
  const all = [...fields.present.map((f) => ({ f, here: true })), ...fields.other.map((f) => ({ f, here: false }))];
  return (text, caret) => {
    const w = wordAt(text, caret);
    if (!w || !BEFORE_FIELD.has(w.before)) return null;
    const typed = text.slice(w.from, caret).toLowerCase();
    if (typed === '') return null;
    const items = all.filter(({ f }) => f.toLowerCase().startsWith(typed) && f !== text.slice(w.from, w.to))
      .slice(0, limit).map(({ f, here }) => ({ label: f, detail: here ? undefined : 'not in this capture' }));
    return items.length ? { from: w.from, to: w.to, items } : null;
  };
}
