/**
 * Lockstep over real WebSockets (ws on 127.0.0.1:0, real timers, 20 ms turns): lag and
 * automatic resume, drop and wait policies, reconnect catch-up, a late viewer, and what a
 * connection cannot do to seats and rooms that are not its own.
 */
import { defineMessages, defineRoom, mergeMessages } from 'chartroom';
import { createClient, createLockstepRunner } from 'chartroom/client';
import type { LockstepRunner, RoomSession, SessionError } from 'chartroom/client';
import type { ChartroomServer, RoomHost } from 'chartroom/server';
import { lockstep, replay } from 'chartroom/sync/lockstep';
import type { LockstepEngine, LockstepOptions, MasterPacket } from 'chartroom/sync/lockstep';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { arenaCommand, arenaConfig, createArenaEngine } from '../../examples/lockstep-arena/engine.js';
import type { ArenaCommand } from '../../examples/lockstep-arena/engine.js';
import { startServer, until } from '../support/server.js';
import { GatedSession } from './support/gate.js';
import { failingSocket } from './support/sim.js';

type Options = Partial<Omit<LockstepOptions<typeof arenaCommand>, 'command'>>;

const arenaType = (name: string, options: Options) =>
  defineRoom({
    name,
    messages: defineMessages({ client: {}, server: {} }),
    config: { schema: arenaConfig, initial: { respawnTicks: 40 } },
    sync: lockstep({
      command: arenaCommand,
      timing: { baseTurnMs: 20, minTurnMs: 20 },
      resendAfterMs: 100,
      ...options,
    }),
    options: { capacity: 8, minPlayers: 1, maxViewers: 4, lateJoin: 'viewer' },
  });

const roomTypes = [
  arenaType('ls-drop', { lagPolicy: 'drop', lagLimitMs: 200 }),
  arenaType('ls-wait', { lagPolicy: 'wait', lagLimitMs: 200 }),
  arenaType('ls-patient', { lagPolicy: 'drop', lagLimitMs: 3000 }),
];
const messages = mergeMessages(roomTypes[0]!.messages, lockstep({ command: arenaCommand }).messages);

interface Client {
  readonly session: RoomSession<typeof messages>;
  readonly gate: GatedSession;
  readonly runner: LockstepRunner<ArenaCommand>;
  readonly applied: MasterPacket<ArenaCommand>[];
  readonly checksums: string[];
  readonly lag: { turn: number; waiting_for: string[] }[];
  readonly dropped: { turn: number; seats: string[] }[];
  readonly catchups: number[];
  readonly errors: SessionError[];
}

