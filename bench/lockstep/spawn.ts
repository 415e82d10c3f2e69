/**
 * Start a benchmark server in its own process (node --conditions=chartroom-source --import tsx)
 * and talk to it over IPC. Every child is killed when the parent exits, whatever happens.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import type { ChildMessage, ParentMessage } from './shared.js';

const live = new Set<ChildProcess>();
let hooked = false;

/** Kill every child still running (also wired to the parent's exit and signals). */
export function killAll(): void {
  for (const child of live) child.kill('SIGKILL');
  live.clear();
}

function hookExit() {
  if (hooked) return;
  hooked = true;
  process.once('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      killAll();
      process.exit(130);
    });
  }
}

export interface ServerProcess {
  readonly pid: number | undefined;
  /** Send a command and wait for the answer `event` (bounded by `timeoutMs`). */
  request<E extends ChildMessage['event']>(
    message: ParentMessage,
    event: E,
    timeoutMs?: number,
  ): Promise<Extract<ChildMessage, { event: E }>>;
  /** Wait for an event without sending anything. */
  next<E extends ChildMessage['event']>(
    event: E,
    timeoutMs?: number,
  ): Promise<Extract<ChildMessage, { event: E }>>;
  /** Ask the child to exit; SIGKILL after `graceMs`. Resolves once it is gone. */
  stop(graceMs?: number): Promise<void>;
  /** The last lines the child wrote to stderr (warnings, crashes). */
  stderr(): string;
}

export function startServerProcess(
  script: string,
  options: { cwd?: string; nodeArgs?: readonly string[] } = {},
) {
  hookExit();
  const child = spawn(
    process.execPath,
    [
      ...(options.nodeArgs ?? []),
      '--conditions=chartroom-source',
      // A tree compiled to JavaScript runs without tsx (exact positions in CPU profiles).
      ...(script.endsWith('.ts') ? ['--import', 'tsx'] : []),
      script,
    ],
    { stdio: ['ignore', 'inherit', 'pipe', 'ipc'], ...(options.cwd ? { cwd: options.cwd } : {}) },
  );
  live.add(child);
  let errText = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    errText = (errText + chunk.toString('utf8')).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      live.delete(child);
      resolve();
    });
  });

  const next = <E extends ChildMessage['event']>(event: E, timeoutMs = 60_000) =>
    new Promise<Extract<ChildMessage, { event: E }>>((resolve, reject) => {
      const onMessage = (message: ChildMessage) => {
        if (message.event !== event) return;
        done();
        resolve(message as Extract<ChildMessage, { event: E }>);
      };
      const onExit = (code: number | null) => {
        done();
        reject(new Error(`${script} exited (${code}) before "${event}": ${errText.slice(-1000)}`));
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`${script}: no "${event}" within ${timeoutMs} ms`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        child.off('message', onMessage);
        child.off('exit', onExit);
      };
      child.on('message', onMessage);
      child.once('exit', onExit);
    });

  const process_: ServerProcess = {
    pid: child.pid,
    next,
    request(message, event, timeoutMs) {
      const answer = next(event, timeoutMs);
      child.send(message);
      return answer;
    },
    async stop(graceMs = 3000) {
      if (child.exitCode === null && child.signalCode === null) {
        if (child.connected) child.send({ cmd: 'exit' } satisfies ParentMessage);
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
      }
    },
    stderr: () => errText,
  };
  return process_;
}
