import { sendTo } from 'xstate';
import type { ActionArgs, AnyActorRef, EventObject, MachineContext } from 'xstate';
import type { GameOutputEvent } from '../../machines/room.events.js';
import type { z } from 'zod';
import type { GameEvent, RoomMessages } from './room-type.js';

/** What a payload function sees: the game machine's context and the event being handled. */
type Args<TContext extends MachineContext, TEvent extends EventObject> = {
  readonly context: TContext;
  readonly event: TEvent;
};

/**
 * Send a game output to the room (the parent actor). Without a parent (a game run on its own,
 * or walked by @xstate/graph) it goes to the game itself, which ignores it.
 */
function toRoom<TContext extends MachineContext, TEvent extends EventObject>(
  make: (args: ActionArgs<TContext, TEvent, TEvent>) => GameOutputEvent | EventObject,
) {
  return sendTo<TContext, TEvent, undefined, AnyActorRef, TEvent>(
    ({ self }) => self._parent ?? self,
    (args: ActionArgs<TContext, TEvent, TEvent>) => make(args),
  );
}

/**
 * Action creators for a game author's machine, typed from the room's server messages: the
 * room relays them to its players (encoded once per protocol for a broadcast).
 *
 * @example
 * const { broadcast, endGame } = gameActions(messages);
 * // in a machine built with setup({ types: { context: {} as Ctx, events: {} as GameEvent<typeof messages> } }):
 * entry: broadcast('score', ({ context }: { context: Ctx }) => ({ scores: context.scores })),
 */
export function gameActions<M extends RoomMessages, TExtraEvent extends EventObject = never>(_messages: M) {
  type Server = M['server'];
  type TEvent = GameEvent<M> | TExtraEvent;
  type Payload<K extends keyof Server> = z.input<Server[K]>;

  return {
    /** Send a server message to every seat in the room. */
    broadcast<K extends keyof Server & string, TContext extends MachineContext>(
      type: K,
      payload: Payload<K> | ((args: Args<TContext, TEvent>) => Payload<K>),
    ) {
      return toRoom<TContext, TEvent>((args) => ({
        type: 'game.broadcast',
        message: {
          type,
          payload: typeof payload === 'function' ? (payload as (a: typeof args) => unknown)(args) : payload,
        },
      }));
    },
    /** Send a server message to one seat. */
    sendToSeat<K extends keyof Server & string, TContext extends MachineContext>(
      seatId: string | ((args: Args<TContext, TEvent>) => string),
      type: K,
      payload: Payload<K> | ((args: Args<TContext, TEvent>) => Payload<K>),
    ) {
      return toRoom<TContext, TEvent>((args) => ({
        type: 'game.send',
        seatId: typeof seatId === 'function' ? seatId(args as Args<TContext, TEvent>) : seatId,
        message: {
          type,
          payload: typeof payload === 'function' ? (payload as (a: typeof args) => unknown)(args) : payload,
        },
      }));
    },
    /**
     * Answer the client request being handled (an event with `seatId` and `requestId`); a no-op
     * for messages sent without one.
     */
    reply<K extends keyof Server & string, TContext extends MachineContext>(
      type: K,
      payload: Payload<K> | ((args: Args<TContext, TEvent>) => Payload<K>),
    ) {
      return toRoom<TContext, TEvent>((args) => {
        const { seatId, requestId } = args.event as { seatId?: string; requestId?: number };
        return {
          type: requestId === undefined ? 'game.send' : 'game.reply',
          seatId: seatId ?? '',
          requestId,
          message: {
            type,
            payload: typeof payload === 'function' ? (payload as (a: typeof args) => unknown)(args) : payload,
          },
        };
      });
    },
    /** Refuse the client request being handled, with the game's own code and message. */
    replyError<TContext extends MachineContext>(
      code: string,
      message: string | ((args: Args<TContext, TEvent>) => string),
    ) {
      return toRoom<TContext, TEvent>((args) => {
        const { seatId, requestId } = args.event as { seatId?: string; requestId?: number };
        return {
          type: 'game.replyError',
          seatId: seatId ?? '',
          requestId: requestId ?? -1,
          code,
          message: typeof message === 'function' ? message(args as Args<TContext, TEvent>) : message,
        };
      });
    },
    /**
     * From a setup flow: replace the room's configuration (checked against the room type's config
     * schema; readiness resets, as for a setup command). Ignored once the game runs.
     */
    setConfig<TContext extends MachineContext>(config: (args: Args<TContext, TEvent>) => unknown) {
      return toRoom<TContext, TEvent>((args) => ({
        type: 'game.config',
        config: config(args as Args<TContext, TEvent>),
      }));
    },
    /** End the match with a result (the room goes to `ended`). Reaching a final state does too. */
    endGame<TContext extends MachineContext>(result: (args: Args<TContext, TEvent>) => unknown) {
      return toRoom<TContext, TEvent>((args) => ({
        type: 'game.end',
        result: result(args as Args<TContext, TEvent>),
      }));
    },
  };
}
