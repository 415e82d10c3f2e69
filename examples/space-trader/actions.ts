import type { InputRequest } from 'chartroom/sync/state';
import { SHIP, STATIONS, TRADE } from './data.js';
import { TradeError } from './messages.js';
import type { TradeRequest, serverMessages } from './messages.js';
import { cargoUnits, youOf } from './ships.js';
import type { Ship, WorldState } from './state.js';

type Request = InputRequest<typeof serverMessages>;

const stationList = STATIONS.map((s) => s.id).join(', ');

/**
 * The checks every station action shares, in seed 002's order of concerns: a valid station,
 * a living ship, docked at that very station ("reject trade/repair unless ship is docked and at
 * valid station"). Returns the refusal sent, or undefined when the action may go on.
 */
function refuseStation(
  state: WorldState,
  ship: Ship | undefined,
  stationId: string,
  request: Request,
  what: string,
) {
  if (!state.markets.hasStation(stationId)) {
    return request.refuse(
      TradeError.UNKNOWN_STATION,
      `Unknown station "${stationId}": expected one of ${stationList}.`,
    );
  }
  if (!ship?.alive) {
    return request.refuse(
      TradeError.SHIP_DESTROYED,
      `${what} needs a ship: yours is destroyed, wait for the respawn.`,
    );
  }
  if (ship.dockedAt !== stationId) {
    const where = ship.dockedAt ? `you are docked at ${ship.dockedAt}` : 'you are not docked';
    return request.refuse(TradeError.NOT_DOCKED, `${what} requires docking at ${stationId}; ${where}.`);
  }
  return undefined;
}

/** Action spam: one accepted trade or repair per ship every `actionCooldownMs`. */
function refuseSpam(state: WorldState, ship: Ship, request: Request): boolean {
  const wait = ship.actionReadyAt - state.init.now();
  if (wait <= 0) return false;
  request.refuse(
    TradeError.RATE_LIMITED,
    `Too many actions: wait ${Math.ceil(wait)} ms (at most one trade or repair every ${TRADE.actionCooldownMs} ms).`,
  );
  return true;
}

/** `trade.buy` / `trade.sell`: validate everything, then trade at the quoted price; answer `trade.result`. */
export function trade(
  state: WorldState,
  ship: Ship | undefined,
  side: 'buy' | 'sell',
  order: TradeRequest,
  request: Request,
): void {
  const { station_id, commodity_id, quantity } = order;
  if (!state.markets.hasStation(station_id) || !ship)
    return void refuseStation(state, ship, station_id, request, 'Trading');
  const quote = state.markets.quote(station_id, commodity_id);
  if (!quote) {
    return request.refuse(
      TradeError.UNKNOWN_COMMODITY,
      `Station ${station_id} does not trade "${commodity_id}".`,
    );
  }
  if (refuseStation(state, ship, station_id, request, 'Trading') !== undefined) return;
  if (quantity < 1 || quantity > TRADE.maxQuantity) {
    return request.refuse(
      TradeError.INVALID_QUANTITY,
      `quantity: expected 1..${TRADE.maxQuantity}, received ${quantity}.`,
    );
  }
  const held = ship.cargo.get(commodity_id) ?? 0;
  const unitPrice = side === 'buy' ? quote.buy : quote.sell;
  const total = unitPrice * quantity;
  if (side === 'buy') {
    const units = cargoUnits(ship);
    if (units + quantity > state.config.cargoCapacity) {
      return request.refuse(
        TradeError.CARGO_FULL,
        `Cargo full: ${units}/${state.config.cargoCapacity} units held, ${quantity} more do not fit.`,
      );
    }
    const stock = state.markets.stock(station_id, commodity_id);
    if (stock < quantity) {
      return request.refuse(
        TradeError.INSUFFICIENT_STOCK,
        `${station_id} has ${stock} ${commodity_id}, you asked for ${quantity}.`,
      );
    }
    if (ship.credits < total) {
      return request.refuse(
        TradeError.INSUFFICIENT_CREDITS,
        `${quantity} ${commodity_id} cost ${total} credits (${unitPrice} each); you have ${ship.credits}.`,
      );
    }
  } else if (held < quantity) {
    return request.refuse(
      TradeError.INSUFFICIENT_CARGO,
      `You hold ${held} ${commodity_id}, you offered ${quantity}.`,
    );
  }
  if (refuseSpam(state, ship, request)) return;
  ship.credits += side === 'buy' ? -total : total;
  ship.cargo.set(commodity_id, held + (side === 'buy' ? quantity : -quantity));
  state.markets.moveStock(station_id, commodity_id, side === 'buy' ? -quantity : quantity);
  ship.actionReadyAt = state.init.now() + TRADE.actionCooldownMs;
  request.reply('trade.result', {
    ok: true,
    credits: ship.credits,
    cargo: youOf(ship).cargo,
    details: { station_id, commodity_id, quantity, unit_price: unitPrice, total },
  });
}

/** `ship.repair_request`: restore the hull at a station for `repairCostPerHp` credits per point. */
export function repair(state: WorldState, ship: Ship | undefined, stationId: string, request: Request): void {
  if (refuseStation(state, ship, stationId, request, 'Repair') !== undefined || !ship) return;
  const missing = SHIP.hull - ship.hp;
  if (missing <= 0) return request.refuse(TradeError.NOTHING_TO_REPAIR, 'The hull is already at 100.');
  const cost = Math.ceil(missing * TRADE.repairCostPerHp);
  if (ship.credits < cost) {
    return request.refuse(
      TradeError.INSUFFICIENT_CREDITS,
      `Repairing ${missing} hull points costs ${cost} credits; you have ${ship.credits}.`,
    );
  }
  if (refuseSpam(state, ship, request)) return;
  ship.credits -= cost;
  ship.hp = SHIP.hull;
  ship.actionReadyAt = state.init.now() + TRADE.actionCooldownMs;
  request.reply('ship.repair_result', { ok: true, credits: ship.credits, hull: ship.hp, cost });
}
