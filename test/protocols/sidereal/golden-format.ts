import { readFileSync } from 'node:fs';

/** One case of a Sidereal `.golden` file (format described at the top of fixtures/packets.golden). */
export interface GoldenCase {
  readonly title: string;
  readonly from: 'client' | 'server';
  /** The whole datagram. */
  readonly bytes: Uint8Array;
  /** The body text when the case gave one. */
  readonly body: string | undefined;
  readonly fragment: boolean;
  readonly issue: string | undefined;
}

const encoder = new TextEncoder();

function hexBytes(text: string, where: string): number[] {
  const compact = text.replace(/\s+/g, '');
  if (!/^([0-9a-fA-F]{2})*$/.test(compact)) throw new Error(`${where}: bad hex "${text}"`);
  return compact.match(/../g)?.map((pair) => parseInt(pair, 16)) ?? [];
}

/** Parse a fixture file next to this module. Throws on a malformed fixture (a test bug). */
export function readGolden(file: string): GoldenCase[] {
  const text = readFileSync(new URL(`./fixtures/${file}`, import.meta.url), 'utf8');
  const cases: GoldenCase[] = [];
  let current: { title: string; fields: Map<string, string> } | undefined;
  const flush = () => {
    if (!current) return;
    const f = current.fields;
    const from = f.get('from');
    if (from !== 'client' && from !== 'server') throw new Error(`${file}: "${current.title}" needs from:`);
    const body = f.get('body');
    const bytes = f.has('hex')
      ? hexBytes(f.get('hex') ?? '', current.title)
      : [...hexBytes(f.get('header') ?? '', current.title), ...encoder.encode(body ?? '')];
    cases.push({
      title: current.title,
      from,
      bytes: Uint8Array.from(bytes),
      body,
      fragment: f.get('fragment') === 'yes',
      issue: f.get('issue'),
    });
  };
  text.split('\n').forEach((raw, index) => {
    const line = raw.trimEnd();
    if (line.startsWith('#') || line === '') return;
    if (line.startsWith('== ')) {
      flush();
      current = { title: line.slice(3), fields: new Map() };
      return;
    }
    const match = /^([a-z]+): ?(.*)$/.exec(line);
    if (!match || !current) throw new Error(`${file}:${index + 1}: unexpected line "${line}"`);
    current.fields.set(match[1] as string, match[2] as string);
  });
  flush();
  return cases;
}

export const hex = (bytes: Uint8Array): string =>
  Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
