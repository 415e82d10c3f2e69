import { z } from 'zod';

/** Limits of the lockstep wire messages, with their defaults. */
export interface LockstepLimits {
  /** Commands one player may send in one turn. Default 32. */
  readonly maxCommandsPerPacket: number;
  /** Masters per catch-up message. Default 64. */
  readonly catchupChunk: number;
}

export const defaultLockstepLimits: LockstepLimits = { maxCommandsPerPacket: 32, catchupChunk: 64 };

const turn = z
  .number()
  .int()
  .min(0)
  .max(2 ** 31);
const checksum = z.string().min(1).max(128);
const seat = z.string().min(1).max(32);

/**
 * The lockstep messages (types `ls.*`) around the game's own command schema. They travel in
 * any protocol; over the JSON envelope they are ordinary game messages.
 */
export function lockstepMessages<C extends z.ZodType>(
  command: C,
  limits: LockstepLimits = defaultLockstepLimits,
) {
  const seatCommands = z.object({ seat, commands: z.array(command).max(limits.maxCommandsPerPacket) });
  const master = z.object({
    turn,
    commands: z.array(seatCommands),
    turn_ms: z.number().int().min(1).max(60_000),
    iterations: z.number().int().min(1).max(1024),
    checksum: checksum.optional(),
  });
  return {
    client: {
      /** A command packet: this player's commands for `turn`, timing data and an earlier checksum. */
      'ls.cmd': z.object({
        turn,
        commands: z.array(command).max(limits.maxCommandsPerPacket),
        /** Round-trip time to the server, ms (measured with ls.ping). */
        latency_ms: z.number().min(0).max(60_000),
        /** Frames the client renders per second. */
        fps: z.number().min(0).max(1000),
        /** Checksum of the client's state after an earlier turn. */
        checksum: z.object({ turn, value: checksum }).optional(),
        /** Highest master turn received in order (-1: none). */
        ack: z
          .number()
          .int()
          .min(-1)
          .max(2 ** 31),
      }),
      /**
       * After a (re)connect: the last turn this client applied (-1: none); the server catches it
       * up. With `start`, the client has not seen the match start: the server answers with
       * ls.start instead (a runner created after its session was handed over, which can be
       * after the server's greeting arrived).
       */
      'ls.sync': z.object({
        have: z
          .number()
          .int()
          .min(-1)
          .max(2 ** 31),
        start: z.boolean().optional(),
      }),
      /** Acknowledge masters without sending commands (viewers). */
      'ls.ack': z.object({
        turn: z
          .number()
          .int()
          .min(-1)
          .max(2 ** 31),
      }),
      'ls.ping': z.object({ t: z.number() }),
    },
    server: {
      /** The match: seed, setup configuration, players and timing. Sent when running starts and on every attach. */
      'ls.start': z.object({
        seed: z.number(),
        config: z.unknown(),
        players: z.array(seat),
        input_delay: z.number().int().min(0),
        turn_ms: z.number().int().min(1),
        iterations: z.number().int().min(1),
        /** The next turn the server will issue. */
        turn,
      }),
      'ls.master': master,
      /** Masters the client missed, in order. */
      'ls.catchup': z.object({ masters: z.array(master) }),
      /** Who holds the game up (empty when caught up). */
      'ls.lag': z.object({ turn, waiting_for: z.array(seat) }),
      /** Players dropped for lagging; their turns are empty until they come back. */
      'ls.dropped': z.object({ turn, seats: z.array(seat) }),
      /** Checksums disagree: no further turn is issued. */
      'ls.halt': z.object({
        turn,
        groups: z.array(z.object({ checksum, seats: z.array(seat) })),
        diverged: z.array(seat),
      }),
      'ls.pong': z.object({ t: z.number() }),
    },
  } as const;
}

export type LockstepMessages<C extends z.ZodType> = ReturnType<typeof lockstepMessages<C>>;
