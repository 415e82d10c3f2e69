import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { ChartroomError, ErrorCode } from '../core/errors.js';
import type { Clock } from '../core/clock.js';
import type { Role } from '../core/messages.js';

/**
 * Signed session tokens: `base64url(JSON claims) + "." + base64url(HMAC-SHA256)`, keyed by the
 * server secret. Two kinds:
 * - a **ticket** (from `POST /rooms/:id/join`) binds a user id and name to one room;
 * - a **resume token** (sent with every join) binds a user to a room *and seat*, at a seat
 *   generation that the server bumps on every use, so a resume token works exactly once.
 */
export interface TicketClaims {
  readonly kind: 'ticket';
  readonly userId: string;
  readonly name: string;
  readonly roomId: string;
  readonly role?: Role;
  readonly exp: number;
}

export interface ResumeClaims {
  readonly kind: 'resume';
  readonly userId: string;
  readonly name: string;
  readonly roomId: string;
  readonly seatId: string;
  readonly generation: number;
  readonly exp: number;
}

export type TokenClaims = TicketClaims | ResumeClaims;

export interface TokenService {
  sign(claims: TokenClaims): string;
  /** Verify signature, shape, kind and expiry; throws a ChartroomError with an AUTH_ code. */
  verify<K extends TokenClaims['kind']>(token: string, kind: K): Extract<TokenClaims, { kind: K }>;
}

const MAX_TOKEN_LENGTH = 4096;

/** A fresh 32-byte secret, for development servers that were given none. */
export function generateSecret(): string {
  return randomBytes(32).toString('base64url');
}

export function createTokenService(secret: string, clock: Clock): TokenService {
  if (secret.length < 16) {
    throw new ChartroomError(
      ErrorCode.AUTH_INVALID_TOKEN,
      `Token secret too short: expected >= 16 characters, received ${secret.length}. Use generateSecret().`,
    );
  }
  const mac = (body: string) => createHmac('sha256', secret).update(body).digest();

  return {
    sign(claims) {
      const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
      return `${body}.${mac(body).toString('base64url')}`;
    },
    verify(token, kind) {
      const invalid = (why: string) =>
        new ChartroomError(ErrorCode.AUTH_INVALID_TOKEN, `Invalid ${kind} token: ${why}.`);
      if (token.length > MAX_TOKEN_LENGTH) throw invalid(`longer than ${MAX_TOKEN_LENGTH} characters`);
      const dot = token.indexOf('.');
      if (dot <= 0) throw invalid('not of the form <claims>.<signature>');
      const body = token.slice(0, dot);
      const signature = Buffer.from(token.slice(dot + 1), 'base64url');
      const expected = mac(body);
      if (signature.length !== expected.length || !timingSafeEqual(signature, expected)) {
        throw invalid('signature does not match (tampered, or signed by another server secret)');
      }
      let claims: unknown;
      try {
        claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
      } catch (cause) {
        throw new ChartroomError(ErrorCode.AUTH_INVALID_TOKEN, `Invalid ${kind} token: unreadable claims.`, {
          cause,
        });
      }
      if (typeof claims !== 'object' || claims === null || (claims as { kind?: unknown }).kind !== kind) {
        throw invalid(`expected a ${kind} token`);
      }
      const { exp } = claims as { exp?: unknown };
      if (typeof exp !== 'number' || exp <= clock.now()) {
        throw new ChartroomError(
          ErrorCode.AUTH_TOKEN_EXPIRED,
          `The ${kind} token has expired; request a new one.`,
        );
      }
      return claims as Extract<TokenClaims, { kind: typeof kind }>;
    },
  };
}
