import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { setup } from 'xstate';
import { chartMarkdown, chartPages, mermaidBlock, toMermaid } from 'chartroom/tools';
import { connectionMachine, roomMachine } from 'chartroom/machines';

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

describe('toMermaid', () => {
  it('draws states, initial and final markers, guarded and delayed transitions from the definition', () => {
    const machine = setup({ guards: { ok: () => true }, delays: { wait: 10 } }).createMachine({
      id: 'm',
      initial: 'a',
      states: {
        a: { on: { GO: { guard: 'ok', target: 'b' } } },
        b: { initial: 'c', states: { c: { after: { wait: '#m.d' } } } },
        d: { type: 'final' },
      },
    });
    expect(toMermaid(machine)).toBe(
      [
        'stateDiagram-v2',
        '  direction LR',
        '  [*] --> a',
        '  state "a" as a',
        '  state "b" as b',
        '  state b {',
        '    [*] --> b_c',
        '    state "c" as b_c',
        '  }',
        '  state "d" as d',
        '  d --> [*]',
        '  a --> b : GO [ok]',
        '  b_c --> d : after wait',
        '',
      ].join('\n'),
    );
  });

  it('keeps docs/charts and the README charts in step with the machines (npm run diagrams)', () => {
    for (const page of chartPages)
      expect(read(`docs/charts/${page.file}`), page.file).toBe(chartMarkdown(page));
    const readme = read('README.md');
    expect(readme).toContain(mermaidBlock(roomMachine));
    expect(readme).toContain(mermaidBlock(connectionMachine));
  });
});
