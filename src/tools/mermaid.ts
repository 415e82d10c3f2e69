/**
 * Statecharts as Mermaid `stateDiagram-v2` text, computed from the machine definition itself
 * (`machine.root`), so a diagram can never drift from the chart it shows. Browser-safe.
 */
import type { AnyStateMachine, AnyStateNode } from 'xstate';

export interface MermaidOptions {
  /** Layout direction. Default 'LR' (left to right). */
  readonly direction?: 'LR' | 'TB';
  /** Also draw transitions without a target (actions only, as self-loops). Default false. */
  readonly targetless?: boolean;
}

type GuardLike =
  string | { type?: string } | (((...args: never[]) => unknown) & { guards?: readonly GuardLike[] });

/** A guard as it reads in the chart: `isPlayer`, `allPlayersReady and not(hasLeft)`. */
function guardLabel(guard: GuardLike | undefined): string | undefined {
  if (guard === undefined) return undefined;
  if (typeof guard === 'string') return guard;
  if (typeof guard === 'function') {
    const parts = (guard.guards ?? []).map((g) => guardLabel(g) ?? '?');
    if (guard.name === 'and') return parts.join(' and ');
    if (guard.name === 'or') return parts.join(' or ');
    if (guard.name === 'not') return `not(${parts.join('')})`;
    return guard.name || 'guard';
  }
  return guard.type ?? 'guard';
}

/** Internal event names in words: `after gracePeriod`, `done game`, `error verifyCredentials`. */
function eventLabel(eventType: string): string {
  if (eventType === '') return 'always';
  const after = /^xstate\.after\.([^.]+)\./.exec(eventType);
  if (after) return `after ${after[1]}`;
  const settled = /^xstate\.(done|error)\.actor\.(.+)$/.exec(eventType);
  if (settled) return `${settled[1]} ${settled[2]}`;
  const done = /^xstate\.done\.state\./.exec(eventType);
  if (done) return 'done';
  return eventType;
}

/** Mermaid ids: the state node's path, without the machine id, with underscores. */
const idOf = (node: AnyStateNode): string => node.path.join('_') || 'root';

const clean = (text: string): string => text.replace(/[;:#]/g, ' ').trim();

/**
 * @example
 * import { roomMachine } from 'chartroom/machines';
 * const text = toMermaid(roomMachine); // "stateDiagram-v2\n  direction LR\n  [*] --> setup ..."
 */
export function toMermaid(machine: AnyStateMachine, options: MermaidOptions = {}): string {
  const lines = ['stateDiagram-v2', `  direction ${options.direction ?? 'LR'}`];
  const edges: string[] = [];
  const childrenOf = (node: AnyStateNode): AnyStateNode[] => Object.values(node.states) as AnyStateNode[];

  const addEdges = (node: AnyStateNode, sources: readonly AnyStateNode[]) => {
    for (const transitions of node.transitions.values()) {
      for (const transition of transitions) {
        const guard = guardLabel(transition.guard as GuardLike | undefined);
        const label = clean(`${eventLabel(transition.eventType)}${guard ? ` [${guard}]` : ''}`);
        const targets = (transition.target ?? []) as AnyStateNode[];
        for (const source of sources) {
          if (targets.length === 0 && options.targetless)
            edges.push(`${idOf(source)} --> ${idOf(source)} : ${label}`);
          for (const target of targets) {
            if (target !== source) edges.push(`${idOf(source)} --> ${idOf(target)} : ${label}`);
          }
        }
      }
    }
    for (const always of node.always ?? []) {
      const guard = guardLabel(always.guard as GuardLike | undefined);
      for (const target of (always.target ?? []) as AnyStateNode[]) {
        edges.push(`${idOf(node)} --> ${idOf(target)} : ${clean(`always${guard ? ` [${guard}]` : ''}`)}`);
      }
    }
  };

  const walk = (node: AnyStateNode, indent: string) => {
    const children = childrenOf(node);
    if (node.type === 'parallel') {
      children.forEach((child, index) => {
        if (index > 0) lines.push(`${indent}--`);
        declare(child, indent);
      });
      return;
    }
    for (const target of (node.initial?.target ?? []) as AnyStateNode[])
      lines.push(`${indent}[*] --> ${idOf(target)}`);
    for (const child of children) declare(child, indent);
  };

  const declare = (node: AnyStateNode, indent: string) => {
    lines.push(`${indent}state "${node.key}" as ${idOf(node)}`);
    if (node.type === 'final') lines.push(`${indent}${idOf(node)} --> [*]`);
    const children = childrenOf(node);
    if (children.length > 0) {
      lines.push(`${indent}state ${idOf(node)} {`);
      walk(node, `${indent}  `);
      lines.push(`${indent}}`);
    }
    addEdges(node, [node]);
  };

  walk(machine.root, '  ');
  // Transitions of the machine itself apply in every top-level state: draw them from each.
  const topLevel = childrenOf(machine.root).filter((node) => node.type !== 'final');
  addEdges(machine.root, topLevel);
  const seen = new Set<string>();
  for (const edge of edges) {
    if (seen.has(edge)) continue;
    seen.add(edge);
    lines.push(`  ${edge}`);
  }
  return `${lines.join('\n')}\n`;
}
