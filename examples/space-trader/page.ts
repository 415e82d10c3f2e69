import { createClient } from 'chartroom/client';
import type { RoomSession } from 'chartroom/client';
import { StateMirror } from 'chartroom/sync/state';
import type { InputCommand } from './messages.js';
import { drawSky } from './render.js';
import type { TraderMirror } from './render.js';
import { traderMessages } from './room.js';

/**
 * The browser client: fly with the keyboard, dock, trade and repair. Everything drawn comes
 * from the server's snapshot and deltas (a `StateMirror`); the page only ever sends inputs
 * and requests.
 */
type Session = RoomSession<typeof traderMessages>;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const systemId = new URLSearchParams(location.search).get('game_id') ?? 'sol-1';
const storageKey = `chartroom:${systemId}`;
$('system').textContent = systemId;
const canvas = $<HTMLCanvasElement>('sky');
const client = createClient({
  baseUrl: location.origin,
  messages: traderMessages,
  onResumeToken: (token) => sessionStorage.setItem(storageKey, token),
});

let session: Session | undefined;
let mirror: TraderMirror = new StateMirror();
let updatedAt = performance.now();
const keys = new Set<string>();
let sent: InputCommand = { thrust: 0, turn: 0, fire_primary: false, dock_request: false };
const log = (line: string) =>
  ($('log').textContent = `${line}\n${$('log').textContent ?? ''}`.slice(0, 1500));

/** Keyboard state -> one input.command whenever it changes (the server keeps the last one). */
const steer = () => {
  if (!session) return;
  const input: InputCommand = {
    thrust: keys.has('w') || keys.has('arrowup') ? 1 : 0,
    turn:
      (keys.has('d') || keys.has('arrowright') ? 1 : 0) - (keys.has('a') || keys.has('arrowleft') ? 1 : 0),
    fire_primary: keys.has(' '),
    dock_request: keys.has('f'),
  };
  if (Object.entries(input).every(([k, v]) => sent[k as keyof InputCommand] === v)) return;
  sent = input;
  session.send('input.command', input);
};
addEventListener('keydown', (e) => {
  if ((e.target as HTMLElement).tagName === 'INPUT') return;
  keys.add(e.key.toLowerCase());
  if (e.key === ' ' || e.key.startsWith('Arrow')) e.preventDefault();
  steer();
});
addEventListener('keyup', (e) => {
  keys.delete(e.key.toLowerCase());
  steer();
});

/** Writes `html` only when it differs from what the element shows, so nothing is rebuilt needlessly. */
const shown = new WeakMap<HTMLElement, string>();
const setHtml = (element: HTMLElement, html: string) => {
  if (shown.get(element) === html) return;
  shown.set(element, html);
  element.innerHTML = html;
};

/**
 * The market panel keeps its buttons across updates (a button rebuilt under the pointer
 * swallows the click): the table is rebuilt only when the station or its goods change, and
 * prices and holdings are written into their cells in place.
 */
let marketLayout = '';
const renderStation = (you: TraderMirror['sections']['you']) => {
  const station = you?.docked_at;
  const market = mirror.sections.markets?.find((m) => m.station_id === station);
  const panel = $('station');
  if (!you || !station || !market) {
    marketLayout = '';
    setHtml(panel, 'Dock at a station to trade and repair.');
    return;
  }
  const layout = `${station}|${market.prices.map((p) => p.commodity_id).join(',')}`;
  if (layout !== marketLayout) {
    marketLayout = layout;
    setHtml(
      panel,
      `<p><b>${station}</b> <button data-repair>Repair hull</button></p><table><tr><th>good</th><th>buy</th><th>sell</th><th>held</th><th></th></tr>` +
        market.prices
          .map(
            (p) =>
              `<tr data-good="${p.commodity_id}"><td>${p.commodity_id}</td><td></td><td></td><td></td><td>` +
              `<button data-buy="${p.commodity_id}">+1</button><button data-buy10="${p.commodity_id}">+10</button>` +
              `<button data-sell="${p.commodity_id}">-1</button><button data-sellall="${p.commodity_id}">all</button></td></tr>`,
          )
          .join('') +
        '</table>',
    );
  }
  const held = (id: string) => you.cargo.find((c) => c.commodity_id === id)?.qty ?? 0;
  for (const row of Array.from(panel.querySelectorAll<HTMLTableRowElement>('tr[data-good]'))) {
    const price = market.prices.find((p) => p.commodity_id === row.dataset.good);
    if (!price) continue;
    const values = [price.buy, price.sell, held(price.commodity_id)];
    values.forEach((value, i) => {
      const cell = row.cells[i + 1];
      if (cell && cell.textContent !== String(value)) cell.textContent = String(value);
    });
  }
};

