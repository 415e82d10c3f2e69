import type { RoomSession } from 'chartroom/client';
import { StateMirror } from 'chartroom/sync/state';
import { attack, bestOutlet, bestTrade, canDock, flyTo } from './autopilot.js';
import { STATIONS, TRADE } from './data.js';
import type { Entity, InputCommand, WorldEvent, sections } from './messages.js';
import type { traderMessages } from './room.js';

export type TraderSession = RoomSession<typeof traderMessages>;

export interface BotStats {
  docks: number;
  trades: number;
  refusals: number;
  repairs: number;
  kills: number;
  deaths: number;
  hitsTaken: number;
  inputs: number;
}

export interface TraderBotOptions {
  /** Attack pirates that come within `engageRange`. Default true. */
  readonly fight?: boolean;
  /** Default 800. */
  readonly engageRange?: number;
  /** Called with every refusal the server sends (tests assert on them). */
  readonly onRefusal?: (code: string, message: string) => void;
}

export interface TraderBot {
  readonly mirror: StateMirror<Entity, typeof sections, WorldEvent>;
  readonly stats: Readonly<BotStats>;
  /** What the bot is doing: `trading`, `flying`, `fighting`, `destroyed`, `waiting`. */
  readonly phase: string;
  /** The station it is heading for. */
  readonly goal: string;
  stop(): void;
}

/** The space trader's tick (20 Hz): the bot counts time in the world's ticks. */
const TICK_MS = 50;
const idle: InputCommand = { thrust: 0, turn: 0, fire_primary: false, dock_request: false };
const sameInput = (a: InputCommand, b: InputCommand) =>
  a.thrust === b.thrust &&
  a.turn === b.turn &&
  a.fire_primary === b.fire_primary &&
  a.dock_request === b.dock_request;

/**
 * A headless pilot (tests and load): flies between stations buying low and selling high,
 * repairs when hurt, fights pirates that come close. It only ever sends what a human client
 * could (inputs and requests) and acts on what the server streams (a `StateMirror`).
 *
 * @example
 * const session = await client.join('sol-1', { name: 'bot-1' });
 * const bot = createTraderBot(session);
 */
