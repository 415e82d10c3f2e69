/**
 * Replay a lockstep arena match from its turn log and report the first turn whose checksum
 * disagrees:
 *
 *   curl -H "Authorization: Bearer $ADMIN" http://127.0.0.1:8080/rooms/demo-arena/log > match.json
 *   node --conditions=chartroom-source --import tsx examples/lockstep-arena/replay.ts match.json
 */
import { readFile } from 'node:fs/promises';
import { replay } from 'chartroom/sync/lockstep';
import type { TurnLog } from 'chartroom/sync/lockstep';
import { createArenaEngine } from './engine.js';
import type { ArenaCommand } from './engine.js';

const file = process.argv[2];
if (!file) {
  console.error('usage: replay.ts <turn-log.json>');
  process.exit(2);
}
const log = JSON.parse(await readFile(file, 'utf8')) as TurnLog<ArenaCommand>;
const result = replay(log, createArenaEngine() as never);
if (result.divergedAt) {
  const { turn, expected, actual } = result.divergedAt;
  console.log(`diverges at turn ${turn}: log says ${expected}, replay computes ${actual}`);
  process.exit(1);
}
console.log(`${result.turns} turns replayed, checksums agree; final checksum ${result.checksum}`);
