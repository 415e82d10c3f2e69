/**
 * `chartroom/sync/lockstep/node`: a turn log store on disk (Node only), so a long match's
 * log does not stay in memory.
 *
 * @example
 * import { fileTurnLogStore } from 'chartroom/sync/lockstep/node';
 * lockstep({ command: arenaCommand, turnLogStore: fileTurnLogStore() });
 */
import { closeSync, mkdirSync, openSync, readSync, unlinkSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TurnLogStore } from './master-log.js';

export interface FileTurnLogStoreOptions {
  /** Directory of the files, one per room, deleted when the room ends. Default: the OS temp directory. */
  readonly dir?: string;
}

/**
 * Each room's older turn log chunks in a file of its own: appended once each, read back with
 * one read per chunk. Writes and reads are synchronous: a 64 KiB chunk every few hundred turns,
 * and reads only for catch-ups that reach back that far and for export.
 */
export function fileTurnLogStore(options: FileTurnLogStoreOptions = {}): (roomId: string) => TurnLogStore {
  const dir = options.dir ?? tmpdir();
  mkdirSync(dir, { recursive: true });
  return (roomId) => {
    const safe = roomId.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 64);
    const path = join(dir, `chartroom-turns-${safe}-${randomBytes(4).toString('hex')}.log`);
    const fd = openSync(path, 'w+', 0o600);
    /** Per chunk index: [offset, length] in the file. */
    const where = new Map<number, [number, number]>();
    let size = 0;
    let open = true;
    return {
      put(index, bytes) {
        if (!open) throw new Error(`Turn log store of room "${roomId}" is closed`);
        let written = 0;
        while (written < bytes.length)
          written += writeSync(fd, bytes, written, bytes.length - written, size + written);
        where.set(index, [size, bytes.length]);
        size += bytes.length;
      },
      get(index) {
        const at = where.get(index);
        if (!open || !at) throw new Error(`Turn log store of room "${roomId}" has no chunk ${index}`);
        const bytes = new Uint8Array(at[1]);
        let read = 0;
        while (read < bytes.length) {
          const got = readSync(fd, bytes, read, bytes.length - read, at[0] + read);
          if (got === 0) throw new Error(`Turn log file of room "${roomId}" is shorter than written`);
          read += got;
        }
        return bytes;
      },
      dispose() {
        if (!open) return;
        open = false;
        where.clear();
        try {
          closeSync(fd);
        } finally {
          // Gone already (a temp directory cleaned under us) is as good as deleted.
          try {
            unlinkSync(path);
          } catch {
            // Nothing left to free.
          }
        }
      },
    };
  };
}
