/**
 * docs/authoring.md, run as written: every code block with a `title="<path>"` is written to
 * test/guide/.work/<path>, then vitest runs the guide's own test there in a child process
 * (imports of `chartroom/*` resolve to this package's sources through the `chartroom-source`
 * condition, as in the rest of the suite).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const work = join(root, 'test/guide/.work');
const guide = readFileSync(join(root, 'docs/authoring.md'), 'utf8');

/** The guide's titled code blocks, in order. */
const blocks = [...guide.matchAll(/```ts title="([^"]+)"\n([\s\S]*?)```/g)].map(([, path, code]) => ({
  path: path!,
  code: code!,
}));

describe('docs/authoring.md', () => {
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('has its steps in order: messages, game, room type, tests, server', () => {
    expect(blocks.map((b) => b.path)).toEqual([
      'guess/messages.ts',
      'guess/game.ts',
      'guess/room.ts',
      'guess/guess.test.ts',
      'guess/server.ts',
    ]);
  });

  it('passes its own tests when its code blocks are written out as files', () => {
    rmSync(work, { recursive: true, force: true });
    for (const { path, code } of blocks) {
      mkdirSync(dirname(join(work, path)), { recursive: true });
      writeFileSync(join(work, path), code);
    }
    writeFileSync(
      join(work, 'vitest.config.ts'),
      "export default { resolve: { conditions: ['chartroom-source'] }, ssr: { resolve: { conditions: ['chartroom-source'] } }, test: { include: ['**/*.test.ts'] } };\n",
    );
    const run = spawnSync(
      process.execPath,
      [
        join(root, 'node_modules/vitest/vitest.mjs'),
        'run',
        '--root',
        work,
        '--config',
        join(work, 'vitest.config.ts'),
      ],
      { cwd: work, encoding: 'utf8', timeout: 60_000, env: { ...process.env, VITEST_JSON_REPORT: '' } },
    );
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(run.stdout).toMatch(/Tests\s+.*3 passed/);
  }, 60_000);
});
