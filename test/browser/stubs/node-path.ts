import { unavailable } from './unavailable.js';

/** Stand-in for `node:path` in the browser model test's import map (see `node-fs.ts`). Each throws if called. */
export const basename = unavailable('node:path', 'basename');
export const dirname = unavailable('node:path', 'dirname');
export const extname = unavailable('node:path', 'extname');
export const join = unavailable('node:path', 'join');
