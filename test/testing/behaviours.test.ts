import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arbitrariesFor, clientBehaviours, createTestServer, playBehaviours } from 'chartroom/testing';
import { messages, tapRace } from '../../examples/tap-race/room.js';

describe('client behaviours on a tap race', () => {
  it('joins, leaves, drops, reconnects and garbage never fault the room or lose a seated client', async () => {
    await fc.assert(
      fc.asyncProperty(
        clientBehaviours({
          clients: 3,
          gameMessage: fc.constant({ type: 'tap', payload: {} }),
          garbage: arbitrariesFor('json-envelope').garbageFrame(),
          maxWaitMs: 20,
          maxLength: 12,
        }),
        async (script) => {
          const t = await createTestServer({ roomTypes: [tapRace] });
          try {
            const room = await t.createRoom('tap-race');
            const { sessions } = await playBehaviours(t, room.roomId, script, { messages });
            await t.settle(3);
            expect(t.logs.filter((e) => e.level === 'error')).toEqual([]);
            const seats = room.view().seats;
            expect(seats.filter((s) => s.role === 'player').length).toBeLessThanOrEqual(4);
            for (const session of sessions.values()) {
              if (session.status === 'connected')
                expect(seats.map((s) => s.seatId)).toContain(session.seatId);
            }
          } finally {
            await t.close();
          }
        },
      ),
      { numRuns: 25 },
    );
  });
});
