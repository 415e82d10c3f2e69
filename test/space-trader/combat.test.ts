/**
 * Combat over real ws: projectiles, hits, combat.event to both parties, hull damage in the
 * stream, destruction and respawn, PvP only where a zone allows it, and pirates that attack.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ChartroomServer } from 'chartroom/server';
import { damage } from '../../examples/space-trader/combat.js';
import type { CombatEvent, WorldEvent } from '../../examples/space-trader/messages.js';
import { framesOf, pilot, place, startSystem } from './support.js';
import type { Pilot } from './support.js';

type Delta = { tick: number; events: WorldEvent[]; entity_removed: string[] };
const combat = (p: Pilot) => framesOf<CombatEvent>(p, 'combat.event').map((f) => f.payload);

describe('space trader: combat over ws', () => {
  let server: ChartroomServer | undefined;
  afterEach(async () => server?.close());

  /** Two players face to face in seed 002's earth approach (PvP allowed), 300 units apart. */
  const duel = async (at = { x: 1100, y: 700 }) => {
    const started = await startSystem();
    server = started.server;
    const ada = await pilot(started.url, 'ada');
    const bob = await pilot(started.url, 'bob');
    const [a, b] = [ada.joined.payload.ship_id, bob.joined.payload.ship_id];
    place(started.world(), a, at.x, at.y, 0);
    place(started.world(), b, at.x + 300, at.y, Math.PI);
    const ship = (id: string) => started.world().state.ships.get(id)!;
    return { started, ada, bob, a, b, ship };
  };

  it('hits another player: combat.event to both, hull damage in the stream', async () => {
    const { ada, bob, a, b } = await duel();
    ada.command({ fire_primary: true });
    await ada.until(() => combat(ada).length > 0, 'a hit');
    ada.command({ fire_primary: false });
    const hit: CombatEvent = { kind: 'hit', source_id: a, target_id: b, damage: 12, target_hp: 88 };
    expect(combat(ada)[0]).toEqual(hit);
    await bob.until(() => combat(bob).length > 0, 'the hit, told to the target');
    expect(combat(bob)[0]).toEqual(hit);
    await ada.until((m) => (m.entities.get(b)?.hp ?? 100) < 100, 'hp in the stream');
    await bob.until(
      (m) => m.sections.you?.hull !== undefined && m.sections.you.hull < 100,
      'own hull in the stream',
    );
  });

  it('destroys a ship at 0 hp, removes it from views, and respawns it docked at home', async () => {
    const { started, ada, bob, a, b, ship } = await duel();
    damage(started.world().state, a, ship(b), 90);
    ada.command({ fire_primary: true });
    await bob.until(() => combat(bob).some((e) => e.kind === 'destroyed'), 'destruction');
    ada.command({ fire_primary: false });
    expect(combat(bob).find((e) => e.kind === 'destroyed')).toEqual({
      kind: 'destroyed',
      source_id: a,
      target_id: b,
      damage: 0,
      target_hp: 0,
    });
    await ada.until((m) => !m.entities.has(b), 'the wreck out of view');
    expect(framesOf<Delta>(ada, 'world.delta').some((f) => f.payload.entity_removed.includes(b))).toBe(true);
    await bob.until(() => combat(bob).some((e) => e.kind === 'respawned'), 'the respawn', 6000);
    expect(combat(bob).find((e) => e.kind === 'respawned')).toMatchObject({ target_id: b, target_hp: 100 });
    await bob.until(
      (m) => m.sections.you?.docked_at === 'earth-orbit-station' && m.entities.has(b),
      'docked at home',
    );
    expect(bob.mirror.sections.you).toMatchObject({ hull: 100, fuel: 100, cargo: [] });
  });

  it('lets no player hurt another inside a zone without PvP', async () => {
    const { ada, bob, b, ship } = await duel({ x: 4100, y: 2600 });
    ada.command({ fire_primary: true });
    await ada.until(
      () =>
        framesOf<Delta>(ada, 'world.delta').some((f) =>
          f.payload.events.some((e) => e.kind === 'projectile_fired'),
        ),
      'a shot',
    );
    const shotAt = ada.mirror.tick;
    await ada.until((m) => m.tick > shotAt + 20, 'the shot to pass');
    ada.command({ fire_primary: false });
    expect(ship(b).hp).toBe(100);
    expect(combat(bob)).toEqual([]);
  });

  it('sends pirates after a player in their lair', async () => {
    const started = await startSystem({ pirates: 6 });
    server = started.server;
    const ada = await pilot(started.url, 'ada');
    const pirate = [...started.world().state.ships.values()].find(
      (s) => s.kind === 'pirate' && s.home?.x === 6800,
    )!;
    place(started.world(), ada.joined.payload.ship_id, pirate.x + 400, pirate.y);
    await ada.until(
      () => combat(ada).some((e) => e.kind === 'hit' && e.source_id.startsWith('npc_')),
      'a pirate hit',
      10_000,
    );
    expect(combat(ada).find((e) => e.source_id.startsWith('npc_'))).toMatchObject({
      kind: 'hit',
      target_id: ada.joined.payload.ship_id,
      damage: 12,
    });
  });
});
