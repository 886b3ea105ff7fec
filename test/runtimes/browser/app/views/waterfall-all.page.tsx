// A page for test/runtimes/browser/app-exchange-views.test.ts: the all-requests waterfall
// (views/waterfall-all.tsx) over exchanges the test gives, with the timing the test filled in,
// kept in the real column store (exchanges.ts) and paged by the HTTP worker's own code
// (exchange-views.ts) — the app's path from the table to the DOM, without the capture's workers.
import { render } from 'preact';
import type { Exchange } from '../../../../../src/exchanges.js';
import type { Engine } from '../../../../../runtimes/browser/app/client.js';
import type { Request } from '../../../../../runtimes/browser/app/protocol.js';
import { ExchangeTable } from '../../../../../runtimes/browser/app/exchanges.js';
import { ExchangeViews } from '../../../../../runtimes/browser/app/exchange-views.js';
import { AllRequests } from '../../../../../runtimes/browser/app/views/waterfall-all.js';
import { timeFormat } from '../../../../../runtimes/browser/app/format.js';
import '../../../../../runtimes/browser/app/app.css';

(window as unknown as { mount(exs: Exchange[]): void }).mount = (exs) => {
  const table = new ExchangeTable();
  for (const e of exs) { const { timing, ...first } = e; table.add(first); if (timing) table.update(e); }
  const views = new ExchangeViews(table);
  const engine = {
    ask: async (req: Request) => {
      if (req.op === 'waterfall') return views.waterfall(req, null, 'all');
      throw new Error(`this page answers only the waterfall, not ${req.op}`);
    },
  } as unknown as Engine;
  render(
    <AllRequests engine={engine} version="1" tf={timeFormat('utc', exs[0]?.reqTime ?? 0)} endpoint={null} onClearEndpoint={() => {}}
      onPacket={(n) => { document.body.dataset.opened = String(n); }} />,
    document.getElementById('app')!,
  );
};
