import { z } from 'zod';
import { ErrorCode } from '../../core/errors.js';
import { fail, ok } from '../../core/result.js';
import type { DecodeResult } from '../../core/result.js';
import { defineMessages } from '../../core/room-type.js';
import type { SeigneurPacket } from './codec.js';

const utf8 = new TextEncoder();
const u8 = z.number().int().min(0).max(0xff);
const u16 = z.number().int().min(0).max(0xffff);
const u32 = z.number().int().min(0).max(0xffffffff);

const shoot = z.object({ kind: z.literal('shoot'), angle: u16 });
const ability = z.object({ kind: z.literal('ability'), ability: u8, angle: u16 });

/** A weapon action as the game sees it (`angle` is a binary angle: 65536 = one turn). */
export const weaponActionSchema = z.discriminatedUnion('kind', [
  shoot,
  z.object({ kind: z.literal('damage'), target: u32, amount: u16, hp: u16 }),
  ability,
  z.object({ kind: z.literal('death'), killer: u32 }),
  z.object({ kind: z.literal('respawn'), x: u16, y: u16, hp: u16 }),
]);

/**
 * The game messages a Seigneur room type speaks: the protocol maps packets 0x01..0x05 onto
 * them and back. Use it as the room type's `messages` (or spread it into a larger map; only
 * these types reach Seigneur clients).
 *
 * Client messages carry no player id: the protocol checks the packet's id against the seat
 * and drops it, so a game handler only ever sees the sender's own seat. Clients may only send
 * `shoot` and `ability` actions; damage, deaths and respawns are the server's to decide.
 *
 * @example
 * export const arena = defineRoom({ name: 'arena', messages: seigneurMessages, ... });
 */
export const seigneurMessages = defineMessages({
  client: {
    move: z.object({ tick: u32, x: u16, y: u16, velocity: u16 }),
    weapon: z.object({ tick: u32, action: z.discriminatedUnion('kind', [shoot, ability]) }),
  },
  server: {
    move: z.object({ tick: u32, playerId: u32, x: u16, y: u16, velocity: u16 }),
    join: z.object({
      tick: u32,
      playerId: u32,
      name: z
        .string()
        .min(1)
        .refine((name) => utf8.encode(name).byteLength <= 255, 'at most 255 UTF-8 bytes'),
    }),
    leave: z.object({ tick: u32, playerId: u32 }),
    weapon: z.object({ tick: u32, playerId: u32, action: weaponActionSchema }),
  },
});

export type SeigneurMessages = typeof seigneurMessages;

/**
 * A seat's Seigneur player id: the number in its Chartroom seat id (`p3` -> 3, `v4` -> 4).
 * The room numbers seats from 1 and never reuses a number, so ids are unique in a room.
 */
export function playerIdOf(seatId: string): number | undefined {
  const match = /^[pv]([1-9][0-9]{0,9})$/.exec(seatId);
  const id = match ? Number(match[1]) : Number.NaN;
  return id <= 0xffffffff ? id : undefined;
}

/** The Chartroom seat id of a player id (`3` -> `p3`, or `v3` for a viewer). */
export function seatIdOf(playerId: number, role: 'player' | 'viewer' = 'player'): string {
  return `${role === 'player' ? 'p' : 'v'}${playerId}`;
}

/**
 * A Chartroom room id as a Sanity Check room id: the canonical decimal form of a u32
 * (`"1001"` -> 1001). Other room ids cannot be reached over Seigneur.
 */
export function seigneurRoomId(roomId: string): number | undefined {
  if (!/^(0|[1-9][0-9]{0,9})$/.test(roomId)) return undefined;
  const id = Number(roomId);
  return id <= 0xffffffff ? id : undefined;
}

/** The packet for a server game message (`move`, `join`, `leave`, `weapon`), or an issue. */
export function packetOfServerMessage(type: string, payload: unknown): DecodeResult<SeigneurPacket> {
  const schema = (seigneurMessages.server as Record<string, z.ZodType | undefined>)[type];
  if (!schema) {
    return fail({
      code: ErrorCode.PROTOCOL_UNKNOWN_TYPE,
      message: `Game message "${type}" has no Seigneur packet: expected move, join, leave or weapon.`,
      messageType: type,
    });
  }
  const parsed = schema.safeParse(payload);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return fail({
      code: ErrorCode.PROTOCOL_INVALID_MESSAGE,
      message: `Game message "${type}" does not fit its Seigneur packet: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}.`,
      messageType: type,
    });
  }
  return ok({ type, ...(parsed.data as object) } as SeigneurPacket);
}

/** A server packet as the game message it stands for; undefined for framework packets. */
export function serverMessageOfPacket(
  packet: SeigneurPacket,
): { readonly type: string; readonly payload: unknown } | undefined {
  switch (packet.type) {
    case 'move':
    case 'join':
    case 'leave':
    case 'weapon': {
      const { type, ...payload } = packet;
      return { type, payload };
    }
    default:
      return undefined;
  }
}

/**
 * The packet for a client game message, stamped with the sender's player id, or an issue when
 * Seigneur has no packet for it or a field does not fit.
 */
export function packetOfClientMessage(
  type: string,
  payload: unknown,
  playerId: number,
): DecodeResult<SeigneurPacket> {
  const schema = (seigneurMessages.client as Record<string, z.ZodType | undefined>)[type];
  const parsed = schema?.safeParse(payload);
  if (!schema || !parsed?.success) {
    return fail({
      code: schema ? ErrorCode.PROTOCOL_INVALID_MESSAGE : ErrorCode.PROTOCOL_UNKNOWN_TYPE,
      message: schema
        ? `Cannot send "${type}": ${parsed?.error?.issues[0]?.message ?? 'invalid payload'}.`
        : `Cannot send "${type}" over Seigneur: clients send move or weapon.`,
      messageType: type,
    });
  }
  return ok({ type, playerId, ...(parsed.data as object) } as SeigneurPacket);
}
