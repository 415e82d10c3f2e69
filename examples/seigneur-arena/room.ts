import { defineRoom, gameActions } from 'chartroom';
import type { GameEvent, ServerPayload } from 'chartroom';
import type { GameInput } from 'chartroom/machines';
import { playerIdOf, seigneurMessages } from 'chartroom/protocols/seigneur';
import { enqueueActions, setup } from 'xstate';
import {
  Ability,
  acceptMove,
  arenaConfigSchema,
  dashTarget,
  defaultArenaConfig,
  newFighter,
  spawnPoint,
  traceShot,
} from './rules.js';
import type { ArenaConfig, Fighter } from './rules.js';

/**
 * Seigneur arena: a drop-in shooter on the Seigneur protocol (seed 000). Players join with a
 * Sanity Check, move (the server caps speed and keeps them inside the walls, then broadcasts
 * where they really are), shoot and use abilities through Weapon Actions, lose hp, die and
 * respawn. Shared by server, bot and page: the messages are the protocol's own.
 */
export const messages = seigneurMessages;
type M = typeof messages;
type ServerType = keyof M['server'] & string;

/** One message the game sends: to everyone or to one seat. */
export type Outgoing = {
  [K in ServerType]: { readonly to: 'all' | string; readonly type: K; readonly payload: ServerPayload<M, K> };
}[ServerType];

export interface ArenaContext {
  readonly config: ArenaConfig;
  readonly seed: number;
  readonly tick: number;
  /** Spawns so far: with the seed, where the next one happens. */
  readonly spawns: number;
  readonly players: Readonly<Record<string, Fighter>>;
}

/** What one event does: the next context, the messages to send, and a winner if any. */
export interface Step {
  readonly context: ArenaContext;
  readonly out: readonly Outgoing[];
  readonly winner?: Fighter;
}

type ArenaEvent = GameEvent<M> | { readonly type: 'arena.tick' };

/** How a player looks to the others: who they are, then where they are (or that they are dead). */
function introduce(f: Fighter, tick: number, to: string): Outgoing[] {
  return [
    { to, type: 'join', payload: { tick, playerId: f.playerId, name: f.name } },
    f.alive
      ? {
          to,
          type: 'weapon',
          payload: { tick, playerId: f.playerId, action: { kind: 'respawn', x: f.x, y: f.y, hp: f.hp } },
        }
      : { to, type: 'weapon', payload: { tick, playerId: f.playerId, action: { kind: 'death', killer: 0 } } },
  ];
}

/** The next tick: respawns, then newcomers announced (their connections are bound by now). */
function advance(context: ArenaContext): Step {
  const tick = context.tick + 1;
  const { config } = context;
  let spawns = context.spawns;
  const out: Outgoing[] = [];
  const players: Record<string, Fighter> = {};
  for (const f of Object.values(context.players)) {
    let next = f;
    if (!f.alive && f.respawnAt <= tick) {
      const at = spawnPoint(context.seed, spawns++, config);
      next = { ...f, ...at, alive: true, hp: config.maxHp, velocity: 0, budgetTick: tick };
      const action = { kind: 'respawn', x: at.x, y: at.y, hp: config.maxHp } as const;
      if (!f.welcome)
        out.push({ to: 'all', type: 'weapon', payload: { tick, playerId: f.playerId, action } });
    }
    players[f.seatId] = next;
  }
  const all = Object.values(players);
  for (const f of all) {
    if (f.welcome === 'new') out.push(...introduce(f, tick, 'all'));
    if (!f.welcome) continue;
    for (const other of all) {
      if (other.welcome !== 'new' && (other !== f || f.welcome === 'back'))
        out.push(...introduce(other, tick, f.seatId));
    }
  }
  for (const f of all) if (f.welcome) players[f.seatId] = { ...f, welcome: undefined };
  return { context: { ...context, tick, spawns, players }, out };
}

/** A shot: the shooter's tracer for everyone, then the hit, the kill and maybe the win. */
function shoot(context: ArenaContext, shooter: Fighter, angle: number): Step {
  const { config, tick } = context;
  if (tick < shooter.shotReadyAt) return { context, out: [] };
  const players = {
    ...context.players,
    [shooter.seatId]: { ...shooter, shotReadyAt: tick + config.shotCooldownTicks },
  };
  const out: Outgoing[] = [
    {
      to: 'all',
      type: 'weapon',
      payload: { tick, playerId: shooter.playerId, action: { kind: 'shoot', angle } },
    },
  ];
  const target = traceShot(shooter, angle, Object.values(context.players), config, tick);
  if (!target) return { context: { ...context, players }, out };
  const hp = Math.max(0, target.hp - config.shotDamage);
  const damage = { kind: 'damage', target: target.playerId, amount: target.hp - hp, hp } as const;
  out.push({ to: 'all', type: 'weapon', payload: { tick, playerId: shooter.playerId, action: damage } });
  if (hp > 0)
    return { context: { ...context, players: { ...players, [target.seatId]: { ...target, hp } } }, out };
  const killer = { ...(players[shooter.seatId] as Fighter), kills: shooter.kills + 1 };
  const victim = {
    ...target,
    hp,
    alive: false,
    velocity: 0,
    deaths: target.deaths + 1,
    respawnAt: tick + config.respawnTicks,
  };
  out.push({
    to: 'all',
    type: 'weapon',
    payload: { tick, playerId: victim.playerId, action: { kind: 'death', killer: killer.playerId } },
  });
  const next = { ...context, players: { ...players, [killer.seatId]: killer, [victim.seatId]: victim } };
  const won = config.fragLimit > 0 && killer.kills >= config.fragLimit;
  return won ? { context: next, out, winner: killer } : { context: next, out };
}

