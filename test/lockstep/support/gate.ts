/**
 * A pass-through between a runner and its session that can hold the runner's command packets
 * back: the player "stops sending" while still receiving, as a stalled or throttled client
 * would. Held packets are dropped; the runner re-sends what is still unacknowledged once open.
 */
import type { LockstepSessionLike, RoomSession } from 'chartroom/client';

export class GatedSession implements LockstepSessionLike {
  /** While true, ls.cmd does not leave. */
  holding = false;
  /** Every ls.cmd the runner tried to send, with whether it left. */
  readonly packets: { turn: number; commands: unknown[]; sent: boolean }[] = [];
  #session: RoomSession;

  constructor(session: RoomSession) {
    this.#session = session;
  }

  get role(): 'player' | 'viewer' {
    return this.#session.role;
  }

  send(type: string, payload: unknown): void {
    if (type === 'ls.cmd') {
      const { turn, commands } = payload as { turn: number; commands: unknown[] };
      this.packets.push({ turn, commands, sent: !this.holding });
      if (this.holding) return;
    }
    this.#session.send(type as never, payload as never);
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- LockstepSessionLike's handler type
  on(type: string, handler: (payload: any) => void): () => void {
    return this.#session.on(type as never, handler as never);
  }
}
