/**
 * `npm run bench [filter]`: runs every bench/*.bench.ts (or those whose name contains the
 * filter) one after another and prints their markdown, ready for docs/benchmarks.md. Each
 * benchmark measures its baseline in the same run and reports ratios against it.
 */
import { readdir } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BenchModule } from './support.js';

const dir = fileURLToPath(new URL('.', import.meta.url));
const filter = process.argv[2] ?? '';
const files = (await readdir(dir)).filter((f) => f.endsWith('.bench.ts') && f.includes(filter)).sort();

console.log(`# Chartroom benchmarks\n\nNode ${process.version}, ${new Date().toISOString()}\n`);
for (const file of files) {
  const module = (await import(pathToFileURL(`${dir}${file}`).href)) as BenchModule;
  console.log(`## ${module.title}\n`);
  console.log(`${await module.run()}\n`);
}
if (files.length === 0) console.log(`No benchmark matches "${filter}".`);
