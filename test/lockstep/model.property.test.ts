/**
 * The lockstep model's central promise, property-tested: whatever the network does, every
 * client applies the same master packets in the same order and ends with the same checksum.
 *
 * Choice of harness (see support/sim.ts): the real server runtime runs in-process on a
 * simulated clock with the memory transport, and the clients are real sessions driving real
 * `LockstepRunner`s. Faults are injected where lockstep meets them, between each runner and its
 * session (a UDP-like link: loss, duplicates, delays and so reordering, all scheduled on the
 * simulated clock), and disconnects drop the client's link so the session's own resume and the
 * runner's ls.start -> ls.sync -> ls.catchup bring it back. So every piece that decides what a
 * client applies (room chart, lockstep chart, engine, fast path, JSON envelope, session,
 * runner) is the production code; only the network is simulated. A fake SyncHost would have
 * tested the engine against our idea of the runtime rather than the runtime itself.
 *
 * Each run: chaos (faults, outages, commands, late viewers), then the network heals, then the
 * room is paused so no further master is issued, and the world settles. Bounded: at most
 * 8 players + 2 viewers, 2.5 s of chaos, 9 s of simulated time in 5 ms steps.
 *
 * Deeper runs: LOCKSTEP_RUNS=400 LOCKSTEP_TIME_LIMIT_MS=900000 npx vitest run
 * test/lockstep/model.property.test.ts --testTimeout 900000
 */
import fc from 'fast-check';
import { replay } from 'chartroom/sync/lockstep';
import { describe, expect, it } from 'vitest';
import { createArenaEngine } from '../../examples/lockstep-arena/engine.js';
import type { ArenaCommand } from '../../examples/lockstep-arena/engine.js';
import { isSubsequence, runScenario, scenarioArb } from './support/scenario.js';
import { simulatedWorlds } from './support/sim.js';
import type { SimClient } from './support/sim.js';

describe('lockstep over a lossy, duplicating, reordering network with disconnects', () => {
  const worlds = simulatedWorlds();

  it('every client applies the server log master by master and reaches the replay checksum', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, async (scenario) => {
        const world = await worlds.open({
          seed: scenario.seed,
          lockstep: {
            inputDelayTurns: scenario.inputDelayTurns,
            timing: { baseTurnMs: scenario.baseTurnMs },
            lagPolicy: scenario.lagPolicy,
            lagLimitMs: scenario.lagLimitMs,
            ...(scenario.authority ? { authority: () => createArenaEngine() } : {}),
          },
        });
        const clients = await runScenario(world, scenario);

        // Liveness after healing: the room stopped only because of the pause request.
        expect(world.phase()).toBe('running.paused.requested');
        const log = world.engine.exportLog();
        const masters = log.masters;
        expect(masters.length).toBeGreaterThan(10);
        expect(masters.map((m) => m.turn)).toEqual(masters.map((_, i) => i));

        const final = createArenaEngine();
        const replayed = replay(log, final);
        expect(replayed.divergedAt).toBeUndefined();
        expect(replayed.turns).toBe(masters.length);

        const reference = clients[0] as SimClient;
        for (const client of clients) {
          // Same masters, same order, none skipped or applied twice.
          expect(client.applied, client.name).toEqual(masters);
          expect(client.runner.turn).toBe(masters.length - 1);
          expect(client.checksums, client.name).toEqual(reference.checksums);
          expect(client.runner.checksum(), client.name).toBe(replayed.checksum);
          expect(client.runner.halted).toBeUndefined();
        }
        // The clients' checksums were compared server-side too: what they agreed on is logged.
        expect(log.checksums.length).toBeGreaterThanOrEqual(masters.length / 2);
        for (const [turn, checksum] of log.checksums) expect(reference.checksums[turn]).toBe(checksum);

        // Commands: never doubled nor reordered; with the wait policy none is lost either.
        scenario.players.forEach((_, i) => {
          const client = clients[i] as SimClient;
          const executed = masters.flatMap(
            (m) => m.commands.find((c) => c.seat === client.seatId)?.commands ?? [],
          );
          const same = (a: ArenaCommand, b: ArenaCommand) => JSON.stringify(a) === JSON.stringify(b);
          if (scenario.lagPolicy === 'wait') expect(executed).toEqual(client.queued);
          else expect(isSubsequence(executed, client.queued, same)).toBe(true);
        });
      }),
      {
        numRuns: Number(process.env.LOCKSTEP_RUNS ?? 25),
        // Bounded: a failure found late still shrinks for a while, then is reported as found.
        interruptAfterTimeLimit: Number(process.env.LOCKSTEP_TIME_LIMIT_MS ?? 15_000),
      },
    );
  });
});
