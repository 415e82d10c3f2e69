import { readFileSync } from 'node:fs';

/** One case of a `.golden` file (format described at the top of fixtures/frames.golden). */
export interface GoldenCase {
  readonly title: string;
  readonly from: 'client' | 'server';
  readonly bytes: Uint8Array;
  /** `decoded:` as parsed JSON. */
  readonly decoded?: unknown;
  /** `issue: CODE fatal|recoverable`. */
  readonly issue?: { readonly code: string; readonly fatal: boolean };
}

const encoder = new TextEncoder();

/** Bytes of one frame line: hex runs and 'quoted text', with "#" comments outside quotes. */
function lineBytes(line: string, where: string): number[] {
  const bytes: number[] = [];
  let i = 0;
  while (i < line.length) {
    const c = line[i] as string;
    if (c === '#') break;
    if (c === ' ' || c === '\t') {
      i++;
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new Error(`${where}: unterminated quote`);
      bytes.push(...encoder.encode(line.slice(i + 1, end)));
      i = end + 1;
    } else {
      const match = /^[0-9a-fA-F]+/.exec(line.slice(i));
      if (!match || match[0].length % 2 !== 0) throw new Error(`${where}: bad hex at "${line.slice(i)}"`);
      for (let j = 0; j < match[0].length; j += 2) bytes.push(parseInt(match[0].slice(j, j + 2), 16));
      i += match[0].length;
    }
  }
  return bytes;
}

/** Parse a fixture file next to this module. Throws on a malformed fixture (a test bug). */
export function readGolden(file: string): GoldenCase[] {
  const text = readFileSync(new URL(`./fixtures/${file}`, import.meta.url), 'utf8');
  const cases: GoldenCase[] = [];
  let current:
    | {
        title: string;
        from?: 'client' | 'server';
        bytes: number[];
        decoded?: unknown;
        issue?: GoldenCase['issue'];
      }
    | undefined;
  const flush = () => {
    if (!current) return;
    if (!current.from) throw new Error(`${file}: case "${current.title}" has no from:`);
    cases.push({
      title: current.title,
      from: current.from,
      bytes: Uint8Array.from(current.bytes),
      ...('decoded' in current ? { decoded: current.decoded } : {}),
      ...(current.issue ? { issue: current.issue } : {}),
    });
  };
  text.split('\n').forEach((raw, index) => {
    const where = `${file}:${index + 1}`;
    const line = raw.trimEnd();
    if (line.startsWith('== ')) {
      flush();
      current = { title: line.slice(3), bytes: [] };
    } else if (!current || line.trim() === '' || line.startsWith('#')) {
      return;
    } else if (line.startsWith('from: ')) {
      current.from = line.slice(6).trim() as 'client' | 'server';
    } else if (line.startsWith('decoded: ')) {
      current.decoded = JSON.parse(line.slice(9)) as unknown;
    } else if (line.startsWith('issue: ')) {
      const [code = '', kind = ''] = line.slice(7).trim().split(/\s+/);
      current.issue = { code, fatal: kind === 'fatal' };
    } else {
      current.bytes.push(...lineBytes(line, where));
    }
  });
  flush();
  return cases;
}

/** `01 00 00 00 1a ...` for failure messages. */
export const hex = (bytes: Uint8Array): string =>
  Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
