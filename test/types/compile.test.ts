/**
 * Runs the TypeScript compiler over the type tests, so the suite itself proves that every
 * `@ts-expect-error` there marks a real compile error (an unused one is error TS2578).
 */
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

describe('type tests', () => {
  it('compile with no diagnostics: every wrong message type or payload is a compile error', () => {
    const configPath = fileURLToPath(new URL('../../tsconfig.json', import.meta.url));
    const config = ts.getParsedCommandLineOfConfigFile(
      configPath,
      {},
      { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined },
    );
    expect(config).toBeDefined();
    const file = fileURLToPath(new URL('./messages.test.ts', import.meta.url));
    const program = ts.createProgram([file], { ...config!.options, noEmit: true });
    const diagnostics = ts
      .getPreEmitDiagnostics(program, program.getSourceFile(file))
      .map((d) => `${d.start ?? 0}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
    expect(diagnostics).toEqual([]);
    // Loading the xstate and zod declarations takes a while on a small machine.
  }, 60_000);
});
