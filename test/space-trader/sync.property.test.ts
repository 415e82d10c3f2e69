/**
 * The snapshot/delta contract, as a property: a client that applies its snapshot and then
 * every delta, in order, holds exactly the server's view for it (entities, `you`, markets,
 * zone context; `zones` as of its last snapshot), after every tick, for any sequence of inputs
 * (steering, firing, docking, trades, repairs, garbage values), drops and reconnects (a fresh
 * snapshot), slow-consumer spells (skipped deltas, then a snapshot) and resync requests.
 *
 * Engine level, on a simulated clock: the real space-trader world and the real engine and
 * chart, with a fake room (test/sync-state/fake-host.ts) whose wire is a JSON round trip plus
 * the SDK's own check (every payload must pass the model's zod schemas). Over real sockets
 * the same contract is checked by the bot tests (mirror == server view after minutes of play).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StateMirror, sectionSpecs } from 'chartroom/sync/state';
import { sections } from '../../examples/space-trader/messages.js';
import type { Entity, WorldEvent } from '../../examples/space-trader/messages.js';
import { traderSync } from '../../examples/space-trader/room.js';
import type { SpaceWorld } from '../../examples/space-trader/world.js';
import { createFakeHost, runChart } from '../sync-state/fake-host.js';

const SEATS = ['p1', 'p2', 'p3'] as const;
const STATIONS = ['earth-orbit-station', 'mars-orbit-station', 'nowhere'];
const GOODS = ['food', 'ore', 'medicine', 'unobtainium'];

const seat = fc.constantFrom(...SEATS);
const action = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('input' as const),
      seat,
      thrust: fc.double({ min: -2, max: 3, noNaN: true }),
      turn: fc.double({ min: -3, max: 3, noNaN: true }),
      fire: fc.boolean(),
      dock: fc.boolean(),
    }),
  },
  {
    weight: 6,
    arbitrary: fc.record({ kind: fc.constant('ticks' as const), n: fc.integer({ min: 1, max: 12 }) }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('trade' as const),
      seat,
      side: fc.constantFrom('buy', 'sell'),
      station: fc.constantFrom(...STATIONS),
      good: fc.constantFrom(...GOODS),
      quantity: fc.integer({ min: -2, max: 30 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('repair' as const),
      seat,
      station: fc.constantFrom(...STATIONS),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('drop' as const), seat }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('reconnect' as const), seat }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('slow' as const), seat, on: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('resync' as const), seat }) },
);

const wire = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/**
 * What a client holds of its view's sections after a snapshot or a delta (the model's
 * contract): a snapshot carries the sections marked `snapshot` (not `you_zone_context`, as in
 * seed 002), a delta every section except the static `zones`, which stay as last snapshotted.
 */
function expectedSections(
  view: Record<string, unknown>,
  last: 'snapshot' | 'delta',
  snapshotted: Record<string, unknown>,
) {
  const held: Record<string, unknown> = {};
  for (const spec of sectionSpecs(sections)) {
    if (spec.delta === 'snapshot') {
      if (snapshotted[spec.name] !== undefined) held[spec.name] = snapshotted[spec.name];
    } else if ((last === 'delta' || spec.snapshot) && view[spec.name] !== undefined) {
      held[spec.name] = view[spec.name];
    }
  }
  return held;
}

