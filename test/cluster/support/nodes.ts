/**
 * Cluster nodes as child processes (test/cluster/support/node-main.ts): started with PORT=0,
 * each prints its URL; their JSON log lines are kept for assertions. Kill them all in afterAll.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const main = fileURLToPath(new URL('./node-main.ts', import.meta.url));

export interface NodeProcess {
  readonly name: string;
  readonly url: string;
  readonly nodeId: string;
  readonly child: ChildProcess;
  /** Every JSON log line, stdout and stderr. */
  readonly logs: Record<string, unknown>[];
  /** SIGKILL (a crash: no cleanup at all) and wait for the exit. */
  crash(): Promise<void>;
  readonly alive: boolean;
}

export async function spawnNode(
  name: string,
  env: Record<string, string>,
  timeoutMs = 20_000,
): Promise<NodeProcess> {
  const child = spawn(process.execPath, ['--conditions=chartroom-source', '--import', 'tsx', main], {
    cwd: root,
    env: { ...process.env, PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Record<string, unknown>[] = [];
  let exited = child.exitCode !== null;
  const exit = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), resolve())));
  const ready = new Promise<{ url: string; nodeId: string }>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`Node ${name} did not start within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const lines = (stream: NodeJS.ReadableStream) =>
      createInterface({ input: stream }).on('line', (line) => {
        let parsed: unknown;
        try {
          parsed = JSON.parse(line);
        } catch {
          return;
        }
        if (typeof parsed !== 'object' || parsed === null) return;
        const entry = parsed as Record<string, unknown>;
        if (typeof entry.ready === 'string' && typeof entry.nodeId === 'string') {
          clearTimeout(timer);
          resolve({ url: entry.ready, nodeId: entry.nodeId });
        } else logs.push(entry);
      });
    lines(child.stdout as NodeJS.ReadableStream);
    lines(child.stderr as NodeJS.ReadableStream);
    void exit.then(() => reject(new Error(`Node ${name} exited before it was ready`)));
  });
  const { url, nodeId } = await ready;
  return {
    name,
    url,
    nodeId,
    child,
    logs,
    get alive() {
      return !exited;
    },
    async crash() {
      if (exited) return;
      child.kill('SIGKILL');
      await exit;
    },
  };
}
