import fc from 'fast-check';
import type { BingoMessage } from 'chartroom/protocols/bingo';

/** JSON values as they come back from JSON.parse (no -0, which JSON cannot carry). */
export const json = fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.parse(JSON.stringify(v)) as unknown);

const clientId = fc.integer({ min: 0, max: 0x7fff });
const serverId = fc.integer({ min: 0x8000, max: 0xffff });
const type = fc.string({ minLength: 1, maxLength: 64 });
const text = fc.string({ maxLength: 200, unit: 'grapheme' });
const payload = fc.option(json, { nil: undefined });

const identity = fc.record(
  {
    login: fc.string({ maxLength: 128 }),
    username: fc.string({ maxLength: 64 }),
    token: fc.string({ minLength: 1, maxLength: 100 }),
    room: fc.string({ minLength: 1, maxLength: 128 }),
    resume: fc.string({ minLength: 1, maxLength: 100 }),
    role: fc.constantFrom('player' as const, 'viewer' as const),
  },
  { requiredKeys: ['login', 'username'] },
);

const body = (id: fc.Arbitrary<number>, kind: 'request' | 'event' | 'dataUpdate') =>
  fc
    .record({ id, type, payload })
    .map(({ id: i, type: t, payload: p }) => ({ kind, id: i, type: t, payload: p }) as BingoMessage);

const reply = (id: fc.Arbitrary<number>, replyTo: fc.Arbitrary<number>) =>
  fc
    .tuple(id, replyTo, fc.option(fc.record({ type, payload }), { nil: undefined }))
    .map(([i, r, b]): BingoMessage =>
      b ? { kind: 'reply', id: i, replyTo: r, body: b } : { kind: 'reply', id: i, replyTo: r },
    );

/** Every message a client may send. */
export const clientMessage: fc.Arbitrary<BingoMessage> = fc.oneof(
  fc.constant<BingoMessage>({ kind: 'noop' }),
  fc.tuple(clientId, identity).map(([id, i]): BingoMessage => ({ kind: 'identification', id, identity: i })),
  body(clientId, 'request'),
  body(clientId, 'event'),
  reply(clientId, serverId),
  fc
    .tuple(clientId, serverId)
    .map(([id, replyTo]): BingoMessage => ({ kind: 'errorReply', id, replyTo, message: '' })),
  fc.tuple(clientId, text).map(([id, message]): BingoMessage => ({ kind: 'protocolError', id, message })),
);

/** Every message the server may send. */
export const serverMessage: fc.Arbitrary<BingoMessage> = fc.oneof(
  fc.constant<BingoMessage>({ kind: 'noop' }),
  fc
    .tuple(serverId, fc.string({ minLength: 1, maxLength: 200 }))
    .map(([id, token]): BingoMessage => ({ kind: 'ready', id, token })),
  serverId.map((id): BingoMessage => ({ kind: 'ping', id })),
  body(serverId, 'request'),
  body(serverId, 'event'),
  body(serverId, 'dataUpdate'),
  reply(serverId, clientId),
  fc
    .tuple(serverId, clientId, text)
    .map(([id, replyTo, message]): BingoMessage => ({ kind: 'errorReply', id, replyTo, message })),
  fc.tuple(serverId, text).map(([id, message]): BingoMessage => ({ kind: 'protocolError', id, message })),
);

/** Cut points for splitting `length` bytes into chunks (sorted, unique, inside the range). */
export const cuts = (length: number) =>
  fc
    .uniqueArray(fc.integer({ min: 1, max: Math.max(1, length - 1) }), { maxLength: Math.min(40, length) })
    .map((c) => c.filter((x) => x < length).sort((a, b) => a - b));

export function split(bytes: Uint8Array, at: readonly number[]): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  let from = 0;
  for (const cut of at) {
    chunks.push(bytes.slice(from, cut));
    from = cut;
  }
  chunks.push(bytes.slice(from));
  return chunks;
}
