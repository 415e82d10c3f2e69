import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { build } from 'esbuild';
import type { ExampleDemo } from './demo.js';

/**
 * Serves every example's page: `/` lists them, `/examples/<name>/` is the page's HTML and
 * `/examples/<name>/app.js` its script, bundled for the browser by esbuild on first request
 * (the client SDK is browser-safe, so the bundle has no Node built-ins).
 */
export function createPageHandler(demos: readonly ExampleDemo[]) {
  const bundles = new Map<string, Promise<string>>();

  const bundle = (entry: string) => {
    let pending = bundles.get(entry);
    if (!pending) {
      pending = build({
        entryPoints: [entry],
        bundle: true,
        write: false,
        format: 'esm',
        platform: 'browser',
        target: 'es2022',
        conditions: ['chartroom-source'],
        logLevel: 'silent',
      }).then((result) => result.outputFiles[0]?.text ?? '');
      bundles.set(entry, pending);
      pending.catch(() => bundles.delete(entry));
    }
    return pending;
  };

  const index = () => `<!doctype html><meta charset="utf-8"><title>Chartroom examples</title>
<style>body{font:16px system-ui;margin:2rem auto;max-width:40rem}</style>
<h1>Chartroom examples</h1><ul>${demos
    .filter((d) => d.page)
    .map((d) => `<li><a href="/examples/${d.name}/">${d.title}</a></li>`)
    .join('')}</ul><p><a href="/rooms">rooms</a> · <a href="/health">health</a></p>`;

  return async (_req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> => {
    const send = (type: string, body: string) => {
      res.writeHead(200, { 'content-type': `${type}; charset=utf-8`, 'cache-control': 'no-store' });
      res.end(body);
      return true;
    };
    if (url.pathname === '/') return send('text/html', index());
    const match = /^\/examples\/([a-z0-9-]+)\/(app\.js)?$/.exec(url.pathname);
    const demo = match && demos.find((d) => d.name === match[1]);
    if (!match || !demo?.page) return false;
    if (match[2]) return send('text/javascript', await bundle(demo.page.script));
    return send('text/html', await readFile(demo.page.html, 'utf8'));
  };
}
