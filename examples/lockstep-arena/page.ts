/**
 * The lockstep arena in the browser: join, ready, play. Every page runs the same deterministic
 * engine (./engine.ts) and only ever changes it by applying the server's master packets, through
 * the lockstep runner; the page's own input becomes commands that execute `input_delay` turns
 * later, on every screen at once. Nothing here writes to the engine's state.
 *
 * The view is free to do what the engine may not: it interpolates ship positions between turns
 * with the wall clock and echoes the local player's move target at once.
 *
 * For tests and the console the page exposes a read-only `window.arena` (see `ArenaProbe`) and
 * stable element ids (#turn, #checksum, #status, ...).
 */
import { createClient, createLockstepRunner } from 'chartroom/client';
import type { LockstepRunner, RoomSession, SessionError } from 'chartroom/client';
import type { SeatView } from 'chartroom';
import type { Divergence, MasterPacket } from 'chartroom/sync/lockstep';
import { WORLD, createArenaEngine } from './engine.js';
import type { ArenaCommand, ArenaState, Ship } from './engine.js';
import { arenaMessages } from './room.js';

/** Where the page stands, as one word (shown in #status and read by tests). */
export type ArenaStatus =
  'idle' | 'joining' | 'setup' | 'running' | 'paused' | 'halted' | 'ended' | 'reconnecting' | 'closed';

/** `window.arena`: a read-only view of the page's match for tests and the console. */
export interface ArenaProbe {
  /** The last turn applied (-1 before the first). */
  readonly turn: number;
  /** The engine's checksum now (after `turn`). */
  checksum(): string;
  /** The checksum after `turn`, for the last `CHECKSUM_HISTORY` turns this page applied. */
  checksumAt(turn: number): string | undefined;
  readonly status: ArenaStatus;
  readonly seatId: string;
  readonly role: 'player' | 'viewer' | '';
  /** The room chart's state, e.g. `setup.open`, `running.iterating`, `running.paused.lagging`. */
  readonly phase: string;
}

type ArenaSession = RoomSession<typeof arenaMessages>;

/** Turns whose checksum the page remembers, for comparing pages at equal turns. */
const CHECKSUM_HISTORY = 4096;
/** Codes after which the stored resume token is useless. */
const SEAT_GONE = new Set([
  'AUTH_RESUME_REJECTED',
  'AUTH_TOKEN_EXPIRED',
  'AUTH_INVALID_TOKEN',
  'CONN_GRACE_EXPIRED',
  'ROOM_CLOSED',
]);
const COLORS = ['#60a5fa', '#f472b6', '#34d399', '#fbbf24', '#a78bfa', '#f87171', '#2dd4bf', '#fb923c'];

const $ = <T extends HTMLElement = HTMLElement>(id: string) => {
  const element = document.getElementById(id);
  if (!element) throw new Error(`#${id} is missing from page.html`);
  return element as T;
};
const canvas = $<HTMLCanvasElement>('arena');
const ctx = canvas.getContext('2d') as CanvasRenderingContext2D;
const nameInput = $<HTMLInputElement>('name');
const joinButton = $<HTMLButtonElement>('join');
const readyButton = $<HTMLButtonElement>('ready');
const leaveButton = $<HTMLButtonElement>('leave');

const roomId = new URLSearchParams(location.search).get('game_id') ?? 'demo-arena';
const tokenKey = `chartroom:${roomId}`;
$('room').textContent = roomId;

const client = createClient({
  baseUrl: location.origin,
  messages: arenaMessages,
  // Every join hands out a new single-use resume token: keep the latest for a reload.
  onResumeToken: (token) => sessionStorage.setItem(tokenKey, token),
});

type Point = { x: number; y: number };
type Pose = Point & { alive: boolean };

