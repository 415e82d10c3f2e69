import { ErrorCode } from '../../core/errors.js';
import type { Role } from '../../core/messages.js';
import type { ProtocolPeer } from '../../core/protocol.js';
import type { ProtocolIssue } from '../../core/result.js';
import { isErrorCode } from './framework.js';
import type { BingoIdentity } from './messages.js';
import type { BingoIdentify } from './server.js';

/** What the handshake borrows from its session: the peer and the ways to answer and close. */
export interface HandshakeHooks {
  readonly peer: ProtocolPeer;
  readonly identify: BingoIdentify | undefined;
  /** `true` while the session still waits for the handshake to finish (not closed meanwhile). */
  readonly waiting: () => boolean;
  readonly errorReply: (replyTo: number, code: string, message: string) => void;
  readonly shut: (code: ErrorCode, message: string, kick: boolean) => void;
  readonly violation: (issue: ProtocolIssue) => void;
}

/** The handshake of one connection (see `createHandshake`). */
export interface Handshake {
  /** The Identification's message id: refusals of the handshake are Error Replies to it. */
  readonly identificationId: number;
  /** Map an Identification onto `resume`, or `authenticate` (then `join` on `authOk`). */
  start(id: number, identity: BingoIdentity): void;
  /** The credentials were accepted: join the room the ticket names. */
  authenticated(): void;
}

/**
 * The Bingo handshake on Chartroom's connection chart (docs/protocols/bingo.md "Handshake"):
 *
 * - `{resume}` -> `resume` intent; the chart takes the seat back and the session sends Ready.
 * - `{token, room}` -> `authenticate`, then `join(room)` once the chart says `authOk`.
 * - `{login, username}` alone -> the `identify` hook makes a ticket, then as above.
 *
 * Ready itself is sent by the session on the `joined` output.
 */
export function createHandshake(hooks: HandshakeHooks): Handshake {
  const { peer } = hooks;
  let identificationId = 0;
  let join: { roomId: string; role?: Role } | undefined;

  const refuse = (code: ErrorCode, message: string) => {
    hooks.errorReply(identificationId, code, message);
    hooks.shut(code, message, true);
  };

  return {
    get identificationId() {
      return identificationId;
    },
    start(id, identity) {
      identificationId = id;
      const role = identity.role ? { role: identity.role } : {};
      if (identity.resume !== undefined)
        return peer.dispatch({ kind: 'resume', resumeToken: identity.resume });
      if (identity.token !== undefined) {
        if (identity.room === undefined) {
          return hooks.violation({
            code: ErrorCode.PROTOCOL_INVALID_MESSAGE,
            message: `Identification (message id ${id}) has a token but no room: send {"login", "username", "token", "room"} with the room id the ticket is for.`,
            seq: id,
            fatal: true,
          });
        }
        join = { roomId: identity.room, ...role };
        return peer.dispatch({ kind: 'authenticate', token: identity.token });
      }
      const hook = hooks.identify;
      if (!hook) {
        return refuse(
          ErrorCode.AUTH_REQUIRED,
          'Identification without a token: this server has no identify hook. Get a ticket with POST /rooms/:id/join and send {"login", "username", "token", "room"}, or {"resume"} with a Ready token.',
        );
      }
      Promise.resolve()
        .then(() => hook(identity, { connectionId: peer.connectionId, params: peer.params }))
        .then(
          (ticket) => {
            if (!hooks.waiting()) return;
            join = { roomId: ticket.roomId, ...(ticket.role ? { role: ticket.role } : role) };
            peer.dispatch({ kind: 'authenticate', token: ticket.token });
          },
          (error: unknown) => {
            if (!hooks.waiting()) return;
            const raw =
              typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
            const code = typeof raw === 'string' && isErrorCode(raw) ? raw : ErrorCode.AUTH_INVALID_TOKEN;
            refuse(code, error instanceof Error ? error.message : String(error));
          },
        );
    },
    authenticated() {
      const target = join;
      join = undefined;
      if (!target) return;
      peer.dispatch({ kind: 'join', roomId: target.roomId, ...(target.role ? { role: target.role } : {}) });
    },
  };
}
