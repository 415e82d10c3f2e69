/**
 * Scenarios for the model property test: players with faulty links, outages and commands,
 * late viewers, lag policy and timing; `runScenario` plays one in a simulated world.
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import type { ArenaCommand } from '../../../examples/lockstep-arena/engine.js';
import type { LinkFaults, SimClient, World } from './sim.js';

export const CHAOS_MS = 2500;
export const HEAL_MS = 4500;
export const SETTLE_MS = 2000;

const faultsArb: fc.Arbitrary<LinkFaults> = fc
  .record({
    seed: fc.integer(),
    lossPct: fc.integer({ min: 0, max: 30 }),
    dupPct: fc.integer({ min: 0, max: 30 }),
    minDelayMs: fc.integer({ min: 0, max: 60 }),
    spreadMs: fc.integer({ min: 0, max: 200 }),
  })
  .map(({ spreadMs, ...f }) => ({ ...f, maxDelayMs: f.minDelayMs + spreadMs }));

const outageArb = fc
  .record({ at: fc.integer({ min: 0, max: CHAOS_MS - 100 }), duration: fc.integer({ min: 50, max: 1500 }) })
  .map(({ at, duration }) => ({ at, duration: Math.min(duration, CHAOS_MS - at) }));

const playerArb = fc.record({
  faults: faultsArb,
  outages: fc.array(outageArb, { maxLength: 2 }),
  commandTimes: fc.array(fc.integer({ min: 0, max: CHAOS_MS }), { maxLength: 8 }),
});

export const scenarioArb = fc.record({
  players: fc.array(playerArb, { minLength: 2, maxLength: 8 }),
  viewers: fc.array(fc.record({ at: fc.integer({ min: 0, max: CHAOS_MS }), faults: faultsArb }), {
    maxLength: 2,
  }),
  lagPolicy: fc.constantFrom('drop' as const, 'wait' as const),
  lagLimitMs: fc.integer({ min: 200, max: 1500 }),
  inputDelayTurns: fc.integer({ min: 1, max: 3 }),
  baseTurnMs: fc.constantFrom(30, 50, 80),
  /** The server runs the arena engine too, and every master carries its checksum. */
  authority: fc.boolean(),
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
});
export type Scenario = typeof scenarioArb extends fc.Arbitrary<infer T> ? T : never;

/** Each player's commands are unique (x, y) pairs, so a duplicated or lost one shows. */
export const commandFor = (player: number, n: number): ArenaCommand =>
  n % 2 === 0 ? { kind: 'move', x: n * 10 + player, y: player * 100 + n } : { kind: 'fire', x: n, y: player };

/** True when `part` appears in `whole` in the same order (each element used once). */
export function isSubsequence<T>(
  part: readonly T[],
  whole: readonly T[],
  same: (a: T, b: T) => boolean,
): boolean {
  let i = 0;
  for (const item of whole) if (i < part.length && same(part[i] as T, item)) i++;
  return i === part.length;
}

export async function runScenario(world: World, scenario: Scenario): Promise<SimClient[]> {
  const players: SimClient[] = [];
  for (const [i, p] of scenario.players.entries())
    players.push(await world.join(`p${i}`, { faults: p.faults }));
  await world.start();
  expect(world.phase()).toBe('running.iterating');

  const { clock } = world;
  const lateJoins: Promise<SimClient>[] = [];
  scenario.players.forEach((p, i) => {
    const client = players[i] as SimClient;
    p.commandTimes.forEach((at, n) => clock.setTimeout(() => client.queue(commandFor(i, n)), at));
    for (const outage of p.outages) {
      clock.setTimeout(() => client.disconnect(), outage.at);
      clock.setTimeout(() => client.reconnect(), outage.at + outage.duration);
    }
  });
  scenario.viewers.forEach((v, i) =>
    clock.setTimeout(() => lateJoins.push(world.join(`v${i}`, { role: 'viewer', faults: v.faults })), v.at),
  );

  await world.run(CHAOS_MS + 10);
  const viewers = await Promise.all(lateJoins);
  for (const client of [...players, ...viewers]) client.link.heal();
  await world.run(HEAL_MS);
  // Freeze: a pause request stops the turn cycle; what is in flight lands.
  world.room.send({ type: 'PAUSE', seatId: (players[0] as SimClient).seatId });
  await world.run(SETTLE_MS);
  return [...players, ...viewers];
}