/** What the page keeps about the match besides the engine: timing, lag, input, interpolation. */
interface MatchView {
  /** Checksum after each applied turn (the last CHECKSUM_HISTORY of them). */
  readonly checksums: Map<number, string>;
  /** Ship positions before and after the last applied turn, and when it was applied. */
  from: Map<string, Pose>;
  to: Map<string, Pose>;
  appliedAt: number;
  turnMs: number;
  iterations: number;
  waitingFor: readonly string[];
  halt: Divergence | undefined;
  /** Input coalesced per turn: the latest move and at most one shot (the engine fires once per reload). */
  move: ArenaCommand | undefined;
  fire: ArenaCommand | undefined;
  /** Where the local player last asked to go (echoed at once, before the command executes). */
  target: Point | undefined;
}

/** Everything that belongs to one seat in one match; replaced on join, resume and leave. */
interface Match {
  readonly session: ArenaSession;
  readonly engine: ReturnType<typeof createArenaEngine>;
  readonly runner: LockstepRunner<ArenaCommand>;
  readonly view: MatchView;
}

let match: Match | undefined;
let joining = false;
let pointer: Point | undefined;

const log = (text: string) => ($('log').textContent = text);
const nameOf = (seat: string) => match?.session.room?.seats.find((s) => s.seatId === seat)?.name ?? seat;

function status(): ArenaStatus {
  if (!match) return joining ? 'joining' : 'idle';
  const { session, runner } = match;
  if (session.status !== 'connected') return session.status;
  const phase = session.room?.phase ?? '';
  if (runner.halted || phase.startsWith('halted')) return 'halted';
  if (phase.startsWith('ended')) return 'ended';
  if (phase.startsWith('running.paused')) return 'paused';
  if (phase.startsWith('running')) return 'running';
  return 'setup';
}

const poses = (state: ArenaState) =>
  new Map(state.ships.map((s) => [s.seat, { x: s.x, y: s.y, alive: s.hp > 0 }]));
const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Take over a joined or resumed session: a fresh engine and runner (it catches up from turn 0). */
function attach(session: ArenaSession): void {
  match?.runner.stop();
  const engine = createArenaEngine();
  const view: MatchView = {
    checksums: new Map(),
    from: new Map(),
    to: new Map(),
    appliedAt: 0,
    turnMs: 0,
    iterations: 0,
    waitingFor: [],
    halt: undefined,
    move: undefined,
    fire: undefined,
    target: undefined,
  };
  const runner = createLockstepRunner<ArenaCommand>({
    session,
    engine,
    onTurn: (turn: number, master: MasterPacket<ArenaCommand>) => {
      // Called after each applied turn, just before the runner sends this player's next packet:
      // the moment to hand over the input gathered since the last one.
      if (view.move) runner.queue(view.move);
      if (view.fire) runner.queue(view.fire);
      view.move = view.fire = undefined;
      view.checksums.set(turn, engine.checksum());
      if (view.checksums.size > CHECKSUM_HISTORY) view.checksums.delete(turn - CHECKSUM_HISTORY);
      view.turnMs = master.turn_ms;
      view.iterations = master.iterations;
      view.from = view.to;
      view.to = poses(engine.state);
      view.appliedAt = performance.now();
    },
    onLag: (waitingFor) => (view.waitingFor = waitingFor),
    onHalt: (divergence) => {
      view.halt = divergence;
      const groups = divergence.groups.map((g) => `${g.checksum} (${g.seats.map(nameOf).join(', ')})`);
      $('halt').textContent =
        `Halted at turn ${divergence.turn}: the game states diverged, ${groups.join(' vs ')}. ` +
        `Out of step: ${divergence.diverged.map(nameOf).join(', ') || 'no majority'}.`;
    },
  });
  match = { session, engine, runner, view };
  session.on('ls.dropped', ({ seats }) => log(`Dropped for lagging: ${seats.map(nameOf).join(', ')}.`));
  session.onError((error: SessionError) => {
    log(`${error.code}: ${error.message}`);
    if (SEAT_GONE.has(error.code)) sessionStorage.removeItem(tokenKey);
  });
  session.onStatus((s) => {
    if (s === 'reconnecting') log('Connection lost: taking the seat back…');
    if (s === 'connected') log('Reconnected.');
  });
  $('halt').textContent = '';
  renderControls();
}

function detach(): void {
  match?.runner.stop();
  match = undefined;
  sessionStorage.removeItem(tokenKey);
  renderControls();
}

