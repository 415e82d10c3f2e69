/**
 * What the lockstep relay benchmark's processes share: the workload constants, a clock that
 * means the same in every process, the probe both servers use to timestamp their master
 * packets, and the parent <-> server IPC messages.
 */

/** Turn length of both servers (Chartroom: fixed with minTurnMs = maxTurnMs = 50). */
export const TURN_MS = 50;
export const CLIENTS_PER_ROOM = 8;
export const INPUT_DELAY_TURNS = 2;
/** A turn is late when its master arrives more than this long after the previous one. */
export const LATE_TURN_MS = 1.5 * TURN_MS;

/**
 * Milliseconds on CLOCK_MONOTONIC (`process.hrtime`): one time base for every process on this
 * machine, so a server's timestamp and a client's can be subtracted.
 */
export const nowMs = (): number => Number(process.hrtime.bigint()) / 1e6;

/** Per master packet issued during the measured window: its envelope seq, deadline and encode time. */
export interface IssueRecords {
  readonly seq: number[];
  /** Start of the callback that issued the turn: the turn timer, or the last command packet. */
  readonly deadline: number[];
  /** When its bytes were ready to go out (encoded once for every recipient). */
  readonly encoded: number[];
}

const MASTER_PREFIX = Buffer.from('{"type":"ls.master","seq":');

/**
 * Instrumentation both servers carry identically: `enter()` at the start of every timer
 * callback and every inbound frame, `encoded(frame)` for every broadcast frame once encoded. A
 * new `ls.master` frame records (seq, start of the current callback, now). Between `start()` and
 * `stop()` only; outside the window it is one comparison per call.
 */
export function createProbe() {
  let recording = false;
  let callbackStart = 0;
  let records: IssueRecords = { seq: [], deadline: [], encoded: [] };
  return {
    enter(): void {
      if (recording) callbackStart = nowMs();
    },
    encoded(frame: Uint8Array | string): void {
      if (!recording || typeof frame === 'string') return;
      for (let i = 0; i < MASTER_PREFIX.length; i++) if (frame[i] !== MASTER_PREFIX[i]) return;
      let seq = 0;
      for (let i = MASTER_PREFIX.length; i < frame.length; i++) {
        const digit = (frame[i] as number) - 48;
        if (digit < 0 || digit > 9) break;
        seq = seq * 10 + digit;
      }
      records.seq.push(seq);
      records.deadline.push(callbackStart);
      records.encoded.push(nowMs());
    },
    /** Masters recorded so far in this window. */
    issued(): number {
      return records.seq.length;
    },
    start(): void {
      records = { seq: [], deadline: [], encoded: [] };
      recording = true;
    },
    stop(): IssueRecords {
      recording = false;
      return records;
    },
  };
}
export type Probe = ReturnType<typeof createProbe>;

/** One room as the load generator sees it: where to connect and with which tickets. */
export interface RoomSetup {
  readonly roomId: string;
  /** Chartroom: one join ticket per client; relay: none. */
  readonly tickets: readonly string[];
}

export type ParentMessage =
  | { readonly cmd: 'setup'; readonly rooms: number }
  | { readonly cmd: 'start' }
  | { readonly cmd: 'stop' }
  | { readonly cmd: 'exit' };

export type ChildMessage =
  | { readonly event: 'listening'; readonly port: number; readonly path: string }
  | { readonly event: 'setup'; readonly rooms: readonly RoomSetup[] }
  | { readonly event: 'started' }
  | {
      readonly event: 'stopped';
      /** Server CPU time (user + system) over the window, ms. */
      readonly cpuMs: number;
      readonly wallMs: number;
      /**
       * The window cut in one-second slices: CPU ms and masters issued in each (the quietest
       * slice is the best estimate on a machine shared with other work).
       */
      readonly slices: readonly { readonly cpuMs: number; readonly masters: number }[];
      readonly issues: IssueRecords;
      /** Anything else worth a look (frame counters, errors). */
      readonly notes: Record<string, unknown>;
    };

export interface ChildServer {
  listen(): Promise<{ port: number; path: string }>;
  setup(rooms: number): Promise<RoomSetup[]>;
  notes(): Record<string, unknown>;
  close(): Promise<void>;
}

/** The server side of the IPC: answers the parent's commands, exits when the parent goes away. */
export async function serveChild(server: ChildServer, probe: Probe): Promise<void> {
  const send = (message: ChildMessage) => process.send?.(message);
  let cpu: NodeJS.CpuUsage | undefined;
  let wall = 0;
  let slicer: NodeJS.Timeout | undefined;
  let slices: { cpuMs: number; masters: number }[] = [];
  const exit = async () => {
    const timer = setTimeout(() => process.exit(0), 2000);
    timer.unref();
    await server.close().catch(() => undefined);
    process.exit(0);
  };
  process.on('disconnect', () => void exit());
  process.on('message', (message: ParentMessage) => {
    switch (message.cmd) {
      case 'setup':
        server.setup(message.rooms).then(
          (rooms) => send({ event: 'setup', rooms }),
          (error: unknown) => {
            console.error('setup failed', error);
            process.exit(1);
          },
        );
        return;
      case 'start': {
        probe.start();
        wall = nowMs();
        cpu = process.cpuUsage();
        slices = [];
        let sliceCpu = cpu;
        let sliceMasters = 0;
        slicer = setInterval(() => {
          const used = process.cpuUsage(sliceCpu);
          sliceCpu = process.cpuUsage();
          const masters = probe.issued();
          slices.push({ cpuMs: (used.user + used.system) / 1000, masters: masters - sliceMasters });
          sliceMasters = masters;
        }, 1000);
        return send({ event: 'started' });
      }
      case 'stop': {
        const used = process.cpuUsage(cpu);
        const wallMs = nowMs() - wall;
        clearInterval(slicer);
        const issues = probe.stop();
        return send({
          event: 'stopped',
          cpuMs: (used.user + used.system) / 1000,
          wallMs,
          slices,
          issues,
          notes: server.notes(),
        });
      }
      case 'exit':
        return void exit();
    }
  });
  const { port, path } = await server.listen();
  send({ event: 'listening', port, path });
}
