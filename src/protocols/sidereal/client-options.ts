import type { Clock } from '../../core/clock.js';
import type { Role, RoomView } from '../../core/messages.js';
import type { ChannelOptions } from './channel.js';
import type { DatagramConnect } from './datagram.js';
import type { DiffBody, HeartbeatBody, SnapBody } from './messages.js';
import type { KeyframeProgress, MirrorOptions } from './mirror.js';

/** The options and events of `SiderealClient` (./client.ts). Browser-safe. */

/** How to knock: a ticket for a room, a resume token, or bare (the server's `identify` decides). */
export type SiderealKnock =
  | { readonly ticket: string; readonly room: string; readonly role?: Role }
  | { readonly resume: string }
  | { readonly role?: Role };

export interface SiderealClientOptions {
  readonly connect: DatagramConnect;
  /** Default: a bare knock. */
  readonly knock?: SiderealKnock;
  /** Drives retransmissions and the silence check. Default: the system clock. */
  readonly clock?: Clock;
  /** Local unix time, for the clock offset. Default `Date.now`. */
  readonly now?: () => number;
  /** Reliable channel limits. Default `defaultChannelOptions`. */
  readonly channel?: Partial<ChannelOptions>;
  /** Default: at most 1024 objects' diffs waiting for their snaps. */
  readonly mirror?: Partial<MirrorOptions>;
  /** `connect` fails unless `welcome` arrives within this long. Default 10000 ms. */
  readonly welcomeTimeoutMs?: number;
  /** The client closes when the server sends nothing for this long (it heartbeats every second). Default 10000 ms. */
  readonly silenceTimeoutMs?: number;
}

/** A refusal from the server (`error`, `bye`) or a local failure, with a registry code. */
export interface SiderealClientError {
  readonly code: string;
  readonly message: string;
  readonly ref?: string;
}

/** What `SiderealClient.on` can listen to, with each event's value. */
export interface SiderealClientEvents {
  snap: SnapBody;
  diff: DiffBody;
  /** A keyframe became complete (all `total` objects arrived). */
  keyframe: KeyframeProgress;
  heartbeat: HeartbeatBody;
  room: RoomView;
  game: { readonly name: string; readonly payload: unknown };
  error: SiderealClientError;
  /** The client closed; the reason when it was not `close()`. */
  close: SiderealClientError | undefined;
}