// ---- input -----------------------------------------------------------------------------------

const toWorld = (event: MouseEvent) => {
  const rect = canvas.getBoundingClientRect();
  const clamp = (n: number) => Math.min(WORLD, Math.max(0, Math.round(n)));
  return {
    x: clamp(((event.clientX - rect.left) / rect.width) * WORLD),
    y: clamp(((event.clientY - rect.top) / rect.height) * WORLD),
  };
};
/** Only a seated player of a running, unhalted match gives commands (viewers watch). */
function command(kind: ArenaCommand['kind'], at: Point): void {
  if (!match || match.session.role !== 'player' || match.runner.turn < 0 || match.view.halt) return;
  if (kind === 'move') {
    match.view.move = { kind, ...at };
    match.view.target = at;
  } else {
    match.view.fire = { kind, ...at };
  }
}

canvas.addEventListener('mousemove', (event) => (pointer = toWorld(event)));
canvas.addEventListener('mouseleave', () => (pointer = undefined));
canvas.addEventListener('click', (event) => command(event.shiftKey ? 'fire' : 'move', toWorld(event)));
canvas.addEventListener('contextmenu', (event) => {
  event.preventDefault();
  command('fire', toWorld(event));
});
window.addEventListener('keydown', (event) => {
  if (event.target instanceof HTMLInputElement || !pointer) return;
  if (event.key === 'f' || event.key === 'F' || event.key === ' ') {
    event.preventDefault();
    command('fire', pointer);
  }
});

// ---- joining, resuming, ready, leave -----------------------------------------------------------

async function enter(how: () => Promise<ArenaSession>, failure: (error: unknown) => void): Promise<void> {
  joining = true;
  renderControls();
  try {
    // Attach in the same task the session is handed over: the room greets the seat (ls.start)
    // right after `joined`, and the runner must be listening by then.
    attach(await how());
  } catch (error) {
    failure(error);
  } finally {
    joining = false;
    renderControls();
  }
}

joinButton.addEventListener('click', () => {
  const name = nameInput.value.trim();
  void enter(
    () => client.join(roomId, name ? { name } : {}),
    (error) => log(`Could not join: ${error instanceof Error ? error.message : String(error)}`),
  );
});
readyButton.addEventListener('click', () => {
  if (!match) return;
  const seat = match.session.room?.seats.find((s) => s.seatId === match?.session.seatId);
  match.session.ready(!seat?.ready);
});
leaveButton.addEventListener('click', () => {
  match?.session.leave();
  detach();
  log('You left the room.');
});

function renderControls(): void {
  const room = match?.session.room;
  const me = room?.seats.find((s) => s.seatId === match?.session.seatId);
  const inSetup = room?.phase.startsWith('setup') ?? false;
  // A closed session (seat lost for good, room closed) lets the player join again.
  joinButton.disabled = joining || (match !== undefined && match.session.status !== 'closed');
  nameInput.disabled = joinButton.disabled;
  readyButton.disabled = !match || !inSetup || match.session.role !== 'player';
  readyButton.textContent = inSetup && me?.ready ? 'Not ready' : 'Ready';
  leaveButton.disabled = !match || match.session.status === 'closed';
  $('seat').textContent = match
    ? `${me?.name ?? '?'} · ${match.session.seatId} (${match.session.role})`
    : '-';
}

// ---- drawing -----------------------------------------------------------------------------------

const setText = (id: string, text: string) => {
  const element = $(id);
  if (element.textContent !== text) element.textContent = text;
};

