import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createSimulatedClock } from 'chartroom';
import type { ErrorCode } from 'chartroom';
import {
  TokenForm,
  compactToken,
  decodePacket,
  encodePacket,
  expandToken,
  toBase64Url,
} from 'chartroom/protocols/seigneur';
import type { SeigneurPacket } from 'chartroom/protocols/seigneur';
import { createTokenService } from 'chartroom/server';

/**
 * Golden frames of the Seigneur protocol (fixtures/packets.hex): every packet decodes to its
 * fixture and encodes back to the same bytes; every rejected frame gets its issue.
 */

interface GoldenCase {
  readonly name: string;
  readonly bytes: Uint8Array;
  readonly packet?: SeigneurPacket | undefined;
  readonly issue?: { readonly code: ErrorCode; readonly fatal: boolean } | undefined;
}

const fromHex = (hex: string) => Uint8Array.from(hex.match(/../g) ?? [], (byte) => parseInt(byte, 16));

/** Parse the fixture format described at the top of packets.hex. */
function loadCases(): GoldenCase[] {
  const text = readFileSync(new URL('./fixtures/packets.hex', import.meta.url), 'utf8');
  const cases: GoldenCase[] = [];
  let current:
    { name: string; hex: string; packet?: SeigneurPacket; issue?: GoldenCase['issue'] } | undefined;
  const flush = () => {
    if (current) cases.push({ ...current, bytes: fromHex(current.hex) });
  };
  for (const line of text.split('\n')) {
    if (line.startsWith('## ')) {
      flush();
      current = { name: line.slice(3), hex: '' };
    } else if (!current || line.startsWith('#') || line.trim() === '') {
      continue;
    } else if (line.startsWith('=> ')) {
      current.packet = JSON.parse(line.slice(3), (_key, value: unknown) =>
        typeof value === 'string' && value.startsWith('hex:') ? fromHex(value.slice(4)) : value,
      ) as SeigneurPacket;
    } else if (line.startsWith('!! ')) {
      const [code, kind] = line.slice(3).split(' ');
      current.issue = { code: code as ErrorCode, fatal: kind === 'fatal' };
    } else {
      current.hex += (line.split('#')[0] ?? '').replace(/\s+/g, '');
    }
  }
  flush();
  return cases;
}

const cases = loadCases();
const packets = cases.filter((c) => c.packet);
const rejections = cases.filter((c) => c.issue);

describe('seigneur golden frames (fixtures/packets.hex)', () => {
  it('has a golden frame for every packet type and every weapon action', () => {
    const types = new Set(packets.map((c) => c.packet?.type));
    expect([...types].sort()).toEqual(
      ['error', 'join', 'keyRequest', 'keyResponse', 'leave', 'move', 'sanityCheck', 'weapon'].sort(),
    );
    const actions = new Set(packets.map((c) => (c.packet?.type === 'weapon' ? c.packet.action.kind : '')));
    for (const kind of ['shoot', 'damage', 'ability', 'death', 'respawn']) expect(actions).toContain(kind);
    expect(rejections.length).toBeGreaterThanOrEqual(10);
  });

  it.each(packets)('decodes $name', (c) => {
    expect(decodePacket(c.bytes, 4096)).toEqual({ ok: true, value: c.packet });
  });

  it.each(packets)('encodes $name byte for byte', (c) => {
    const encoded = encodePacket(c.packet as SeigneurPacket);
    expect(encoded.ok && Buffer.from(encoded.value).toString('hex')).toBe(
      Buffer.from(c.bytes).toString('hex'),
    );
  });

  it.each(rejections)('refuses $name', (c) => {
    const decoded = decodePacket(c.bytes, 4096);
    expect(decoded.ok).toBe(false);
    if (decoded.ok) return;
    expect(decoded.issue.code).toBe(c.issue?.code);
    expect(decoded.issue.fatal === true).toBe(c.issue?.fatal);
    expect(decoded.issue.message.length).toBeGreaterThan(20);
  });

  it('refuses a frame over maxFrameBytes before reading it (PROTOCOL_FRAME_TOO_LARGE, fatal)', () => {
    const decoded = decodePacket(new Uint8Array(513));
    expect(decoded).toMatchObject({ ok: false, issue: { code: 'PROTOCOL_FRAME_TOO_LARGE', fatal: true } });
  });
});

