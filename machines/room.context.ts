import type { HaltCause, RoomEvent, RoomOptions, Role, Seat } from './room.events.js';

/**
 * The room chart's context, its actors' inputs, and the pure helpers its guards and actions
 * share (kept apart from the chart definition so room.machine.ts stays the chart itself).
 */
export interface RoomContext {
  readonly roomId: string;
  readonly type: string;
  readonly seed: number;
  readonly options: RoomOptions;
  readonly config: unknown;
  readonly configVersion: number;
  readonly seats: Readonly<Record<string, Seat>>;
  /** Next seat number; seat ids are `p<n>` for players and `v<n>` for viewers, never reused. */
  readonly nextSeat: number;
  readonly halt: { readonly cause: HaltCause; readonly detail: unknown } | undefined;
  readonly result: unknown;
  /** The room type's setup flow: none, still running (the game cannot start yet), or done. */
  readonly setupFlow: 'none' | 'active' | 'done';
}

/**
 * What a room type's setup flow receives as input when the room is created (players arrive
 * later, as `room.playerJoined` notifications).
 */
export interface SetupFlowInput {
  readonly roomId: string;
  readonly seed: number;
  readonly config: unknown;
}

/** What the game author's machine receives as input when `running` starts. */
export interface GameInput {
  readonly roomId: string;
  readonly seed: number;
  readonly config: unknown;
  readonly players: readonly { readonly seatId: string; readonly userId: string; readonly name: string }[];
}

export type JoinEvent = Extract<RoomEvent, { type: 'JOIN' }>;

/** The protocol-neutral name of what a refusal answers: an intent kind, or a game message's type. */
export function refOf(event: RoomEvent): string {
  switch (event.type) {
    case 'GAME_MESSAGE':
      return event.message.type;
    case 'READY':
      return 'ready';
    case 'SETUP_COMMAND':
      return 'setup';
    case 'PAUSE':
    case 'RESUME':
      return 'pause';
    default:
      return event.type.toLowerCase();
  }
}

export const seatOf = (context: RoomContext, event: RoomEvent): Seat | undefined =>
  'seatId' in event && typeof event.seatId === 'string' ? context.seats[event.seatId] : undefined;

export const activePlayers = (context: RoomContext): Seat[] =>
  Object.values(context.seats).filter((seat) => seat.role === 'player' && !seat.left);

export const countRole = (context: RoomContext, role: Role): number =>
  Object.values(context.seats).filter((seat) => seat.role === role && !seat.left).length;

export const seatOfUser = (context: RoomContext, userId: string): Seat | undefined =>
  Object.values(context.seats).find((seat) => seat.userId === userId && !seat.left);

export const withSeat = (context: RoomContext, seatId: string, patch: Partial<Seat>) => {
  const seat = context.seats[seatId];
  return seat ? { ...context.seats, [seatId]: { ...seat, ...patch } } : context.seats;
};