function drawShip(ship: Ship, index: number, at: Point, mine: boolean, scale: number): void {
  const color = COLORS[index % COLORS.length] as string;
  const x = at.x * scale;
  const y = at.y * scale;
  const r = 14 * scale * 1.2;
  if (ship.hp <= 0) {
    ctx.globalAlpha = 0.35;
    ctx.strokeStyle = color;
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.moveTo(x - r, y - r);
    ctx.lineTo(x + r, y + r);
    ctx.moveTo(x + r, y - r);
    ctx.lineTo(x - r, y + r);
    ctx.stroke();
    ctx.globalAlpha = 1;
    return;
  }
  // Heading: toward the ship's destination.
  const angle = Math.atan2(ship.ty - ship.y, ship.tx - ship.x);
  ctx.save();
  ctx.translate(x, y);
  ctx.rotate(ship.tx === ship.x && ship.ty === ship.y ? -Math.PI / 2 : angle);
  ctx.fillStyle = color;
  ctx.beginPath();
  ctx.moveTo(r, 0);
  ctx.lineTo(-r * 0.7, r * 0.65);
  ctx.lineTo(-r * 0.35, 0);
  ctx.lineTo(-r * 0.7, -r * 0.65);
  ctx.closePath();
  ctx.fill();
  ctx.restore();
  if (mine) {
    ctx.strokeStyle = '#ffffff';
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    ctx.arc(x, y, r * 1.45, 0, Math.PI * 2);
    ctx.stroke();
  }
  // Hit points and name.
  const w = r * 2.2;
  ctx.fillStyle = '#1f2937';
  ctx.fillRect(x - w / 2, y - r * 1.9, w, 4);
  ctx.fillStyle = ship.hp > 50 ? '#4ade80' : ship.hp > 25 ? '#fbbf24' : '#f87171';
  ctx.fillRect(x - w / 2, y - r * 1.9, (w * ship.hp) / 100, 4);
  ctx.fillStyle = '#cbd5e1';
  ctx.font = '12px system-ui, sans-serif';
  ctx.textAlign = 'center';
  ctx.fillText(nameOf(ship.seat), x, y + r * 2.3);
}

function draw(now: number): void {
  const size = canvas.width;
  const scale = size / WORLD;
  ctx.fillStyle = '#0a0e18';
  ctx.fillRect(0, 0, size, size);
  ctx.strokeStyle = '#161d2e';
  ctx.lineWidth = 1;
  ctx.beginPath();
  for (let i = 100; i < WORLD; i += 100) {
    ctx.moveTo(i * scale, 0);
    ctx.lineTo(i * scale, size);
    ctx.moveTo(0, i * scale);
    ctx.lineTo(size, i * scale);
  }
  ctx.stroke();
  if (!match || match.runner.turn < 0) {
    ctx.fillStyle = '#8b93a7';
    ctx.font = '18px system-ui, sans-serif';
    ctx.textAlign = 'center';
    ctx.fillText(match ? 'Waiting for every player to be ready…' : 'Join to play', size / 2, size / 2);
    return;
  }
  const { state } = match.engine;
  const { view } = match;
  const mine = match.session.seatId;
  // Interpolate between the positions before and after the last turn over the turn's length.
  const t = Math.min(1, (now - view.appliedAt) / Math.max(1, view.turnMs));
  const ownShip = state.ships.find((s) => s.seat === mine);
  if (view.target && ownShip && ownShip.hp > 0) {
    // The local echo of the last move order: drawn at once, executed input_delay turns later.
    ctx.strokeStyle = '#475569';
    ctx.lineWidth = 1;
    ctx.setLineDash([4, 6]);
    ctx.beginPath();
    ctx.moveTo(ownShip.x * scale, ownShip.y * scale);
    ctx.lineTo(view.target.x * scale, view.target.y * scale);
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.strokeRect(view.target.x * scale - 4, view.target.y * scale - 4, 8, 8);
  }
  state.ships.forEach((ship, index) => {
    const a = view.from.get(ship.seat);
    const b = view.to.get(ship.seat) ?? ship;
    // No glide out of a respawn: the ship reappears where the engine put it.
    const at = a?.alive ? { x: a.x + (b.x - a.x) * t, y: a.y + (b.y - a.y) * t } : b;
    drawShip(ship, index, at, ship.seat === mine, scale);
  });
  for (const shot of state.shots) {
    const index = state.ships.findIndex((s) => s.seat === shot.owner);
    ctx.strokeStyle = COLORS[Math.max(0, index) % COLORS.length] as string;
    ctx.lineWidth = 3;
    ctx.beginPath();
    ctx.moveTo((shot.x - shot.vx) * scale, (shot.y - shot.vy) * scale);
    ctx.lineTo(shot.x * scale, shot.y * scale);
    ctx.stroke();
  }
}

