import type { StateValue } from 'xstate';

/** A state value as dotted paths: `running.paused.lagging`; parallel regions joined by `,`. */
export function statePath(value: StateValue): string {
  if (typeof value === 'string') return value;
  return Object.entries(value)
    .map(([key, child]) =>
      child === undefined || (typeof child === 'object' && Object.keys(child).length === 0)
        ? key
        : `${key}.${statePath(child)}`,
    )
    .join(',');
}
