/**
 * Trading and repairs over real ws (seed 002: trade.buy, trade.sell, ship.repair_request,
 * trade.result, error), and every refusal of the seed's rule "reject trade/repair unless ship
 * is docked and at valid station", plus the economy's own (credits, cargo, quantity, spam).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ChartroomServer } from 'chartroom/server';
import { damage } from '../../examples/space-trader/combat.js';
import type { TraderConfig } from '../../examples/space-trader/messages.js';
import type { ErrorPayload, Frame } from '../integration/raw-client.js';
import { dockAtHome, pilot, startSystem } from './support.js';
import type { Pilot } from './support.js';

const EARTH = 'earth-orbit-station';

describe('space trader: trading and repairs over ws', () => {
  let server: ChartroomServer | undefined;
  afterEach(async () => server?.close());

  const docked = async (config: Partial<TraderConfig> = {}) => {
    const started = await startSystem(config);
    server = started.server;
    const p = await pilot(started.url, 'ada');
    await dockAtHome(p);
    const ship = () => started.world().state.bySeat.get(p.joined.payload.seat_id)!;
    return { started, p, ship };
  };
  const ask = async (p: Pilot, type: string, payload: unknown): Promise<Frame> =>
    p.answer(p.raw.send(type, payload));
  const refusal = async (p: Pilot, type: string, payload: unknown) => {
    const seq = p.raw.send(type, payload);
    const frame = await p.answer(seq);
    expect(frame.type, JSON.stringify(frame.payload)).toBe('error');
    expect((frame.payload as unknown as ErrorPayload).ref_seq).toBe(seq);
    return frame.payload as unknown as ErrorPayload;
  };
  const buy = (quantity: number, commodity_id = 'food', station_id = EARTH) => ({
    station_id,
    commodity_id,
    quantity,
  });
  const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it('buys and sells at the docked station, answered by a final trade.result', async () => {
    const { p, ship } = await docked();
    const price = p.mirror.sections.markets
      ?.find((m) => m.station_id === EARTH)
      ?.prices.find((x) => x.commodity_id === 'food');
    const bought = await ask(p, 'trade.buy', buy(10));
    expect(bought.type).toBe('trade.result');
    expect(bought.payload).toEqual({
      ok: true,
      credits: 5000 - 10 * price!.buy,
      cargo: [{ commodity_id: 'food', qty: 10 }],
      details: {
        station_id: EARTH,
        commodity_id: 'food',
        quantity: 10,
        unit_price: price!.buy,
        total: 10 * price!.buy,
      },
    });
    expect(ship().credits).toBe(5000 - 10 * price!.buy);
    await wait(200);
    const sold = await ask(p, 'trade.sell', buy(10));
    const details = sold.payload.details as { unit_price: number; total: number };
    expect(sold.payload).toMatchObject({ ok: true, cargo: [{ commodity_id: 'food', qty: 0 }] });
    expect(details.total).toBe(10 * details.unit_price);
    expect(sold.payload.credits).toBe(5000 - 10 * price!.buy + details.total);
    // The trade shows up in the stream too: `you` changes in the next delta.
    await p.until((m) => m.sections.you?.credits === sold.payload.credits, 'credits in the stream');
  });

  it('refuses a trade while undocked with NOT_DOCKED', async () => {
    const started = await startSystem();
    server = started.server;
    const p = await pilot(started.url, 'ada');
    const error = await refusal(p, 'trade.buy', buy(1));
    expect(error).toMatchObject({ code: 'NOT_DOCKED' });
    expect(error.message).toContain('you are not docked');
  });

  it('refuses a trade at another station than the one docked at with NOT_DOCKED', async () => {
    const { p } = await docked();
    const error = await refusal(p, 'trade.sell', buy(1, 'food', 'mars-orbit-station'));
    expect(error).toMatchObject({ code: 'NOT_DOCKED' });
    expect(error.message).toContain(`docked at ${EARTH}`);
  });

  it('refuses an unknown station and an unknown commodity', async () => {
    const { p } = await docked();
    expect(await refusal(p, 'trade.buy', buy(1, 'food', 'alpha-centauri'))).toMatchObject({
      code: 'UNKNOWN_STATION',
    });
    expect(await refusal(p, 'trade.buy', buy(1, 'unobtainium'))).toMatchObject({ code: 'UNKNOWN_COMMODITY' });
    expect(await refusal(p, 'ship.repair_request', { station_id: 'nowhere' })).toMatchObject({
      code: 'UNKNOWN_STATION',
    });
  });

  it('refuses what the ship cannot afford, hold or sell, and quantities out of range', async () => {
    const { p } = await docked({ startCredits: 100, cargoCapacity: 5 });
    expect(await refusal(p, 'trade.buy', buy(2, 'medicine'))).toMatchObject({ code: 'INSUFFICIENT_CREDITS' });
    expect(await refusal(p, 'trade.buy', buy(6))).toMatchObject({ code: 'CARGO_FULL' });
    expect(await refusal(p, 'trade.sell', buy(1, 'water'))).toMatchObject({ code: 'INSUFFICIENT_CARGO' });
    expect(await refusal(p, 'trade.buy', buy(0))).toMatchObject({ code: 'INVALID_QUANTITY' });
    expect(await refusal(p, 'trade.sell', buy(-4))).toMatchObject({ code: 'INVALID_QUANTITY' });
    // A payload that is not a trade at all never reaches the world.
    p.raw.send('trade.buy', { station_id: EARTH, commodity_id: 'food', quantity: 'ten' });
    expect((await p.raw.next<ErrorPayload>('error')).payload).toMatchObject({
      code: 'PROTOCOL_INVALID_MESSAGE',
      ref_type: 'trade.buy',
    });
  });

  it('refuses action spam: a second trade within the cooldown is RATE_LIMITED', async () => {
    const { p } = await docked();
    const first = p.raw.send('trade.buy', buy(1));
    const second = p.raw.send('trade.buy', buy(1));
    expect((await p.answer(first)).type).toBe('trade.result');
    expect((await p.answer(second)).payload).toMatchObject({ code: 'RATE_LIMITED', ref_seq: second });
  });

  it('repairs the hull at a station for credits, and refuses when there is nothing to repair', async () => {
    const { started, p, ship } = await docked();
    expect(await refusal(p, 'ship.repair_request', { station_id: EARTH })).toMatchObject({
      code: 'NOTHING_TO_REPAIR',
    });
    damage(started.world().state, 'test', ship(), 30);
    const repaired = await ask(p, 'ship.repair_request', { station_id: EARTH });
    expect(repaired.type).toBe('ship.repair_result');
    expect(repaired.payload).toEqual({ ok: true, credits: 5000 - 120, hull: 100, cost: 120 });
  });

  it('refuses a repair it cannot pay, and any station action while destroyed', async () => {
    const { started, p, ship } = await docked({ startCredits: 10 });
    damage(started.world().state, 'test', ship(), 30);
    expect(await refusal(p, 'ship.repair_request', { station_id: EARTH })).toMatchObject({
      code: 'INSUFFICIENT_CREDITS',
    });
    damage(started.world().state, 'test', ship(), 100);
    expect(await refusal(p, 'trade.buy', buy(1))).toMatchObject({ code: 'SHIP_DESTROYED' });
    expect(await refusal(p, 'ship.repair_request', { station_id: EARTH })).toMatchObject({
      code: 'SHIP_DESTROYED',
    });
  });

  it('refuses a repair while undocked with NOT_DOCKED', async () => {
    const started = await startSystem();
    server = started.server;
    const p = await pilot(started.url, 'ada');
    expect(await refusal(p, 'ship.repair_request', { station_id: EARTH })).toMatchObject({
      code: 'NOT_DOCKED',
    });
  });
});
