/**
 * The framework's own charts as Markdown pages with Mermaid diagrams (docs/charts/*.md),
 * generated from the machine definitions by `npm run diagrams`.
 */
import type { AnyStateMachine } from 'xstate';
import { connectionMachine } from '../../machines/connection.machine.js';
import { lockstepMachine } from '../../machines/lockstep.machine.js';
import { roomMachine } from '../../machines/room.machine.js';
import { toMermaid } from './mermaid.js';

export interface ChartPage {
  /** File name under docs/charts. */
  readonly file: string;
  readonly title: string;
  readonly machine: AnyStateMachine;
}

export const chartPages: readonly ChartPage[] = [
  { file: 'room.md', title: 'Room chart (`machines/room.machine.ts`)', machine: roomMachine },
  {
    file: 'connection.md',
    title: 'Connection chart (`machines/connection.machine.ts`)',
    machine: connectionMachine,
  },
  {
    file: 'lockstep.md',
    title: 'Lockstep turn cycle (`machines/lockstep.machine.ts`)',
    machine: lockstepMachine,
  },
];

/** The fenced Mermaid block of a machine. */
export const mermaidBlock = (machine: AnyStateMachine): string =>
  `\`\`\`mermaid\n${toMermaid(machine)}\`\`\`\n`;

/** A chart page's Markdown. */
export function chartMarkdown(page: ChartPage): string {
  return `# ${page.title}\n\nGenerated from the machine definition by \`npm run diagrams\`; do not edit by hand.\n\n${mermaidBlock(page.machine)}`;
}

/** Markers around a generated chart in a Markdown file (the README's "Charts" section). */
export const chartMarkers = (name: string) => [`<!-- chart:${name} -->`, `<!-- /chart:${name} -->`] as const;

/** `markdown` with the block between a chart's markers replaced by the current diagram. */
export function replaceChart(markdown: string, name: string, machine: AnyStateMachine): string {
  const [open, close] = chartMarkers(name);
  const start = markdown.indexOf(open);
  const end = markdown.indexOf(close);
  if (start < 0 || end < start) return markdown;
  return `${markdown.slice(0, start + open.length)}\n\n${mermaidBlock(machine)}\n${markdown.slice(end)}`;
}
