/**
 * Lockstep types shared by the server engine, the client runner and the replay tool
 * (browser-safe).
 */

/** One seat's commands in one turn. */
export interface SeatCommands<C> {
  readonly seat: string;
  readonly commands: readonly C[];
}

/**
 * The game's deterministic engine: the same seed, configuration and master packets give the
 * same state, bit for bit, on every machine. Integer or fixed-point maths and a seeded PRNG
 * only: no `Math.random`, no clock, no floating-point state that engines may round apart.
 */
export interface DeterministicEngine<C, Config = unknown> {
  init(seed: number, config: Config, players: readonly string[]): void;
  /** One iteration; the turn's commands come with the turn's first iteration, then `[]`. */
  step(commands: readonly SeatCommands<C>[]): void;
  /** A digest of a canonical encoding of the whole state. */
  checksum(): string;
  /** Optional save/restore, for catch-up from a saved state and the determinism self-test. */
  snapshot?(): unknown;
  restore?(snapshot: unknown): void;
}

/** The master packet of one turn: every player's commands and the timing for everyone. */
export interface MasterPacket<C> {
  readonly turn: number;
  /** Non-empty command lists only, in seat order. */
  readonly commands: readonly SeatCommands<C>[];
  /** Turn length the clients should pace to. */
  readonly turn_ms: number;
  /** Engine iterations per turn (AoE's `iterations_per_command`). */
  readonly iterations: number;
  /** The server authority's checksum after this turn, when the game runs one. */
  readonly checksum?: string;
}

/** Apply one master packet to an engine: commands on the first iteration, then empty steps. */
export function applyMaster<C>(engine: DeterministicEngine<C>, master: MasterPacket<C>): void {
  engine.step(master.commands);
  for (let i = 1; i < master.iterations; i++) engine.step([]);
}

/** A disagreement: the turn and the players on each side, largest group first. */
export interface Divergence {
  readonly turn: number;
  readonly groups: readonly { readonly checksum: string; readonly seats: readonly string[] }[];
  /** The players outside the agreeing majority (or every player when there is no majority). */
  readonly diverged: readonly string[];
}