/** During the match: the ships by score. */
const shipRows = ({ engine, session }: Match) =>
  engine.state.ships
    .map((ship, index) => ({ ship, index }))
    .sort((a, b) => b.ship.score - a.ship.score || a.index - b.index)
    .map(
      ({ ship, index }) =>
        `<li${ship.seat === session.seatId ? ' class="you"' : ''}>` +
        `<span class="swatch" style="background:${COLORS[index % COLORS.length]}"></span>` +
        `<span class="name">${escapeHtml(nameOf(ship.seat))}</span>` +
        `<span class="mono">${ship.hp > 0 ? `${ship.hp} hp` : 'down'}</span>` +
        `<b class="mono">${ship.score}</b></li>`,
    )
    .join('');

/** Before it: who is in the room and who is ready. */
const seatRows = (seats: readonly SeatView[]) =>
  seats
    .filter((seat) => !seat.left)
    .map(
      (seat) =>
        `<li${seat.seatId === match?.session.seatId ? ' class="you"' : ''}>` +
        `<span class="name">${escapeHtml(seat.name)}</span>` +
        `<span class="mono">${seat.role === 'viewer' ? 'watching' : seat.ready ? 'ready ✓' : 'not ready'}` +
        `${seat.connected ? '' : ' · away'}</span></li>`,
    )
    .join('');

let lastScores = '';
function renderPanel(fps: number): void {
  const room = match?.session.room;
  setText('phase', room?.phase ?? '-');
  setText('status', status());
  const runner = match?.runner;
  setText('turn', runner && runner.turn >= 0 ? String(runner.turn) : '-');
  setText(
    'turn-ms',
    match && match.view.turnMs > 0 ? `${match.view.turnMs} ms · ${match.view.iterations} steps` : '-',
  );
  setText('latency', runner && runner.latencyMs > 0 ? `${Math.round(runner.latencyMs)} ms` : '-');
  setText('fps', fps > 0 ? fps.toFixed(0) : '-');
  setText('checksum', (runner && match?.view.checksums.get(runner.turn)) ?? '-');
  setText('lag', match?.view.waitingFor.map(nameOf).join(', ') ?? '');
  const rows = match && match.runner.turn >= 0 ? shipRows(match) : seatRows(room?.seats ?? []);
  if (rows !== lastScores) $('scores').innerHTML = lastScores = rows;
}

// One loop: report the frame to the runner (the server sizes turns to the slowest machine),
// draw, refresh the panel.
let fps = 0;
let lastFrame: number | undefined;
requestAnimationFrame(function loop(now: number) {
  match?.runner.frame(now);
  if (lastFrame !== undefined && now > lastFrame) {
    const instant = 1000 / (now - lastFrame);
    fps = fps === 0 ? instant : fps * 0.9 + instant * 0.1;
  }
  lastFrame = now;
  draw(now);
  renderPanel(fps);
  renderControls();
  requestAnimationFrame(loop);
});

// ---- the probe, and taking the seat back after a reload ----------------------------------------

const probe: ArenaProbe = Object.freeze({
  get turn() {
    return match?.runner.turn ?? -1;
  },
  checksum: () => match?.runner.checksum() ?? '',
  checksumAt: (turn: number) => match?.view.checksums.get(turn),
  get status() {
    return status();
  },
  get seatId() {
    return match?.session.seatId ?? '';
  },
  get role() {
    return match?.session.role ?? '';
  },
  get phase() {
    return match?.session.room?.phase ?? '';
  },
});
Object.defineProperty(window, 'arena', { value: probe, enumerable: true });

const stored = sessionStorage.getItem(tokenKey);
if (stored) {
  log('Taking your seat back…');
  void enter(
    async () => {
      const session = await client.resume(stored);
      log('Seat taken back: catching up with the match.');
      return session;
    },
    (error) => {
      sessionStorage.removeItem(tokenKey);
      log(
        `Could not take the seat back (${error instanceof Error ? error.message : String(error)}): join again.`,
      );
    },
  );
}
