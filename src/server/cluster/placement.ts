/**
 * Where a room goes: pure decisions, so they can be tested without a cluster.
 */
import type { NodeRecord } from '../../core/presence.js';

/**
 * The least loaded live node that hosts `type`: fewest rooms (counting rooms placed on it since
 * its last heartbeat), then this node (no forwarding), then the lowest node id.
 */
export function pickNode(
  nodes: readonly NodeRecord[],
  type: string,
  self: string,
  placed: ReadonlyMap<string, number>,
): NodeRecord | undefined {
  const load = (node: NodeRecord) => node.rooms + (placed.get(node.nodeId) ?? 0);
  return nodes
    .filter((node) => node.roomTypes.includes(type))
    .sort(
      (a, b) =>
        load(a) - load(b) ||
        Number(b.nodeId === self) - Number(a.nodeId === self) ||
        a.nodeId.localeCompare(b.nodeId),
    )[0];
}

/** FNV-1a, 32 bits: a stable hash for rendezvous choices (not for security). */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/**
 * The node that should recover a dead node's room (rendezvous hashing): every node computes the
 * same answer from the same live set, and a dead node's rooms spread over the survivors.
 */
export function preferredNode(roomId: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestScore = -1;
  for (const nodeId of candidates) {
    const score = fnv1a(`${roomId}\u0000${nodeId}`);
    if (score > bestScore || (score === bestScore && best !== undefined && nodeId < best)) {
      best = nodeId;
      bestScore = score;
    }
  }
  return best;
}
