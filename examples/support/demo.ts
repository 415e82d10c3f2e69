import type { AnyRoomType } from 'chartroom';
import type { CreateRoomRequest, Endpoint } from 'chartroom/server';

/**
 * What one example contributes to the demo server (`npm start`). Each example folder exports
 * one `demo` object; examples/demo-server.ts lists them.
 */
export interface ExampleDemo {
  /** URL-safe name; the page is served at `/examples/<name>/`. */
  readonly name: string;
  readonly title: string;
  readonly roomTypes: readonly AnyRoomType[];
  /** Protocol endpoints besides the JSON envelope over ws (binary protocols, TCP, UDP). */
  readonly endpoints?: readonly Endpoint[];
  /** Rooms created when the server starts, so there is something to join. */
  readonly rooms?: readonly CreateRoomRequest[];
  /** A browser page: its HTML file and the TypeScript entry bundled to `app.js` (absolute paths). */
  readonly page?: { readonly html: string; readonly script: string };
  /** Start servers of its own (a TCP or UDP listener) next to the HTTP one; returns a stop function. */
  readonly start?: () => Promise<{ readonly urls: Readonly<Record<string, string>>; stop(): Promise<void> }>;
}
