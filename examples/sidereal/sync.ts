import { defineMessages } from 'chartroom';
import type { Role, SyncEngine, SyncHost, SyncModel } from 'chartroom';
import { KEYFRAME_REQUEST, serverBodySchemas } from 'chartroom/protocols/sidereal';
import type { TraitChanges, Traits } from 'chartroom/protocols/sidereal';
import { diffEntity } from 'chartroom/sync/state';
import { z } from 'zod';
import { universeClockMachine } from './universe.machine.js';
import { createUniverse, universeConfig } from './universe.js';
import type { SpaceObject, Universe } from './universe.js';

/**
 * The universe's messages. Server: the seed's `snap` (one object, whole) and `diff` (the traits
 * that changed, timestamped); the Sidereal protocol turns them into its packets, other protocols
 * carry them as ordinary game messages. Client: the keyframe request a repeated knock becomes.
 */
export const universeMessages = defineMessages({
  client: { [KEYFRAME_REQUEST]: z.object({}) },
  server: {
    snap: serverBodySchemas.snap,
    diff: serverBodySchemas.diff,
  },
});

/** The engine of one universe room; `universe` is exposed for tests and tools. */
export interface UniverseEngine extends SyncEngine {
  readonly universe: Universe;
  /** Send `seatId` one snap per object (initial on join, not on request). */
  keyframe(seatId: string, initial: boolean): void;
}

const traitsOf = (object: SpaceObject): Traits => {
  const { id: _id, ...traits } = object;
  return traits;
};

/**
 * A sync model for the universe: the world is simulated on the server, ticking on the room's
 * clock (./universe.machine.ts), and every client mirrors it. On join a client gets an initial
 * keyframe (one `snap` per object, each with the `total`); every tick, one `diff` per changed
 * object goes to every client (encoded once per protocol), computed with `diffEntity` from
 * `chartroom/sync/state`.
 */
export function universeSync(): SyncModel {
  return {
    name: 'sidereal-universe',
    messages: universeMessages,
    create(host: SyncHost): UniverseEngine {
      // Created on first use: the room's seed and configuration are not readable while the
      // room host is still building the engine.
      let created: Universe | undefined;
      let sent = new Map<string, SpaceObject>();
      const world = (): Universe => {
        if (created) return created;
        created = createUniverse(host.seed(), universeConfig.parse(host.config()));
        sent = new Map(created.objects().map((o) => [o.id, o]));
        return created;
      };

      const keyframe = (seatId: string, initial: boolean) => {
        const universe = world();
        const objects = universe.objects();
        for (const object of objects) {
          host.sendToSeat(seatId, {
            kind: 'game',
            type: 'snap',
            payload: {
              id: object.id,
              time: universe.time,
              total: objects.length,
              ...(initial ? { initial: true } : {}),
              traits: traitsOf(object),
            },
          });
        }
      };

      const tick = () => {
        const universe = world();
        universe.step();
        const next = new Map<string, SpaceObject>();
        for (const object of universe.objects()) {
          next.set(object.id, object);
          const before = sent.get(object.id);
          const changes = before ? diffEntity(before, object) : object;
          if (!changes) continue;
          const { id, ...traits } = changes as { id: string } & TraitChanges;
          host.broadcast({ kind: 'game', type: 'diff', payload: { id, time: universe.time, traits } });
        }
        sent = next;
      };

      return {
        get universe() {
          return world();
        },
        keyframe,
        logic: universeClockMachine.provide({ actions: { tick } }),
        receive(seatId: string, _role: Role, type: string) {
          if (type === KEYFRAME_REQUEST) keyframe(seatId, false);
        },
        attached(seatId: string) {
          keyframe(seatId, true);
        },
        dispose() {
          sent.clear();
        },
      };
    },
  };
}