describe('seigneur compact tokens', () => {
  const sanity = packets.find((c) => c.packet?.type === 'sanityCheck' && c.packet.playerId === 0)?.packet;

  it("expands the golden Sanity Check's ticket form into the exact ticket string", () => {
    if (sanity?.type !== 'sanityCheck') return expect.fail('golden Sanity Check missing');
    const expanded = expandToken(sanity.token, sanity);
    const claims =
      '{"kind":"ticket","userId":"a1b2c3d4-e5f6-4711-8899-aabbccddeeff","name":"ada","roomId":"1001","exp":1700000600000}';
    const mac = Uint8Array.from({ length: 32 }, (_, i) => i);
    expect(expanded).toEqual({
      ok: true,
      value: {
        kind: 'ticket',
        token: `${toBase64Url(new TextEncoder().encode(claims))}.${toBase64Url(mac)}`,
      },
    });
  });

  const clock = createSimulatedClock(1_700_000_000_000);
  const tokens = createTokenService('golden-secret-0123456789', clock);

  it('round-trips a server-signed ticket through the fields form, and the server still verifies it', () => {
    const ticket = tokens.sign({
      kind: 'ticket',
      userId: 'a1b2c3d4-e5f6-4711-8899-aabbccddeeff',
      name: 'ada',
      roomId: '1001',
      exp: 1_700_000_600_000,
    });
    const compact = compactToken(ticket, { roomId: 1001, playerId: 0 });
    expect(compact.ok && compact.value[0]).toBe(TokenForm.Ticket);
    expect(compact.ok && compact.value.byteLength).toBe(60);
    const back = compact.ok ? expandToken(compact.value, { roomId: 1001, playerId: 0 }) : undefined;
    expect(back).toEqual({ ok: true, value: { kind: 'ticket', token: ticket } });
    expect(tokens.verify(ticket, 'ticket').name).toBe('ada');
  });

  it('round-trips a resume token through the resume form (seat from the player id)', () => {
    const resume = tokens.sign({
      kind: 'resume',
      userId: 'bot-7',
      name: 'Zoë',
      roomId: '1001',
      seatId: 'v12',
      generation: 3,
      exp: 1_700_086_400_000,
    });
    const compact = compactToken(resume, { roomId: 1001, playerId: 12 });
    expect(compact.ok && compact.value[0]).toBe(TokenForm.Resume);
    const back = compact.ok ? expandToken(compact.value, { roomId: 1001, playerId: 12 }) : undefined;
    expect(back).toEqual({ ok: true, value: { kind: 'resume', token: resume } });
    // Another player id rebuilds another seat: the HMAC no longer matches.
    const spoofed = compact.ok ? expandToken(compact.value, { roomId: 1001, playerId: 13 }) : undefined;
    expect(spoofed?.ok && (() => tokens.verify(spoofed.value.token, 'resume'))).toThrow(/signature/);
  });

  it('falls back to the packed form for a token whose room is not the Sanity Check room', () => {
    const ticket = tokens.sign({ kind: 'ticket', userId: 'u', name: 'n', roomId: 'lobby', exp: 1 });
    const compact = compactToken(ticket, { roomId: 1001, playerId: 0 });
    expect(compact.ok && compact.value[0]).toBe(TokenForm.Packed);
    const back = compact.ok ? expandToken(compact.value, { roomId: 1001, playerId: 0 }) : undefined;
    expect(back).toEqual({ ok: true, value: { kind: 'ticket', token: ticket } });
  });

  it('refuses, without throwing, a token no form fits in 255 bytes', () => {
    const ticket = tokens.sign({
      kind: 'ticket',
      userId: 'u'.repeat(300),
      name: 'n',
      roomId: '1001',
      exp: 1,
    });
    const compact = compactToken(ticket, { roomId: 1001, playerId: 0 });
    expect(compact).toMatchObject({ ok: false, issue: { code: 'AUTH_INVALID_TOKEN' } });
    expect(compactToken('not a token', { roomId: 1, playerId: 0 }).ok).toBe(false);
  });
});