export function createTraderBot(session: TraderSession, options: TraderBotOptions = {}): TraderBot {
  const mirror = new StateMirror<Entity, typeof sections, WorldEvent>();
  const stats: BotStats = {
    docks: 0,
    trades: 0,
    refusals: 0,
    repairs: 0,
    kills: 0,
    deaths: 0,
    hitsTaken: 0,
    inputs: 0,
  };
  const fight = options.fight ?? true;
  const engageRange = options.engageRange ?? 800;
  /** Empty until the first view: then the nearest station (new ships spawn next to one). */
  let goal = '';
  let phase = 'waiting';
  let pending = false;
  /** Ticks to wait for the world to show an answered request (the next delta carries `you`). */
  let settleUntil = -1;
  let repairedAt: string | undefined;
  let sent: InputCommand = idle;
  let dockPulse = false;
  let resyncAsked = false;

  const send = (input: InputCommand) => {
    if (sameInput(input, sent)) return;
    sent = input;
    stats.inputs++;
    session.send('input.command', input);
  };
  const request = (send: () => void) => {
    pending = true;
    send();
  };

  const whileDocked = (station: string) => {
    const you = mirror.sections.you;
    const markets = mirror.sections.markets ?? [];
    if (!you || pending || mirror.tick <= settleUntil) return send(idle);
    phase = 'trading';
    if (you.hull < 80 && repairedAt !== station) {
      repairedAt = station;
      return request(() => session.send('ship.repair_request', { station_id: station }));
    }
    const held = you.cargo.find((c) => c.qty > 0);
    const here = markets.find((m) => m.station_id === station);
    if (held) {
      const outlet = bestOutlet(markets, held.commodity_id) ?? goal;
      const tradedHere = here?.prices.some((p) => p.commodity_id === held.commodity_id) ?? false;
      if (tradedHere && (outlet === station || goal === station)) {
        goal = outlet === station ? goal : outlet;
        const order = { station_id: station, commodity_id: held.commodity_id, quantity: held.qty };
        return request(() => session.send('trade.sell', order));
      }
      goal = outlet;
    } else {
      const plan = bestTrade(markets, station);
      const price = here?.prices.find((p) => p.commodity_id === plan?.commodity);
      const units = Math.min(20, Math.floor(you.credits / 2 / Math.max(1, price?.buy ?? 1)));
      if (plan && price && units > 0) {
        goal = plan.sellAt;
        const order = { station_id: station, commodity_id: plan.commodity, quantity: units };
        return request(() => session.send('trade.buy', order));
      }
      goal = STATIONS[(STATIONS.findIndex((s) => s.id === station) + 1) % STATIONS.length]?.id ?? goal;
    }
    phase = 'flying';
    repairedAt = undefined;
    send({ ...idle, thrust: 1 });
  };

  const nearest = (me: Entity, kind: Entity['kind'], within = Infinity): Entity | undefined => {
    let best: Entity | undefined;
    let distance = within;
    for (const entity of mirror.entities.values()) {
      const d = Math.hypot(entity.x - me.x, entity.y - me.y);
      if (entity.kind === kind && d < distance) [best, distance] = [entity, d];
    }
    return best;
  };

  const decide = () => {
    const you = mirror.sections.you;
    if (!mirror.synced || !you) return;
    if (you.docked_at) return whileDocked(you.docked_at);
    const me = mirror.entities.get(you.ship_id);
    if (!me) {
      phase = 'destroyed';
      return send(idle);
    }
    const threat = nearest(me, 'pirate', engageRange);
    // Badly hurt: run for the nearest station (its guns keep pirates off) and repair there.
    if (you.hull < 40) goal = nearest(me, 'station')?.id ?? goal;
    else if (fight && threat) {
      phase = 'fighting';
      return send(attack(me, threat));
    }
    phase = 'flying';
    if (!goal) goal = nearest(me, 'station')?.id ?? '';
    const station = mirror.entities.get(goal);
    if (!station) return send(idle);
    if (canDock(me, station.x, station.y)) {
      dockPulse = !dockPulse;
      return send({ ...idle, dock_request: dockPulse });
    }
    send(flyTo(me, station.x, station.y));
  };

  /** After an answer: wait out the station's action cooldown (and let `you` show the result). */
  const answered = () => {
    pending = false;
    settleUntil = mirror.tick + Math.ceil(TRADE.actionCooldownMs / TICK_MS) + 1;
  };

  const offs = [
    session.on('world.snapshot', (snapshot) => {
      mirror.applySnapshot(snapshot);
      resyncAsked = false;
      decide();
    }),
    session.on('world.delta', (delta) => {
      const events = mirror.applyDelta(delta);
      if (!mirror.synced && !resyncAsked) {
        // The snapshot went out before this bot subscribed: ask for a fresh one.
        resyncAsked = true;
        session.send('world.resync', {});
      }
      const ship = mirror.sections.you?.ship_id;
      for (const event of events ?? []) if (event.kind === 'docked' && event.ship_id === ship) stats.docks++;
      decide();
    }),
    session.on('trade.result', () => {
      stats.trades++;
      answered();
    }),
    session.on('ship.repair_result', () => {
      stats.repairs++;
      answered();
    }),
    session.on('combat.event', (event) => {
      const ship = mirror.sections.you?.ship_id;
      if (event.kind === 'hit' && event.target_id === ship) stats.hitsTaken++;
      if (event.kind === 'destroyed' && event.target_id === ship) stats.deaths++;
      if (event.kind === 'destroyed' && event.source_id === ship) stats.kills++;
    }),
    session.onError((error) => {
      stats.refusals++;
      options.onRefusal?.(String(error.code), error.message);
      if (pending) answered();
    }),
    session.onStatus((status) => {
      if (status === 'reconnecting') mirror.reset();
    }),
  ];

  return {
    mirror,
    stats,
    get phase() {
      return phase;
    },
    get goal() {
      return goal;
    },
    stop() {
      for (const off of offs) off();
    },
  };
}
