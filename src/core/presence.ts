/**
 * The Presence seam: where rooms are known. It speaks the game's language (register, find,
 * list, remove a room); the in-memory implementation is the embedded default and a Redis one
 * spreads rooms over nodes.
 */
export interface RoomRecord {
  readonly roomId: string;
  readonly type: string;
  /** The node (server process) hosting the room. */
  readonly nodeId: string;
  /** HTTP base URL of that node, where clients join. */
  readonly nodeUrl: string;
  readonly phase: string;
  readonly players: number;
  readonly viewers: number;
  readonly capacity: number;
  readonly createdAt: number;
  /**
   * The room is gone but remembered for a while (its node died and it could not be restored):
   * joins and resumes are refused with ROOM_CLOSED and this reason.
   */
  readonly closed?: { readonly reason: string; readonly at: number };
}

/** A live server process, as its heartbeats describe it (multi-node: docs/scaling.md). */
export interface NodeRecord {
  readonly nodeId: string;
  /** HTTP base URL of the node. */
  readonly url: string;
  /** Endpoint URLs by protocol name. */
  readonly endpoints: Readonly<Record<string, string>>;
  /** Room types this node can host. */
  readonly roomTypes: readonly string[];
  /** Rooms hosted: the load that placement balances. */
  readonly rooms: number;
  readonly connections: number;
  readonly startedAt: number;
  /** When the node sent this record (its own clock). */
  readonly heartbeatAt: number;
}

/**
 * Where rooms and nodes are known, in the game's terms. One process needs only the room
 * members; several nodes also use ownership (compare-and-set claims), heartbeats and messages.
 * The multi-node protocol (placement, routing, recovery) lives in core (`src/server/cluster`);
 * an implementation only stores records and moves messages.
 */
export interface Presence {
  /**
   * Insert or replace the record of a room owned by `record.nodeId` (an unowned room is claimed
   * for it). Resolves false, storing nothing, when another node owns the room.
   */
  registerRoom(record: RoomRecord): Promise<boolean>;
  findRoom(roomId: string): Promise<RoomRecord | undefined>;
  listRooms(): Promise<RoomRecord[]>;
  /** Forget a room and its owner; with `owner`, only while that node still owns it. */
  removeRoom(roomId: string, owner?: string): Promise<void>;
  /**
   * Atomically make `nodeId` the owner of a room id: an unowned one (`from` undefined: creation),
   * or one still owned by `from` (recovery from a dead node). True when `nodeId` owns it after
   * the call; of two nodes racing for the same room, exactly one gets true.
   */
  claimRoom(roomId: string, nodeId: string, from?: string): Promise<boolean>;
  /** Announce or refresh a live node; its record expires `ttlMs` after the latest heartbeat. */
  heartbeat(node: NodeRecord, ttlMs: number): Promise<void>;
  /** Nodes whose heartbeat has not expired. */
  listNodes(): Promise<NodeRecord[]>;
  /** A node leaves (graceful shutdown): its record goes at once. */
  removeNode(nodeId: string): Promise<void>;
  /** Send a JSON message to a node: at most once, in order per publisher. */
  publish(nodeId: string, message: unknown): Promise<void>;
  /** Receive the messages sent to `nodeId`; resolves once listening, with the unsubscribe. */
  subscribe(nodeId: string, handler: (message: unknown) => void): Promise<() => Promise<void>>;
  /** Release connections and timers. */
  close(): Promise<void>;
}
