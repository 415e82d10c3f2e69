/**
 * Divergence detection (seed 004: "gamestate hash divergence halts game progress"): clients
 * whose engine disagrees from turn t on halt the room at turn t, and the halt names them.
 *
 * The world is the simulated one of support/sim.ts (real server runtime, simulated clock).
 * Links here keep each client's order (a constant delay per client, different between
 * clients), as a WebSocket does: with per-client order, turn t's reports are all in before
 * turn t+1's, so the first disagreeing turn is the one reported.
 */
import fc from 'fast-check';
import type { RoomContext } from 'chartroom/machines';
import type { Divergence } from 'chartroom/sync/lockstep';
import { describe, expect, it } from 'vitest';
import { createArenaEngine } from '../../examples/lockstep-arena/engine.js';
import { perturbedEngine } from './support/engines.js';
import { simulatedWorlds } from './support/sim.js';
import type { SimClient } from './support/sim.js';

/**
 * Who the server must name without an authority, worked out independently: group the reports
 * of turn t by checksum; everyone outside a strict largest group (everyone when there is none).
 */
function expectedDiverged(reports: ReadonlyMap<string, string>): string[] {
  const groups = new Map<string, string[]>();
  for (const [seat, sum] of reports) groups.set(sum, [...(groups.get(sum) ?? []), seat]);
  const sizes = [...groups.values()].map((g) => g.length).sort((a, b) => b - a);
  const majority =
    (sizes[0] ?? 0) > (sizes[1] ?? 0)
      ? [...groups.entries()].find(([, seats]) => seats.length === sizes[0])?.[0]
      : undefined;
  return [...reports.entries()]
    .filter(([, sum]) => sum !== majority)
    .map(([seat]) => seat)
    .sort();
}

const scenarioArb = fc
  .record({
    players: fc.integer({ min: 2, max: 5 }),
    turn: fc.integer({ min: 0, max: 12 }),
    inputDelayTurns: fc.integer({ min: 1, max: 3 }),
    /** Perturbed engines agree with each other ('same') or each has its own state ('distinct'). */
    mode: fc.constantFrom('same' as const, 'distinct' as const),
    authority: fc.boolean(),
    delays: fc.array(fc.integer({ min: 0, max: 80 }), { minLength: 5, maxLength: 5 }),
    perturbedMask: fc.array(fc.boolean(), { minLength: 5, maxLength: 5 }),
  })
  .map((s) => {
    const perturbed = s.perturbedMask.slice(0, s.players);
    if (!perturbed.includes(true)) perturbed[s.turn % s.players] = true;
    return { ...s, perturbed };
  });

describe('divergence injected at turn t', () => {
  const worlds = simulatedWorlds();

  it('halts the room at turn t, broadcasts ls.halt, issues no further master and names the perturbed players', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, async (s) => {
        const world = await worlds.open({
          seed: 11,
          lockstep: {
            inputDelayTurns: s.inputDelayTurns,
            timing: { baseTurnMs: 40 },
            ...(s.authority ? { authority: () => createArenaEngine() } : {}),
          },
        });
        const players: SimClient[] = [];
        for (let i = 0; i < s.players; i++) {
          const delay = s.delays[i] ?? 1;
          const tag = s.mode === 'same' ? '!' : `!${i}`;
          players.push(
            await world.join(`p${i}`, {
              faults: { seed: i, lossPct: 0, dupPct: 0, minDelayMs: delay, maxDelayMs: delay },
              ...(s.perturbed[i] ? { engine: perturbedEngine(s.turn, tag) } : {}),
            }),
          );
        }
        const viewer = await world.join('v', { role: 'viewer' });
        await world.start();
        if (!s.authority && s.mode === 'same' && s.perturbed.every(Boolean)) {
          // Every client agrees on the same (wrong) state: without an authority, agreement is all
          // the server can check, so the game goes on.
          for (let i = 0; i < 100 && world.engine.turn < s.turn + 20; i++) await world.run(100);
          expect(world.engine.turn).toBeGreaterThanOrEqual(s.turn + 20);
          expect(world.phase()).toBe('running.iterating');
          return;
        }
        // Turns lengthen with the links' latency (adaptive timing): run until the halt, bounded.
        for (let i = 0; i < 100 && !world.phase().startsWith('halted'); i++) await world.run(100);

        expect(world.phase()).toBe('halted.divergence');
        const halt = (world.room.actor.getSnapshot().context as RoomContext).halt;
        expect(halt?.cause).toBe('divergence');
        const divergence = halt?.detail as Divergence;
        expect(divergence.turn).toBe(s.turn);
        // No master after the halt (at most the input delay's worth after turn t were out);
        // what was out still lands.
        const issued = world.engine.turn;
        expect(issued).toBeLessThanOrEqual(s.turn + s.inputDelayTurns);
        await world.run(1000);
        expect(world.engine.turn).toBe(issued);
        expect(world.phase()).toBe('halted.divergence');

        // What each player reported for turn t (the checksum after applying it).
        const reports = new Map(players.map((p) => [p.seatId, p.checksums[s.turn] as string]));
        const honest = players.find((_, i) => !s.perturbed[i]);
        const perturbedSeats = players.filter((_, i) => s.perturbed[i]).map((p) => p.seatId);
        if (s.authority) {
          // The server's checksum decides; it halts at the first report off it, so it names
          // perturbed players only (at least the first one heard).
          expect(divergence.diverged.length).toBeGreaterThan(0);
          for (const seat of divergence.diverged) expect(perturbedSeats).toContain(seat);
          const authorityChecksum = world.engine.exportLog().masters[s.turn]?.checksum;
          expect(authorityChecksum).toBeDefined();
          if (honest) expect(authorityChecksum).toBe(honest.checksums[s.turn]);
        } else {
          expect(divergence.diverged).toEqual(expectedDiverged(reports));
          expect(divergence.groups.flatMap((g) => g.seats).sort()).toEqual([...reports.keys()].sort());
          if (players.length - perturbedSeats.length > (s.mode === 'same' ? perturbedSeats.length : 1)) {
            // A strict honest majority: exactly the perturbed players are named.
            expect(divergence.diverged).toEqual([...perturbedSeats].sort());
          }
        }

        // Every client, viewers included, is told, and applies nothing past the last master.
        for (const client of [...players, viewer]) {
          expect(client.runner.halted, client.name).toEqual(divergence);
          expect(client.runner.turn, client.name).toBe(issued - 1);
        }
      }),
      {
        numRuns: Number(process.env.LOCKSTEP_RUNS ?? 30),
        // Bounded: a failure found late still shrinks for a while, then is reported as found.
        interruptAfterTimeLimit: Number(process.env.LOCKSTEP_TIME_LIMIT_MS ?? 15_000),
      },
    );
  });

  it('keeps running when no client diverges (the same world without a perturbation)', async () => {
    const world = await worlds.open({ seed: 11, lockstep: { timing: { baseTurnMs: 40 } } });
    for (let i = 0; i < 3; i++) await world.join(`p${i}`);
    await world.start();
    await world.run(2000);
    expect(world.phase()).toBe('running.iterating');
    expect(world.engine.turn).toBeGreaterThan(40);
    expect(world.clients.every((c) => c.runner.halted === undefined)).toBe(true);
  });
});