/** Everything the arena does with one event, as a pure function (tests call it directly). */
export function arenaStep(context: ArenaContext, event: ArenaEvent): Step {
  const { config, tick } = context;
  const seatId = 'seatId' in event && typeof event.seatId === 'string' ? event.seatId : '';
  const f = context.players[seatId];
  const put = (next: Fighter, out: Outgoing[]): Step => ({
    context: { ...context, players: { ...context.players, [next.seatId]: next } },
    out,
  });
  switch (event.type) {
    case 'arena.tick':
      return advance(context);
    case 'room.playerJoined': {
      const playerId = playerIdOf(event.seatId);
      if (playerId === undefined || f) return { context, out: [] };
      const at = spawnPoint(context.seed, context.spawns, config);
      const fighter = newFighter(event.seatId, playerId, event.name, at, config, tick);
      const joined = put(fighter, []);
      return { ...joined, context: { ...joined.context, spawns: context.spawns + 1 } };
    }
    case 'room.playerReconnected':
      return f ? put({ ...f, welcome: 'back' }, []) : { context, out: [] };
    case 'room.playerLeft': {
      if (!f) return { context, out: [] };
      const { [seatId]: _gone, ...players } = context.players;
      return {
        context: { ...context, players },
        out: [{ to: 'all', type: 'leave', payload: { tick, playerId: f.playerId } }],
      };
    }
    case 'move': {
      if (!f?.alive) return { context, out: [] };
      const moved = acceptMove(f, event.payload, config, tick);
      const { playerId, x, y, velocity } = moved;
      return put(moved, [{ to: 'all', type: 'move', payload: { tick, playerId, x, y, velocity } }]);
    }
    case 'weapon': {
      const { action } = event.payload;
      if (!f?.alive) return { context, out: [] };
      if (action.kind === 'shoot') return shoot(context, f, action.angle);
      const ability = { tick, playerId: f.playerId, action } as const;
      if (action.ability === Ability.Dash && tick >= f.dashReadyAt) {
        const to = dashTarget(f, action.angle, config);
        const dashed = { ...f, ...to, dashReadyAt: tick + config.dashCooldownTicks, budgetTick: tick };
        const move = { tick, playerId: f.playerId, x: to.x, y: to.y, velocity: f.velocity };
        return put(dashed, [
          { to: 'all', type: 'weapon', payload: ability },
          { to: 'all', type: 'move', payload: move },
        ]);
      }
      if (action.ability === Ability.Shield && tick >= f.shieldReadyAt) {
        const shielded = {
          ...f,
          shieldUntil: tick + config.shieldTicks,
          shieldReadyAt: tick + config.shieldCooldownTicks,
        };
        return put(shielded, [{ to: 'all', type: 'weapon', payload: ability }]);
      }
      return { context, out: [] };
    }
    default:
      return { context, out: [] };
  }
}

const { broadcast, sendToSeat, endGame } = gameActions(messages);

/** The game machine: a tick loop on the room's clock, every event through `arenaStep`. */
export const arenaMachine = setup({
  types: { context: {} as ArenaContext, events: {} as GameEvent<M>, input: {} as GameInput },
  delays: { tick: ({ context }) => context.config.tickMs },
  actions: {
    apply: enqueueActions(({ context, event, enqueue }, params: { tick: boolean }) => {
      const step = arenaStep(context, params.tick ? { type: 'arena.tick' } : event);
      enqueue.assign(step.context);
      for (const out of step.out) {
        // `out` is a correlated union (type, payload); the action creators take them apart.
        const payload = out.payload as never;
        enqueue(out.to === 'all' ? broadcast(out.type, payload) : sendToSeat(out.to, out.type, payload));
      }
      const { winner } = step;
      if (winner) {
        const scores = Object.fromEntries(
          Object.values(step.context.players).map((p) => [p.seatId, p.kills]),
        );
        enqueue(endGame(() => ({ winner: winner.seatId, scores })));
      }
    }),
  },
}).createMachine({
  id: 'seigneurArena',
  context: ({ input }): ArenaContext => {
    const config = input.config as ArenaConfig;
    let spawns = 0;
    const players: Record<string, Fighter> = {};
    for (const p of input.players) {
      const playerId = playerIdOf(p.seatId);
      if (playerId === undefined) continue;
      players[p.seatId] = newFighter(
        p.seatId,
        playerId,
        p.name,
        spawnPoint(input.seed, spawns++, config),
        config,
        0,
      );
    }
    return { config, seed: input.seed, tick: 0, spawns, players };
  },
  initial: 'playing',
  states: {
    playing: {
      after: {
        tick: { target: 'playing', reenter: true, actions: { type: 'apply', params: { tick: true } } },
      },
      on: {
        move: { actions: { type: 'apply', params: { tick: false } } },
        weapon: { actions: { type: 'apply', params: { tick: false } } },
        'room.playerJoined': { actions: { type: 'apply', params: { tick: false } } },
        'room.playerLeft': { actions: { type: 'apply', params: { tick: false } } },
        'room.playerReconnected': { actions: { type: 'apply', params: { tick: false } } },
      },
    },
  },
});

export const seigneurArena = defineRoom({
  name: 'seigneur-arena',
  messages,
  config: { schema: arenaConfigSchema, initial: defaultArenaConfig },
  game: arenaMachine,
  // Drop-in: players join the running match (the protocol's Sanity Check commits "ready").
  options: { capacity: 16, minPlayers: 1, maxViewers: 8, lateJoin: 'player' },
});
