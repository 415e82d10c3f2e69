/**
 * The baseline of the lockstep relay benchmark: a minimal hand-written relay on a plain `ws`
 * WebSocketServer, no framework. Per room it collects one command packet per client per turn,
 * and on a 50 ms timer (on a grid of turn lengths, restarted after a late turn, like
 * Chartroom's turn clock) builds the
 * master packet once, as the same JSON envelope Chartroom sends (`ls.master`, same payload
 * shape), encodes it once and writes the same bytes to the 8 clients. A turn still incomplete
 * at its deadline goes out as soon as its last packet arrives. No validation beyond shape
 * checks, no acks, no resends, no checksums, no statecharts.
 *
 * Run by bench/lockstep.bench.ts: node --conditions=chartroom-source --import tsx bench/lockstep/server-relay.ts
 */
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import type { RawData, WebSocket } from 'ws';
import { CLIENTS_PER_ROOM, INPUT_DELAY_TURNS, TURN_MS, createProbe, serveChild } from './shared.js';
import type { RoomSetup } from './shared.js';

const probe = createProbe();
let seq = 0;
let framesIn = 0;
let framesOut = 0;
let badFrames = 0;

const send = (socket: WebSocket, frame: Buffer) => {
  framesOut++;
  socket.send(frame, { binary: false });
};

const envelope = (type: string, payload: unknown) =>
  Buffer.from(JSON.stringify({ type, seq: ++seq, ts: Date.now(), payload }));

class Room {
  readonly sockets: WebSocket[] = [];
  readonly seats: string[] = [];
  #ready = 0;
  #turn = 0;
  #lagging = false;
  /** The current turn's deadline. */
  #due = 0;
  /** Commands per seat index for the turns not issued yet, by turn. */
  #pending = new Map<number, { commands: unknown[][]; count: number }>();

  join(socket: WebSocket): number | undefined {
    if (this.sockets.length >= CLIENTS_PER_ROOM) return undefined;
    this.seats.push(`p${this.sockets.length + 1}`);
    return this.sockets.push(socket) - 1;
  }

  ready(): void {
    if (++this.#ready !== CLIENTS_PER_ROOM) return;
    const start = envelope('ls.start', {
      seed: 1,
      config: {},
      players: this.seats,
      input_delay: INPUT_DELAY_TURNS,
      turn_ms: TURN_MS,
      iterations: 1,
      turn: 0,
    });
    for (const socket of this.sockets) send(socket, start);
    this.#due = Date.now();
    this.#arm();
  }

  command(seat: number, turn: number, commands: unknown[]): void {
    if (turn < this.#turn || turn > this.#turn + INPUT_DELAY_TURNS + 64) return;
    let entry = this.#pending.get(turn);
    if (!entry) this.#pending.set(turn, (entry = { commands: new Array(CLIENTS_PER_ROOM), count: 0 }));
    if (entry.commands[seat] !== undefined) return;
    entry.commands[seat] = commands;
    entry.count++;
    if (this.#lagging && turn === this.#turn && this.#complete()) this.#issue();
  }

  #complete(): boolean {
    return this.#turn < INPUT_DELAY_TURNS || this.#pending.get(this.#turn)?.count === CLIENTS_PER_ROOM;
  }

  #arm(): void {
    const now = Date.now();
    this.#due = Math.max(this.#due + TURN_MS, now);
    setTimeout(() => {
      probe.enter();
      if (this.#complete()) this.#issue();
      else this.#lagging = true;
    }, this.#due - now);
  }

  #issue(): void {
    const turn = this.#turn++;
    const late = this.#lagging;
    this.#lagging = false;
    const entry = this.#pending.get(turn);
    this.#pending.delete(turn);
    const commands: { seat: string; commands: unknown[] }[] = [];
    if (entry) {
      for (let i = 0; i < CLIENTS_PER_ROOM; i++) {
        const list = entry.commands[i];
        if (list && list.length) commands.push({ seat: this.seats[i] as string, commands: list });
      }
    }
    const master = envelope('ls.master', { turn, commands, turn_ms: TURN_MS, iterations: 1 });
    probe.encoded(master);
    for (const socket of this.sockets) send(socket, master);
    if (late) this.#due = Date.now();
    this.#arm();
  }
}

const rooms = new Map<string, Room>();
let wss: WebSocketServer | undefined;

const onConnection = (socket: WebSocket, request: IncomingMessage) => {
  const roomId = new URL(request.url ?? '/', 'http://localhost').searchParams.get('room') ?? '';
  const room = rooms.get(roomId);
  const seat = room?.join(socket);
  if (!room || seat === undefined) return socket.close(1008, 'no such room or full');
  socket.on('error', () => undefined);
  socket.on('message', (data: RawData) => {
    probe.enter();
    framesIn++;
    let message: { type?: unknown; payload?: { turn?: unknown; commands?: unknown } };
    try {
      message = JSON.parse(String(data)) as typeof message;
    } catch {
      badFrames++;
      return;
    }
    const payload = message.payload;
    if (message.type === 'ls.cmd' && payload && Number.isInteger(payload.turn)) {
      if (Array.isArray(payload.commands)) room.command(seat, payload.turn as number, payload.commands);
    } else if (message.type === 'room.ready') {
      room.ready();
    } else {
      badFrames++;
    }
  });
};

await serveChild(
  {
    async listen() {
      const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
      wss = server;
      server.on('connection', onConnection);
      await new Promise<void>((resolve) => server.once('listening', () => resolve()));
      return { port: (server.address() as AddressInfo).port, path: '/' };
    },
    async setup(count) {
      const setups: RoomSetup[] = [];
      for (let i = 0; i < count; i++) {
        const roomId = `r${rooms.size}`;
        rooms.set(roomId, new Room());
        setups.push({ roomId, tickets: [] });
      }
      return setups;
    },
    notes: () => ({ framesIn, framesOut, badFrames }),
    async close() {
      const server = wss;
      if (!server) return;
      for (const client of server.clients) client.terminate();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  },
  probe,
);
