/**
 * The load generator of the lockstep relay benchmark: raw `ws` clients, identical for both
 * servers. Each client answers every master packet of turn T with one command packet for turn
 * T + input delay, the envelope the Chartroom lockstep runner sends
 * (`{type:'ls.cmd', seq, ts, payload:{turn, commands, latency_ms, fps, checksum:{turn,value}, ack}}`),
 * carrying one arena `move` command. Against Chartroom a client first does the real handshake:
 * `auth.login` with its join ticket, `session.join_system`, then `room.ready` once its room is full.
 */
import { WebSocket } from 'ws';
import type { RawData } from 'ws';
import { CLIENTS_PER_ROOM, INPUT_DELAY_TURNS, nowMs } from './shared.js';
import type { RoomSetup } from './shared.js';

export type ServerKind = 'chartroom' | 'relay';

/** What one client saw of the masters during the measured window. */
export interface Arrivals {
  readonly room: number;
  readonly seq: number[];
  readonly turn: number[];
  readonly at: number[];
}

/** Every master arrival during the window, per client, and how the clients fared. */
export interface LoadResult {
  readonly clients: readonly Arrivals[];
  readonly errors: readonly string[];
}

const MASTER_PREFIX = '{"type":"ls.master","seq":';
const SEQ_AND_TURN = /^\{"type":"ls\.master","seq":(\d+),"ts":\d+,"payload":\{"turn":(\d+)/;

/** Same for every client: the checksum the clients agree on for a turn (8 hex digits). */
const checksumOf = (turn: number) => (Math.imul(turn + 1, 2654435761) >>> 0).toString(16).padStart(8, '0');

class Client {
  readonly socket: WebSocket;
  readonly arrivals: Arrivals;
  recording = false;
  #seq = 0;
  #room: number;
  #seat: number;
  #onSetup: ((type: string, payload: Record<string, unknown>) => void) | undefined;
  #started: (() => void) | undefined;
  readonly started: Promise<void>;
  readonly opened: Promise<void>;

  constructor(url: string, room: number, seat: number, errors: string[]) {
    this.#room = room;
    this.#seat = seat;
    this.arrivals = { room, seq: [], turn: [], at: [] };
    this.started = new Promise((resolve) => (this.#started = resolve));
    this.socket = new WebSocket(url, {
      perMessageDeflate: false,
      // A zero mask: ws skips masking, which keeps the load generator's own CPU down.
      generateMask: () => undefined,
      skipUTF8Validation: true,
    });
    this.socket.on('message', (data: RawData) => this.#message(data as Buffer));
    this.socket.on('error', (error) => errors.push(`client ${room}/${seat}: ${error.message}`));
    this.socket.on('close', (code, reason) => {
      if (code !== 1000 && code !== 1005)
        errors.push(`client ${room}/${seat} closed ${code} ${String(reason)}`);
    });
    this.opened = new Promise((resolve, reject) => {
      this.socket.once('open', () => resolve());
      this.socket.once('error', reject);
    });
  }

  send(type: string, payload: unknown): void {
    this.socket.send(JSON.stringify({ type, seq: ++this.#seq, ts: Date.now(), payload }));
  }

  /** Send `type` and resolve with the first answer of one of `expect` (setup only). */
  request(type: string, payload: unknown, expect: readonly string[]): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      this.#onSetup = (answer, body) => {
        if (!expect.includes(answer)) return;
        this.#onSetup = undefined;
        if (answer === 'auth.error' || answer === 'error')
          reject(new Error(`${type} refused: ${JSON.stringify(body)}`));
        else resolve(body);
      };
      this.send(type, payload);
    });
  }

  #message(data: Buffer): void {
    const at = nowMs();
    const head = data.toString('latin1', 0, 96);
    if (!head.startsWith(MASTER_PREFIX)) {
      const envelope = JSON.parse(data.toString('utf8')) as {
        type: string;
        payload: Record<string, unknown>;
      };
      this.#onSetup?.(envelope.type, envelope.payload);
      return;
    }
    const match = SEQ_AND_TURN.exec(head);
    if (!match) return;
    const turn = Number(match[2]);
    if (this.recording) {
      this.arrivals.seq.push(Number(match[1]));
      this.arrivals.turn.push(turn);
      this.arrivals.at.push(at);
    }
    this.#started?.();
    this.#started = undefined;
    // What LockstepRunner#sendPacket sends after applying turn `turn` (same keys, same order).
    const x = (turn * 37 + this.#seat * 101 + this.#room) % 1001;
    const y = (turn * 53 + this.#seat * 17) % 1001;
    this.socket.send(
      `{"type":"ls.cmd","seq":${++this.#seq},"ts":${Date.now()},"payload":{"turn":${turn + INPUT_DELAY_TURNS},` +
        `"commands":[{"kind":"move","x":${x},"y":${y}}],"latency_ms":2,"fps":60,` +
        `"checksum":{"turn":${turn},"value":"${checksumOf(turn)}"},"ack":${turn}}}`,
    );
  }
}

/** Run `fn` over `items` with at most `limit` at a time. */
async function pool<T>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      await fn(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

export interface Load {
  /** Every client seated, its room full and ready, and its first master received. */
  readonly ready: Promise<void>;
  startRecording(): void;
  stopRecording(): LoadResult;
  close(): void;
}

/** Seat CLIENTS_PER_ROOM clients in every room and start the turn loop. */
export function startLoad(kind: ServerKind, port: number, path: string, rooms: readonly RoomSetup[]): Load {
  const errors: string[] = [];
  const clients: Client[] = [];
  const base = `ws://127.0.0.1:${port}${path}`;

  const seatRoom = async (setup: RoomSetup, room: number) => {
    const seated = await Promise.all(
      Array.from({ length: CLIENTS_PER_ROOM }, async (_, seat) => {
        const url = kind === 'relay' ? `${base}?room=${encodeURIComponent(setup.roomId)}` : base;
        const client = new Client(url, room, seat, errors);
        clients.push(client);
        await client.opened;
        if (kind === 'chartroom') {
          await client.request('auth.login', { token: setup.tickets[seat], protocol_version: 1 }, [
            'auth.ok',
            'auth.error',
          ]);
          await client.request('session.join_system', { system_id: setup.roomId }, [
            'session.joined',
            'error',
          ]);
        }
        return client;
      }),
    );
    for (const client of seated) client.send('room.ready', { ready: true });
  };

  const ready = (async () => {
    await pool(rooms, 8, seatRoom);
    await Promise.all(clients.map((client) => client.started));
  })();

  return {
    ready,
    startRecording() {
      for (const client of clients) client.recording = true;
    },
    stopRecording() {
      for (const client of clients) client.recording = false;
      return { clients: clients.map((client) => client.arrivals), errors: [...errors] };
    },
    close() {
      for (const client of clients) client.socket.terminate();
    },
  };
}
