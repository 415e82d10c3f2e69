/**
 * `chartroom/sync/lockstep/node`: the lockstep pieces that need Node (a turn log store on disk).
 */
export { fileTurnLogStore } from './file-store.js';
export type { FileTurnLogStoreOptions } from './file-store.js';
