import { describe, expect, it } from 'vitest';
import {
  DEFAULT_MAX_DATAGRAM_BYTES,
  Flag,
  clientBodySchemas,
  decodeClientBody,
  decodePacket,
  decodeServerBody,
  encodeBody,
  encodePacket,
  serverBodySchemas,
} from 'chartroom/protocols/sidereal';
import type { ClientBody, ServerBody } from 'chartroom/protocols/sidereal';
import { hex, readGolden } from './golden-format.js';

/**
 * Golden datagrams for Sidereal (seed 001). The fixtures are the reference: header bytes written
 * by hand in hex, bodies as the exact JSON text; decoding and encoding must both match.
 */
const packets = readGolden('packets.golden');
const rejections = readGolden('rejections.golden');

const decodeBody = (from: 'client' | 'server', body: Uint8Array) =>
  from === 'client' ? decodeClientBody(body) : decodeServerBody(body);

describe('sidereal golden datagrams (fixtures/packets.golden)', () => {
  it('covers the header flags and every message type of both sides', () => {
    const types = new Set(
      packets
        .filter((c) => !c.fragment && c.body?.includes('"type"'))
        .map((c) => `${c.from}:${JSON.parse(c.body ?? '{}').type}`),
    );
    for (const type of Object.keys(clientBodySchemas)) expect(types).toContain(`client:${type}`);
    for (const type of Object.keys(serverBodySchemas)) expect(types).toContain(`server:${type}`);
    const flags = new Set(packets.map((c) => c.bytes[4]));
    for (const flag of [
      Flag.ACK,
      Flag.ACK | Flag.RELIABLE,
      Flag.RELIABLE | Flag.MORE,
      Flag.RAINBOW | Flag.AWESOME | Flag.RELIABLE,
      0,
    ]) {
      expect(flags).toContain(flag);
    }
  });

  it.each(packets)('reads the header of "$title"', (c) => {
    const decoded = decodePacket(c.bytes, DEFAULT_MAX_DATAGRAM_BYTES);
    expect(decoded.ok, hex(c.bytes)).toBe(true);
    if (!decoded.ok) return;
    const view = new DataView(c.bytes.buffer);
    expect(decoded.value.seq).toBe(view.getUint32(0, false));
    expect(decoded.value.flags).toBe(c.bytes[4]);
    expect(new TextDecoder().decode(decoded.value.body)).toBe(c.body);
    expect(hex(encodePacket(decoded.value.seq, decoded.value.flags, decoded.value.body))).toBe(hex(c.bytes));
  });

  it.each(packets.filter((c) => !c.fragment && c.body !== '{}'))(
    'decodes "$title" and re-encodes the same bytes',
    (c) => {
      const decoded = decodePacket(c.bytes, DEFAULT_MAX_DATAGRAM_BYTES);
      if (!decoded.ok) throw new Error(decoded.issue.message);
      const body = decodeBody(c.from, decoded.value.body);
      expect(body).toEqual({ ok: true, value: JSON.parse(c.body ?? '') });
      if (!body.ok) return;
      const encoded = encodeBody(body.value as ClientBody | ServerBody);
      expect(new TextDecoder().decode(encoded)).toBe(c.body);
    },
  );

  it('leaves initial: false out, as the seed reads its absence as false', () => {
    const snap: ServerBody = { type: 'snap', id: 'a', time: 1, total: 1, initial: false, traits: {} };
    expect(new TextDecoder().decode(encodeBody(snap))).toBe(
      '{"type":"snap","id":"a","time":1,"total":1,"traits":{}}',
    );
  });
});

describe('sidereal rejected datagrams (fixtures/rejections.golden)', () => {
  it.each(rejections)('refuses "$title" with $issue', (c) => {
    const packet = decodePacket(c.bytes, DEFAULT_MAX_DATAGRAM_BYTES);
    const issue = packet.ok ? decodeBody(c.from, packet.value.body) : packet;
    expect(issue.ok).toBe(false);
    if (!issue.ok) {
      expect(issue.issue.code).toBe(c.issue);
      expect(issue.issue.message.length).toBeGreaterThan(10);
    }
  });

  it('refuses a datagram over maxDatagramBytes, naming both sizes', () => {
    const decoded = decodePacket(new Uint8Array(1201), 1200);
    expect(decoded).toMatchObject({ ok: false, issue: { code: 'PROTOCOL_FRAME_TOO_LARGE' } });
    if (!decoded.ok) expect(decoded.issue.message).toContain('1201');
  });
});
