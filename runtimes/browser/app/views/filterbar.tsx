/**
 * The filter input: the text, a wavy underline under the part an error is about, field-name
 * completion as you type (arrows move, Tab or Enter accepts, Esc closes) and the help popover
 * ("?" button, or "?" typed into an empty filter). What to complete and what the help says come
 * in as props (views/filterhelp.ts), so the query module can supply its own.
 */
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { Complete, Completion, FilterHelp } from './filterhelp.js';

/** An error in the text: where it is and what it says. */
export interface FilterError { message: string; offset: number; length?: number }

/** Props of FilterInput. */
export interface FilterInputProps {
  value: string;
  onInput(text: string): void;
  /** Enter with no completion open: apply now. */
  onEnter(): void;
  /** Esc with nothing open in the bar: leave it (the page moves focus to the view). */
  onLeave(): void;
  /** The error of this text (null when none, or when it was about another text). */
  error: FilterError | null;
  complete: Complete | null;
  help: FilterHelp;
  helpOpen: boolean;
  setHelpOpen(open: boolean): void;
}

/** The length an error underlines: the one given, else the word at the offset (at least one character). */
export function errorSpan(text: string, e: FilterError): [number, number] {
  const from = Math.max(0, Math.min(e.offset, text.length));
  if (e.length !== undefined && e.length > 0) return [from, Math.min(text.length, from + e.length)];
  let to = from;
  while (to < text.length && !/\s/.test(text[to]!)) to++;
  return [from, Math.max(to, from + 1)];
}

/** The filter input with its underline, completion list and help popover. */
export function FilterInput(p: FilterInputProps) {
  const input = useRef<HTMLInputElement>(null);
  const mirror = useRef<HTMLDivElement>(null);
  const [comp, setComp] = useState<Completion | null>(null);
  const [active, setActive] = useState(0);
  // Enter applies the filter unless a proposal was chosen with the arrows (Tab always takes one):
  // a proposal shown while typing must never swallow the Enter that applies what was typed.
  const [chosen, setChosen] = useState(false);

  // The underline is drawn in a copy of the text behind the input: keep it scrolled alike.
  const sync = () => { if (mirror.current && input.current) mirror.current.style.transform = `translateX(${-input.current.scrollLeft}px)`; };
  useLayoutEffect(sync);

  const propose = () => {
    const el = input.current;
    if (!el || !p.complete || document.activeElement !== el) { setComp(null); return; }
    const c = p.complete(el.value, el.selectionStart ?? el.value.length);
    setComp(c); setActive(0); setChosen(false);
  };
  // New field names (the capture loaded) may change what fits.
  useEffect(() => { if (comp) propose(); }, [p.complete]);

  const accept = (i: number) => {
    const el = input.current;
    const item = comp?.items[i];
    if (!el || !comp || !item) return;
    const insert = item.insert ?? item.label;
    const text = el.value.slice(0, comp.from) + insert + el.value.slice(comp.to);
    const caret = comp.from + insert.length;
    setComp(null);
    p.onInput(text);
    // The value is set by the next render; the caret goes after the inserted name.
    requestAnimationFrame(() => { el.setSelectionRange(caret, caret); sync(); });
  };

  const onKey = (e: KeyboardEvent) => {
    if (comp && comp.items.length) {
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        const n = comp.items.length;
        setActive((a) => (a + (e.key === 'ArrowDown' ? 1 : n - 1)) % n);
        setChosen(true);
        return;
      }
      if (e.key === 'Tab' || (e.key === 'Enter' && chosen)) { e.preventDefault(); accept(active); return; }
      if (e.key === 'Escape') { e.preventDefault(); e.stopPropagation(); setComp(null); return; }
    }
    if (e.key === 'Escape') {
      e.preventDefault(); e.stopPropagation();
      if (p.helpOpen) p.setHelpOpen(false); else p.onLeave();
      return;
    }
    if (e.key === 'Enter') { e.preventDefault(); setComp(null); p.onEnter(); return; }
    if (e.key === '?' && p.value === '') { e.preventDefault(); p.setHelpOpen(!p.helpOpen); }
  };

  const span = p.error ? errorSpan(p.value, p.error) : null;
  return (
    <div class="filter-field">
      <div class="filter-input">
        <div class="filter-mirror" aria-hidden="true">
          <div ref={mirror}>
            {span ? <>{p.value.slice(0, span[0])}<mark data-testid="filter-error-mark" data-from={span[0]} data-to={span[1]}>{p.value.slice(span[0], span[1]) || ' '}</mark>{p.value.slice(span[1])}</> : p.value}
          </div>
        </div>
        <input ref={input} data-testid="filter" type="text" role="searchbox" aria-label="Filter" autocomplete="off"
          placeholder='filter: L3.src == 10.0.0.1 and HTTP.code >= 500, "free text", not L4.dst == 443   (/ to focus, ? for help)'
          value={p.value} spellcheck={false} aria-invalid={p.error !== null} aria-describedby={p.error ? 'filter-error' : undefined}
          aria-autocomplete="list" aria-expanded={comp !== null} aria-controls="filter-completions"
          onInput={(e) => { p.onInput((e.target as HTMLInputElement).value); propose(); }}
          onKeyDown={onKey} onKeyUp={sync} onScroll={sync} onClick={sync} onBlur={() => setComp(null)} />
        {comp && (
          <ul class="completions" id="filter-completions" role="listbox" data-testid="completions">
            {comp.items.map((it, i) => (
              <li role="option" aria-selected={i === active} class={i === active ? 'active' : ''} data-testid="completion"
                onMouseDown={(e) => { e.preventDefault(); accept(i); }}>
                <span class="c-label">{it.label}</span>{it.detail && <span class="c-detail">{it.detail}</span>}
              </li>
            ))}
          </ul>
        )}
      </div>
      <button class="help-button" aria-label="Filter help" aria-expanded={p.helpOpen} data-testid="filter-help-button" onClick={() => p.setHelpOpen(!p.helpOpen)}>?</button>
      {p.helpOpen && <HelpPopover help={p.help} onPick={(q) => { p.onInput(q); p.setHelpOpen(false); input.current?.focus(); }} onClose={() => p.setHelpOpen(false)} />}
    </div>
  );
}

function HelpPopover({ help, onPick, onClose }: { help: FilterHelp; onPick(q: string): void; onClose(): void }) {
  const el = useRef<HTMLDivElement>(null);
  // A click elsewhere closes it (the "?" button toggles it itself).
  useEffect(() => {
    const on = (e: MouseEvent) => { const t = e.target as Element; if (el.current && !el.current.contains(t) && !t.closest('.help-button')) onClose(); };
    document.addEventListener('mousedown', on);
    return () => document.removeEventListener('mousedown', on);
  }, []);
  return (
    <div class="help-popover" ref={el} role="dialog" aria-label="Filter help" data-testid="filter-help">
      <table>
        <tbody>{help.operators.map((o) => <tr><td><code>{o.op}</code></td><td>{o.meaning}</td></tr>)}</tbody>
      </table>
      <div class="help-title">Examples (click to use)</div>
      <ul>{help.examples.map((x) => <li><button class="link" onClick={() => onPick(x.q)}><code>{x.q}</code></button> <span class="muted">{x.meaning}</span></li>)}</ul>
      {help.notes.map((n) => <p class="muted">{n}</p>)}
      <p class="muted">Keys: <kbd>/</kbd> filter · <kbd>↑</kbd><kbd>↓</kbd> move · <kbd>Enter</kbd> open · <kbd>Esc</kbd> close</p>
    </div>
  );
}
