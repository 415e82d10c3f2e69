/**
 * A raw JSON-envelope client over `ws`, for tests that need exact frames on the wire (the SDK
 * would never send a stale seq or a malformed frame), plus an HTTP ticket helper.
 */
import { ENVELOPE_PROTOCOL_VERSION } from 'chartroom/protocols/json-envelope';
import type { RoomWire } from 'chartroom/protocols/json-envelope';
import { WebSocket } from 'ws';
import type { ClientOptions, RawData } from 'ws';

export type Payload = Record<string, unknown>;

/** One envelope the server sent. */
export interface Frame<P = Payload> {
  readonly type: string;
  readonly seq: number;
  readonly ts: number;
  readonly payload: P;
}

export interface JoinedPayload {
  readonly system_id: string;
  readonly seat_id: string;
  readonly role: 'player' | 'viewer';
  readonly resume_token: string;
  readonly room: RoomWire;
}

export interface ErrorPayload {
  readonly code: string;
  readonly message: string;
  readonly ref_type?: string;
  readonly ref_seq?: number;
}

export interface CloseEventInfo {
  readonly code: number;
  readonly reason: string;
}

type Match = string | ((frame: Frame) => boolean);

export interface RawClient {
  readonly ws: WebSocket;
  /** Every envelope received, in arrival order. */
  readonly frames: readonly Frame[];
  /** Resolves when the socket has closed, with the close code and reason. */
  readonly closed: Promise<CloseEventInfo>;
  /** Whether the close event has fired. */
  readonly isClosed: boolean;
  /** Transport pings received from the server. */
  readonly pings: number;
  /** Last seq this client used. */
  readonly seq: number;
  /** Send an envelope; `seq` defaults to the next number. Returns the seq used. */
  send(type: string, payload: unknown, seq?: number): number;
  /** Send bytes exactly as given (text frame for a string, binary for a Buffer). */
  sendRaw(data: string | Buffer): void;
  /**
   * The first received frame not yet taken by an earlier `next` that matches (a type or a
   * predicate), waiting up to `timeoutMs` for it.
   */
  next<P = Payload>(match: Match, timeoutMs?: number): Promise<Frame<P>>;
  /** `auth.login` with a ticket; resolves with the `auth.ok` or `auth.error` answer. */
  login(token: string): Promise<Frame>;
  /** `auth.login` with a resume token; resolves with `session.joined` or `auth.error`. */
  resume(resumeToken: string): Promise<Frame>;
  /** `session.join_system`; resolves with `session.joined` or the `error` answer. */
  join(roomId: string, role?: 'player' | 'viewer'): Promise<Frame>;
  close(): void;
}

/** The server's JSON-envelope WebSocket endpoint for an HTTP base URL. */
export const wsEndpoint = (url: string) => `${url.replace(/^http/, 'ws')}/ws/json-envelope`;

/** Open a raw client; resolves once the WebSocket is open. */
export async function connectRaw(url: string, options: ClientOptions = {}, query = ''): Promise<RawClient> {
  const ws = new WebSocket(`${wsEndpoint(url)}${query}`, options);
  const frames: Frame[] = [];
  const taken = new Set<number>();
  const waiters = new Set<() => void>();
  let seq = 0;
  let pings = 0;
  let isClosed = false;

  ws.on('message', (data: RawData) => {
    const text = Buffer.isBuffer(data) ? data.toString('utf8') : String(data);
    frames.push(JSON.parse(text) as Frame);
    for (const wake of [...waiters]) wake();
  });
  ws.on('ping', () => void pings++);
  ws.on('error', () => undefined);
  const closed = new Promise<CloseEventInfo>((resolve) => {
    ws.on('close', (code: number, reason: Buffer) => {
      isClosed = true;
      resolve({ code, reason: reason.toString('utf8') });
      for (const wake of [...waiters]) wake();
    });
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });

  const matches = (match: Match, frame: Frame) =>
    typeof match === 'string' ? frame.type === match : match(frame);

  const client: RawClient = {
    ws,
    frames,
    closed,
    get isClosed() {
      return isClosed;
    },
    get pings() {
      return pings;
    },
    get seq() {
      return seq;
    },
    send(type, payload, useSeq) {
      const s = useSeq ?? ++seq;
      seq = Math.max(seq, s);
      ws.send(JSON.stringify({ type, seq: s, ts: Date.now(), payload }));
      return s;
    },
    sendRaw(data) {
      ws.send(data, { binary: typeof data !== 'string' });
    },
    next<P = Payload>(match: Match, timeoutMs = 2000): Promise<Frame<P>> {
      return new Promise<Frame<P>>((resolve, reject) => {
        const look = () => {
          const index = frames.findIndex((frame, i) => !taken.has(i) && matches(match, frame));
          if (index >= 0) {
            taken.add(index);
            finish();
            resolve(frames[index] as Frame<P>);
          } else if (isClosed) {
            finish();
            reject(new Error(`Socket closed before a frame matching ${String(match)} arrived`));
          }
        };
        const timer = setTimeout(() => {
          finish();
          reject(new Error(`No frame matching ${String(match)} within ${timeoutMs} ms`));
        }, timeoutMs);
        const finish = () => {
          clearTimeout(timer);
          waiters.delete(look);
        };
        waiters.add(look);
        look();
      });
    },
    login(token) {
      client.send('auth.login', { token, protocol_version: ENVELOPE_PROTOCOL_VERSION });
      return client.next((f) => f.type === 'auth.ok' || f.type === 'auth.error');
    },
    resume(resumeToken) {
      client.send('auth.login', { resume_token: resumeToken, protocol_version: ENVELOPE_PROTOCOL_VERSION });
      return client.next((f) => f.type === 'session.joined' || f.type === 'auth.error');
    },
    join(roomId, role) {
      client.send('session.join_system', { system_id: roomId, ...(role ? { role } : {}) });
      return client.next((f) => f.type === 'session.joined' || f.type === 'error');
    },
    close() {
      ws.close(1000, 'test done');
    },
  };
  return client;
}

export interface TicketBody {
  readonly token: string;
  readonly player_id: string;
  readonly name: string;
  readonly room_id: string;
  readonly expires_at: number;
  readonly endpoints: Record<string, string>;
}

/** `POST /rooms/:id/join`: a join ticket (throws unless 200). */
export async function requestTicket(
  url: string,
  roomId: string,
  body: { name?: string; role?: 'player' | 'viewer' } = {},
): Promise<TicketBody> {
  const response = await fetch(`${url}/rooms/${roomId}/join`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (response.status !== 200) throw new Error(`POST /rooms/${roomId}/join: HTTP ${response.status}`);
  return (await response.json()) as TicketBody;
}

/** Ticket, connect, log in and join: a seated raw client and its `session.joined` frame. */
export async function seatRaw(
  url: string,
  roomId: string,
  name: string,
  options: ClientOptions = {},
): Promise<{ raw: RawClient; joined: Frame<JoinedPayload> }> {
  const ticket = await requestTicket(url, roomId, { name });
  const raw = await connectRaw(url, options);
  const auth = await raw.login(ticket.token);
  if (auth.type !== 'auth.ok') throw new Error(`login failed: ${JSON.stringify(auth.payload)}`);
  const joined = await raw.join(roomId);
  if (joined.type !== 'session.joined') throw new Error(`join failed: ${JSON.stringify(joined.payload)}`);
  return { raw, joined: joined as Frame<unknown> as Frame<JoinedPayload> };
}
