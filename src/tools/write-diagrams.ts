/**
 * `npm run diagrams`: write docs/charts/*.md from the machine definitions, and refresh the
 * README's charts between their `<!-- chart:<name> -->` markers (Node only).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { chartMarkdown, chartPages, replaceChart } from './charts.js';

const dir = new URL('../../docs/charts/', import.meta.url);
await mkdir(dir, { recursive: true });
for (const page of chartPages) {
  await writeFile(new URL(page.file, dir), chartMarkdown(page));
  console.log(`docs/charts/${page.file}`);
}

const readme = new URL('../../README.md', import.meta.url);
let text = await readFile(readme, 'utf8');
for (const page of chartPages) text = replaceChart(text, page.file.replace(/\.md$/, ''), page.machine);
await writeFile(readme, text);
console.log('README.md');