describe('snapshot/delta sync of the space trader', () => {
  it('keeps every client’s mirror equal to the server’s view for it, whatever the inputs, drops and slow links', () => {
    fc.assert(
      fc.property(
        fc.array(action, { minLength: 10, maxLength: 80, size: 'max' }),
        fc.integer({ min: 1, max: 1000 }),
        (actions, seed) => {
          const host = createFakeHost({ seed, config: { pirates: 3, startCredits: 400, cargoCapacity: 20 } });
          const engine = traderSync.create(host);
          const world = engine.world() as unknown as SpaceWorld;
          const chart = runChart(host, engine.logic);
          const schemas = traderSync.messages.server;
          const mirrors = new Map<string, StateMirror<Entity, typeof sections, WorldEvent>>();
          const slow = new Set<string>();
          const last = new Map<string, { kind: 'snapshot' | 'delta'; snapshot: Record<string, unknown> }>();
          let seq = 0;
          for (const id of SEATS) {
            host.seat(id);
            engine.joinedPayload?.(id, 'player');
            engine.attached?.(id, 'player');
            mirrors.set(id, new StateMirror());
          }

          /** Deliver what the server sent each seat; check it against the model's schemas first. */
          const deliver = () => {
            for (const id of SEATS) {
              const mirror = mirrors.get(id)!;
              for (const output of host.take(id)) {
                if (output.kind !== 'game') continue;
                if (output.type === 'world.snapshot') {
                  expect(schemas['world.snapshot'].safeParse(output.payload).success).toBe(true);
                  mirror.applySnapshot(output.payload as never);
                  last.set(id, { kind: 'snapshot', snapshot: output.payload as Record<string, unknown> });
                } else if (output.type === 'world.delta') {
                  expect(schemas['world.delta'].safeParse(output.payload).success).toBe(true);
                  expect(mirror.applyDelta(output.payload as never)).toBeDefined();
                  last.get(id)!.kind = 'delta';
                }
              }
            }
          };

          /** The invariant: a connected client on a healthy link holds exactly its server view. */
          const check = () => {
            for (const id of SEATS) {
              const seatView = host.seats().find((s) => s.seatId === id)!;
              if (!seatView.connected || slow.has(id)) continue;
              const mirror = mirrors.get(id)!;
              const view = wire(world.view(id, 'player'));
              expect(mirror.synced).toBe(true);
              expect(mirror.tick).toBe(engine.tick);
              expect(Object.fromEntries(mirror.entities)).toEqual(
                Object.fromEntries([...view.entities].map((e) => [e.id, e])),
              );
              const { kind, snapshot } = last.get(id)!;
              expect(mirror.sections).toEqual(expectedSections(view.sections ?? {}, kind, snapshot));
            }
          };

          for (const a of actions) {
            switch (a.kind) {
              case 'input':
                engine.receive(
                  a.seat,
                  'player',
                  'input.command',
                  { thrust: a.thrust, turn: a.turn, fire_primary: a.fire, dock_request: a.dock },
                  ++seq,
                );
                break;
              case 'trade':
                engine.receive(
                  a.seat,
                  'player',
                  `trade.${a.side}`,
                  { station_id: a.station, commodity_id: a.good, quantity: a.quantity },
                  ++seq,
                );
                break;
              case 'repair':
                engine.receive(a.seat, 'player', 'ship.repair_request', { station_id: a.station }, ++seq);
                break;
              case 'drop':
                host.seat(a.seat, { connected: false });
                chart.send({ type: 'room.playerDisconnected', seatId: a.seat });
                mirrors.get(a.seat)!.reset();
                break;
              case 'reconnect':
                if (host.seats().find((s) => s.seatId === a.seat)?.connected) break;
                host.seat(a.seat, { connected: true });
                engine.joinedPayload?.(a.seat, 'player');
                engine.attached?.(a.seat, 'player');
                break;
              case 'slow':
                host.buffered.set(a.seat, a.on ? 10 * 1024 * 1024 : 0);
                if (a.on) slow.add(a.seat);
                else slow.delete(a.seat);
                break;
              case 'resync':
                engine.receive(a.seat, 'player', 'world.resync', {}, ++seq);
                break;
              case 'ticks':
                for (let i = 0; i < a.n; i++) {
                  host.clock.advance(traderSync.tickMs);
                  deliver();
                  check();
                }
                break;
            }
          }
          chart.stop();
          engine.dispose();
        },
      ),
      {
        numRuns: 40,
        // Every path of the contract at least once, whatever the random runs draw.
        examples: [
          [
            [
              { kind: 'input', seat: 'p1', thrust: 1, turn: 0.3, fire: true, dock: false },
              { kind: 'ticks', n: 5 },
              { kind: 'drop', seat: 'p1' },
              { kind: 'ticks', n: 4 },
              { kind: 'reconnect', seat: 'p1' },
              { kind: 'ticks', n: 3 },
              { kind: 'slow', seat: 'p2', on: true },
              { kind: 'ticks', n: 6 },
              { kind: 'slow', seat: 'p2', on: false },
              { kind: 'ticks', n: 2 },
              { kind: 'input', seat: 'p3', thrust: 0, turn: 0, fire: false, dock: true },
              { kind: 'ticks', n: 2 },
              {
                kind: 'trade',
                seat: 'p3',
                side: 'buy',
                station: 'earth-orbit-station',
                good: 'food',
                quantity: 5,
              },
              { kind: 'resync', seat: 'p3' },
              { kind: 'ticks', n: 70 },
            ],
            42,
          ],
        ],
      },
    );
  });
});