const renderHud = () => {
  const you = mirror.sections.you;
  const context = mirror.sections.you_zone_context;
  setHtml(
    $('ship'),
    you
      ? [
          ['ship', you.ship_id],
          ['credits', you.credits],
          ['hull', you.hull],
          ['fuel', you.fuel],
          [
            'cargo',
            you.cargo
              .filter((c) => c.qty > 0)
              .map((c) => `${c.qty} ${c.commodity_id}`)
              .join(', ') || '-',
          ],
          ['docked at', you.docked_at ?? '-'],
        ]
          .map(([k, v]) => `<tr><td>${k}</td><td>${v}</td></tr>`)
          .join('')
      : '',
  );
  $('zone').textContent = context
    ? `${context.zone_ids.join(', ') || 'deep space'} · risk ${context.blended_risk} · security ${context.blended_security} · profit ×${context.blended_profit_multiplier}`
    : '-';
  renderStation(you);
};

$('station').addEventListener('click', (e) => {
  const button = e.target as HTMLElement;
  const you = mirror.sections.you;
  if (!session || !you?.docked_at || button.tagName !== 'BUTTON') return;
  const station_id = you.docked_at;
  const d = button.dataset;
  const order = (commodity_id: string, quantity: number) => ({ station_id, commodity_id, quantity });
  if (d.repair !== undefined) session.send('ship.repair_request', { station_id });
  else if (d.buy) session.send('trade.buy', order(d.buy, 1));
  else if (d.buy10) session.send('trade.buy', order(d.buy10, 10));
  else if (d.sell) session.send('trade.sell', order(d.sell, 1));
  else if (d.sellall)
    session.send(
      'trade.sell',
      order(d.sellall, you.cargo.find((c) => c.commodity_id === d.sellall)?.qty ?? 0),
    );
});

const attach = (s: Session) => {
  session = s;
  mirror = new StateMirror();
  $('status').textContent = `flying ${String(s.joinedExtra.ship_id ?? '')} (${s.seatId})`;
  s.on('world.snapshot', (snapshot) => {
    mirror.applySnapshot(snapshot);
    updatedAt = performance.now();
    renderHud();
  });
  s.on('world.delta', (delta) => {
    const events = mirror.applyDelta(delta);
    if (!mirror.synced) s.send('world.resync', {});
    updatedAt = performance.now();
    for (const event of events ?? []) {
      const { kind, ...rest } = event;
      if (kind !== 'projectile_fired') log(`${kind}: ${Object.values(rest).join(' ')}`);
    }
    renderHud();
  });
  s.on('trade.result', (r) =>
    log(
      `trade: ${r.details.quantity} ${r.details.commodity_id} at ${r.details.unit_price} (total ${r.details.total})`,
    ),
  );
  s.on('ship.repair_result', (r) => log(`repaired for ${r.cost}: hull ${r.hull}`));
  s.on('combat.event', (c) =>
    log(`${c.kind}: ${c.source_id} → ${c.target_id} (${c.damage}, hp ${c.target_hp})`),
  );
  s.onError((error) => ($('errors').textContent = `${error.code}: ${error.message}`));
  s.onStatus((status) => {
    $('status').textContent = status;
    if (status === 'reconnecting') mirror.reset();
  });
};

$('join').onclick = async () => {
  const name = $<HTMLInputElement>('name').value.trim();
  try {
    attach(await client.join(systemId, name ? { name } : {}));
  } catch (error) {
    $('errors').textContent = String(error);
  }
};

const frame = () => {
  drawSky(canvas, mirror, performance.now() - updatedAt);
  requestAnimationFrame(frame);
};
requestAnimationFrame(frame);

const stored = sessionStorage.getItem(storageKey);
if (stored) client.resume(stored).then(attach, () => sessionStorage.removeItem(storageKey));