describe('lockstep over real WebSockets', () => {
  let server: ChartroomServer | undefined;
  let url = '';
  const runners: LockstepRunner<ArenaCommand>[] = [];
  const sessions: RoomSession[] = [];
  afterEach(async () => {
    for (const runner of runners.splice(0)) runner.stop();
    for (const session of sessions.splice(0)) session.close();
    await server?.close();
    server = undefined;
  });

  async function start() {
    const started = await startServer(roomTypes, { timing: { gracePeriodMs: 10_000 } });
    server = started.server;
    url = started.url;
  }

  /** A client SDK whose network can be cut: while down, every reconnect attempt fails. */
  function network() {
    let down = false;
    const client = createClient({
      baseUrl: url,
      messages,
      webSocket: (endpoint) => (down ? failingSocket() : (new WebSocket(endpoint) as never)),
      reconnect: { retries: 50, baseDelayMs: 20, maxDelayMs: 100 },
    });
    return {
      client,
      setDown: (value: boolean) => {
        down = value;
      },
    };
  }

  /** Wrap a joined session with a runner on a fresh arena engine, recording what it applies. */
  function attach(session: RoomSession<typeof messages>): Client {
    sessions.push(session as unknown as RoomSession);
    const gate = new GatedSession(session as unknown as RoomSession);
    const engine = createArenaEngine();
    const applied: MasterPacket<ArenaCommand>[] = [];
    const checksums: string[] = [];
    const lag: Client['lag'] = [];
    const dropped: Client['dropped'] = [];
    const catchups: number[] = [];
    const errors: SessionError[] = [];
    session.on('ls.lag', (p) => lag.push(p));
    session.on('ls.dropped', (p) => dropped.push(p));
    session.on('ls.catchup', (p) => catchups.push(p.masters.length));
    session.onError((e) => errors.push(e));
    const runner = createLockstepRunner<ArenaCommand>({
      session: gate,
      engine,
      pingIntervalMs: 100,
      resendAfterMs: 100,
      onTurn: (turn, master) => {
        applied.push(master);
        checksums[turn] = engine.checksum();
      },
    });
    runners.push(runner);
    return { session, gate, runner, applied, checksums, lag, dropped, catchups, errors };
  }

  async function match(type: string, players: number, client = network().client) {
    const room = await server!.createRoom({ type, seed: 1234 });
    const clients: Client[] = [];
    for (let i = 0; i < players; i++) clients.push(attach(await client.join(room.roomId, { name: `p${i}` })));
    for (const c of clients) c.session.ready();
    await until(() => room.view().phase === 'running.iterating', 3000, 'running');
    return { room, engine: room.sync as LockstepEngine<ArenaCommand>, clients };
  }

  /** Pause the room (no further master), let every client catch up, and compare them all. */
  async function freezeAndCompare(room: RoomHost, clients: Client[]) {
    const engine = room.sync as LockstepEngine<ArenaCommand>;
    let asked = 0;
    await until(
      () => {
        if (room.view().phase === 'running.paused.requested') return true;
        if (Date.now() - asked > 50) {
          asked = Date.now();
          clients[0]!.session.pause(true);
        }
        return false;
      },
      3000,
      'paused',
    );
    await until(
      () => clients.every((c) => c.runner.turn === engine.turn - 1),
      3000,
      'every client caught up',
    );
    const log = engine.exportLog();
    const replayed = replay(log, createArenaEngine());
    expect(replayed.divergedAt).toBeUndefined();
    for (const c of clients) {
      expect(c.applied).toEqual(log.masters);
      expect(c.runner.checksum()).toBe(replayed.checksum);
      expect(c.checksums).toEqual(clients[0]!.checksums);
    }
    return log;
  }

  it('pauses in running.paused.lagging, naming a player who stops sending, and resumes by itself when it sends again', async () => {
    await start();
    const { room, engine, clients } = await match('ls-patient', 3);
    const [a, b] = clients as [Client, Client, Client];
    await until(() => engine.turn >= 10, 3000, '10 turns');
    b.gate.holding = true;
    await until(() => room.view().phase === 'running.paused.lagging', 3000, 'lagging');
    await until(() => a.lag.some((l) => l.waiting_for.includes(b.session.seatId)), 2000, 'ls.lag naming p2');
    expect(a.lag.at(-1)?.waiting_for).toEqual([b.session.seatId]);
    await until(() => a.session.room?.phase === 'running.paused.lagging', 2000, 'players see the pause');
    const stalledAt = engine.turn;
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(engine.turn).toBe(stalledAt);

    b.gate.holding = false;
    await until(() => engine.turn >= stalledAt + 10, 3000, 'turns again');
    expect(room.view().phase).toBe('running.iterating');
    expect(a.lag.at(-1)?.waiting_for).toEqual([]);
    expect(a.dropped).toEqual([]);
    await freezeAndCompare(room, clients);
  });

  it("drops a player missing past lagLimit (policy 'drop'): ls.dropped names it, the others go on, its turns are empty", async () => {
    await start();
    const { room, engine, clients } = await match('ls-drop', 3);
    const [a, b] = clients as [Client, Client, Client];
    await until(() => engine.turn >= 10, 3000, '10 turns');
    b.gate.holding = true;
    for (let i = 0; i < 5; i++) b.runner.queue({ kind: 'move', x: 500 + i, y: 1 });
    await until(() => a.dropped.length > 0, 3000, 'ls.dropped');
    expect(a.dropped).toEqual([{ turn: expect.any(Number), seats: [b.session.seatId] }]);
    const droppedAt = a.dropped[0]!.turn;
    a.runner.queue({ kind: 'fire', x: 1, y: 2 });
    await until(() => engine.turn >= droppedAt + 20, 3000, 'the others go on');
    expect(room.view().phase).toBe('running.iterating');
    const masters = engine.exportLog().masters;
    expect(masters.slice(droppedAt).some((m) => m.commands.some((c) => c.seat === a.session.seatId))).toBe(
      true,
    );
    expect(masters.slice(droppedAt).every((m) => m.commands.every((c) => c.seat !== b.session.seatId))).toBe(
      true,
    );
    // Held back, the dropped player still receives every master.
    await until(() => b.runner.turn >= droppedAt + 10, 2000, 'the dropped player follows');
    expect(b.applied).toEqual(masters.slice(0, b.applied.length));
  });

  it("stays paused past lagLimit under policy 'wait', and goes on when the player sends again", async () => {
    await start();
    const { room, engine, clients } = await match('ls-wait', 2);
    const [a, b] = clients as [Client, Client];
    await until(() => engine.turn >= 10, 3000, '10 turns');
    b.gate.holding = true;
    await until(() => room.view().phase === 'running.paused.lagging', 3000, 'lagging');
    const stalledAt = engine.turn;
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(room.view().phase).toBe('running.paused.lagging');
    expect(engine.turn).toBe(stalledAt);
    expect(a.dropped).toEqual([]);
    b.gate.holding = false;
    await until(
      () => engine.turn >= stalledAt + 5 && room.view().phase === 'running.iterating',
      3000,
      'resumed',
    );
    await freezeAndCompare(room, clients);
  });

  it('catches a reconnecting player up: it receives the masters it missed and ends at the checksum of the others', async () => {
    await start();
    const net = network();
    const { room, engine, clients } = await match('ls-drop', 3, net.client);
    const away = clients[2]!;
    await until(() => engine.turn >= 10, 3000, '10 turns');
    const statuses: string[] = [];
    away.session.onStatus((s) => statuses.push(s));
    const tokenBefore = away.session.resumeToken;
    net.setDown(true);
    away.session.simulateDrop();
    await until(() => statuses.includes('reconnecting'), 2000, 'reconnecting');
    const turnAtDrop = away.runner.turn;
    for (const c of clients.slice(0, 2)) c.runner.queue({ kind: 'move', x: 10, y: 10 });
    // The room goes on without it (dropped for lagging after 200 ms).
    await until(() => engine.turn >= turnAtDrop + 25, 3000, 'turns while away');
    expect(away.runner.turn).toBe(turnAtDrop);
    const catchupsBefore = away.catchups.length;
    net.setDown(false);
    await until(() => away.session.status === 'connected', 3000, 'resumed');
    expect(away.session.resumeToken).not.toBe(tokenBefore);
    expect(away.session.seatId).toBe('p3');
    await until(() => away.runner.turn >= turnAtDrop + 25, 3000, 'caught up');
    expect(away.catchups.length).toBeGreaterThan(catchupsBefore);
    // It is a player again: it is waited for, and its commands count.
    away.runner.queue({ kind: 'fire', x: 999, y: 999 });
    await until(
      () =>
        engine
          .exportLog()
          .masters.some((m) =>
            m.commands.some((c) => c.seat === 'p3' && c.commands.some((x) => x.x === 999)),
          ),
      3000,
      'a command of the returning player executed',
    );
    const log = await freezeAndCompare(room, clients);
    expect(away.applied.map((m) => m.turn)).toEqual(log.masters.map((_, i) => i));
  });

  it('replays a viewer joining mid-match from the seed via ls.catchup to the same checksum', async () => {
    await start();
    const net = network();
    const { room, engine, clients } = await match('ls-drop', 2, net.client);
    clients[0]!.runner.queue({ kind: 'move', x: 100, y: 900 });
    clients[1]!.runner.queue({ kind: 'fire', x: 300, y: 300 });
    await until(() => engine.turn >= 30, 3000, '30 turns');
    const viewer = attach(await net.client.join(room.roomId, { name: 'late', role: 'viewer' }));
    expect(viewer.session.role).toBe('viewer');
    await until(() => viewer.runner.turn >= 30, 3000, 'the viewer caught up');
    expect(viewer.catchups.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(30);
    expect(viewer.applied[0]?.turn).toBe(0);
    await freezeAndCompare(room, [...clients, viewer]);
    expect(viewer.errors).toEqual([]);
  });

  describe('seats and rooms a connection does not hold', () => {
    /** A running room whose players have no runner: the test writes every command packet. */
    async function bareMatch(client: ReturnType<typeof network>['client'], players = 2) {
      const room = await server!.createRoom({ type: 'ls-wait', seed: 77 });
      const seated: RoomSession<typeof messages>[] = [];
      for (let i = 0; i < players; i++) seated.push(await client.join(room.roomId, { name: `p${i}` }));
      sessions.push(...(seated as unknown as RoomSession[]));
      for (const s of seated) s.ready();
      const engine = room.sync as LockstepEngine<ArenaCommand>;
      // Turns 0 and 1 (the input delay) need no packet; the room then waits for turn 2.
      await until(() => engine.turn === 2 && room.view().phase === 'running.paused.lagging', 3000, 'turn 2');
      return { room, engine, seated };
    }
    const packet = (turn: number, commands: ArenaCommand[]) => ({
      turn,
      commands,
      latency_ms: 0,
      fps: 60,
      ack: -1,
    });

    it("attributes a command packet to its connection's seat: a seat field in the payload changes nothing", async () => {
      await start();
      const { engine, seated } = await bareMatch(network().client);
      const [p1, p2] = seated as [RoomSession<typeof messages>, RoomSession<typeof messages>];
      p1.send('ls.cmd', { ...packet(2, [{ kind: 'move', x: 7, y: 7 }]), seat: p2.seatId } as never);
      p2.send('ls.cmd', packet(2, []));
      await until(() => engine.turn === 3, 2000, 'turn 2 issued');
      expect(engine.exportLog().masters[2]?.commands).toEqual([
        { seat: p1.seatId, commands: [{ kind: 'move', x: 7, y: 7 }] },
      ]);
    });

    it("refuses a viewer's command packet with ROOM_FORBIDDEN; its commands reach no master", async () => {
      await start();
      const net = network();
      const { room, engine, seated } = await bareMatch(net.client);
      const viewer = await net.client.join(room.roomId, { name: 'watcher', role: 'viewer' });
      sessions.push(viewer as unknown as RoomSession);
      const errors: SessionError[] = [];
      viewer.onError((e) => errors.push(e));
      viewer.send('ls.cmd', packet(2, [{ kind: 'fire', x: 5, y: 5 }]));
      await until(() => errors.length > 0, 2000, 'refusal');
      expect(errors[0]).toMatchObject({ code: 'ROOM_FORBIDDEN' });
      for (const s of seated) s.send('ls.cmd', packet(2, []));
      await until(() => engine.turn === 3, 2000, 'turn 2 issued');
      expect(engine.exportLog().masters.flatMap((m) => m.commands)).toEqual([]);
    });

    it('ignores in this room a command packet from a connection of another room, even with the same seat id', async () => {
      await start();
      const net = network();
      const first = await bareMatch(net.client);
      const second = await bareMatch(net.client);
      const intruder = second.seated[0]!;
      expect(intruder.seatId).toBe(first.seated[0]!.seatId);
      intruder.send('ls.cmd', packet(2, [{ kind: 'move', x: 666, y: 666 }]));
      for (const s of first.seated.slice(1)) s.send('ls.cmd', packet(2, []));
      await new Promise((resolve) => setTimeout(resolve, 100));
      // The first room still waits for its own p1.
      expect(first.engine.turn).toBe(2);
      expect(first.room.view().phase).toBe('running.paused.lagging');
      first.seated[0]!.send('ls.cmd', packet(2, [{ kind: 'fire', x: 1, y: 1 }]));
      await until(() => first.engine.turn === 3, 2000, 'first room turn 2');
      expect(first.engine.exportLog().masters[2]?.commands).toEqual([
        { seat: first.seated[0]!.seatId, commands: [{ kind: 'fire', x: 1, y: 1 }] },
      ]);
      // The packet went to the intruder's own room.
      second.seated[1]!.send('ls.cmd', packet(2, []));
      await until(() => second.engine.turn === 3, 2000, 'second room turn 2');
      expect(second.engine.exportLog().masters[2]?.commands).toEqual([
        { seat: intruder.seatId, commands: [{ kind: 'move', x: 666, y: 666 }] },
      ]);
    });
  });
});
