/**
 * Types flow from the zod schemas to the server (game machine events, gameActions) and the
 * client (session.send / session.on): a wrong message type or payload is a compile error.
 * `npx tsc --noEmit -p .` checks every `@ts-expect-error` below is needed (an unused one is
 * itself an error); test/types/compile.test.ts runs that check inside the suite.
 */
import { describe, expectTypeOf, it } from 'vitest';
import { defineMessages, gameActions } from 'chartroom';
import type { ClientPayload, GameEvent, ServerPayload } from 'chartroom';
import type { RoomSession } from 'chartroom/client';
import { setup } from 'xstate';
import { z } from 'zod';

const messages = defineMessages({
  client: { move: z.object({ x: z.number(), y: z.number() }), chat: z.object({ text: z.string() }) },
  server: { moved: z.object({ seatId: z.string(), x: z.number() }) },
});
type M = typeof messages;

describe('message types on the server', () => {
  it('types each game event from the client schemas, with the sender seat', () => {
    type Move = Extract<GameEvent<M>, { type: 'move' }>;
    expectTypeOf<Move['payload']>().toEqualTypeOf<{ x: number; y: number }>();
    expectTypeOf<Move['seatId']>().toEqualTypeOf<string>();
    expectTypeOf<ClientPayload<M, 'chat'>>().toEqualTypeOf<{ text: string }>();
    expectTypeOf<Exclude<GameEvent<M>['type'], `room.${string}`>>().toEqualTypeOf<'move' | 'chat'>();
  });

  it('refuses a wrong message type or payload in gameActions and game machines', () => {
    const { broadcast, sendToSeat } = gameActions(messages);
    broadcast('moved', { seatId: 'p1', x: 1 });
    // @ts-expect-error an unknown server message type
    broadcast('teleported', { seatId: 'p1', x: 1 });
    // @ts-expect-error a payload field of the wrong type
    broadcast('moved', { seatId: 'p1', x: 'one' });
    // @ts-expect-error a missing payload field
    sendToSeat('p1', 'moved', { x: 1 });
    setup({ types: { events: {} as GameEvent<M> } }).createMachine({
      on: {
        move: { actions: ({ event }) => expectTypeOf(event.payload.x).toEqualTypeOf<number>() },
        // @ts-expect-error the payload of `chat` has no `x`
        chat: { actions: ({ event }) => event.payload.x },
      },
    });
  });
});

describe('message types on the client', () => {
  it('types session.send and session.on from the schemas', () => {
    expectTypeOf<ServerPayload<M, 'moved'>>().toEqualTypeOf<{ seatId: string; x: number }>();
    const check = (session: RoomSession<M>) => {
      session.send('move', { x: 1, y: 2 });
      // @ts-expect-error an unknown client message type
      session.send('jump', {});
      // @ts-expect-error a payload of the wrong shape
      session.send('move', { x: 1 });
      // @ts-expect-error a payload field of the wrong type
      session.send('chat', { text: 3 });
      session.on('moved', (payload) => expectTypeOf(payload).toEqualTypeOf<{ seatId: string; x: number }>());
      // @ts-expect-error an unknown server message type
      session.on('teleported', () => undefined);
    };
    expectTypeOf(check).parameter(0).toEqualTypeOf<RoomSession<M>>();
  });
});
