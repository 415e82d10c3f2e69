/**
 * Wire constants of the Seigneur Communication Protocol (seed 000). Every frame is
 * `tick u32 | type u8 | payload`, big-endian; docs/protocols/seigneur.md has the byte tables.
 */

/** Version of this reading of the seed (the seed has no version field; see the docs). */
export const SEIGNEUR_PROTOCOL_VERSION = 1;

/** Packet types: 0x01..0x05 are the seed's, 0x06..0x08 are Chartroom's additions. */
export const PacketType = {
  /** Seed "Move": player id, x, y, velocity. */
  Move: 0x01,
  /** Seed "Player Join": player id, name. */
  PlayerJoin: 0x02,
  /** Seed "Player Leave": player id. */
  PlayerLeave: 0x03,
  /** Seed "Sanity Check": room id, player id, token. The handshake, both ways. */
  SanityCheck: 0x04,
  /** Seed "Weapon Action": player id, action type, action data. */
  WeaponAction: 0x05,
  /** Added: an error with a registry code (server to client). */
  Error: 0x06,
  /** Added: the client's half of the key exchange (AES-256-GCM sessions). */
  KeyExchangeRequest: 0x07,
  /** Added: the server's half of the key exchange. */
  KeyExchangeResponse: 0x08,
} as const;

export type PacketTypeCode = (typeof PacketType)[keyof typeof PacketType];

/** Names used in issues, logs and as game message types (`move`, `weapon`, ...). */
export const packetNames: Readonly<Record<PacketTypeCode, string>> = {
  [PacketType.Move]: 'move',
  [PacketType.PlayerJoin]: 'join',
  [PacketType.PlayerLeave]: 'leave',
  [PacketType.SanityCheck]: 'sanityCheck',
  [PacketType.WeaponAction]: 'weapon',
  [PacketType.Error]: 'error',
  [PacketType.KeyExchangeRequest]: 'keyRequest',
  [PacketType.KeyExchangeResponse]: 'keyResponse',
};

/** The packet type a codec issue refers to, from its packet name; 0 when none. */
export function packetCodeOf(name: string | undefined): number {
  for (const [code, known] of Object.entries(packetNames)) if (known === name) return Number(code);
  return 0;
}

/**
 * The packet type a runtime refusal answers, from its protocol-neutral `ref` (an intent kind or
 * a game message type): the handshake intents are the Sanity Check's; 0 for intents Seigneur
 * has no packet for (ready, setup, pause).
 */
export function packetCodeOfRef(ref: string | undefined): number {
  switch (ref) {
    case 'authenticate':
    case 'resume':
    case 'join':
      return PacketType.SanityCheck;
    case 'leave':
      return PacketType.PlayerLeave;
    case 'move':
      return PacketType.Move;
    case 'weapon':
      return PacketType.WeaponAction;
    default:
      return 0;
  }
}

/** The protocol-neutral `ref` of an Error packet's packet type (the client's side of the above). */
export function refOfPacketCode(code: number): string | undefined {
  if (code === PacketType.SanityCheck) return 'join';
  return packetNames[code as PacketTypeCode] as string | undefined;
}

/** Weapon action types (the seed's "shoot, damage, ability", made exact). */
export const WeaponActionType = {
  /** `angle u16`: the player fires along a binary angle (65536 = one turn). */
  Shoot: 0x01,
  /** `target u32, amount u16, hp u16`: the player hit `target` for `amount`; `hp` is left. */
  Damage: 0x02,
  /** `ability u8, angle u16`: the player used a game-defined ability toward an angle. */
  Ability: 0x03,
  /** `killer u32`: the player died, killed by `killer` (0 = the world). */
  Death: 0x04,
  /** `x u16, y u16, hp u16`: the player is back at (x, y) with `hp`. */
  Respawn: 0x05,
} as const;

/** Bytes of the frame header: tick u32 + packet type u8. */
export const HEADER_BYTES = 5;

/** Cipher suites of the key exchange. */
export const CipherSuite = {
  /** ECDH P-256 (65-byte uncompressed points), HKDF-SHA-256, AES-256-GCM, 4-byte frame counters. */
  P256_HKDF_SHA256_AES256GCM: 0x01,
} as const;

/** Default largest frame a server accepts: the largest client packet is a Sanity Check of 269 bytes. */
export const DEFAULT_MAX_FRAME_BYTES = 512;

/** Default largest frame a client accepts (Error packets carry up to 1 KiB of message). */
export const DEFAULT_CLIENT_MAX_FRAME_BYTES = 2048;

/** Largest Error message the server writes, in UTF-8 bytes (longer ones are cut). */
export const MAX_ERROR_MESSAGE_BYTES = 1024;

/** Largest registry code on the wire (ASCII `[A-Z0-9_]`). */
export const MAX_ERROR_CODE_BYTES = 64;

/** Largest u16 and u32, the only integer widths on the wire. */
export const U16_MAX = 0xffff;
export const U32_MAX = 0xffffffff;
