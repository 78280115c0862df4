import { unavailable } from './unavailable.js';

/**
 * Stand-in for `node:fs` in the browser model test's import map (`test/browser/models.html`): the model
 * modules import file functions that the inference path never calls. Each throws if called.
 */
export const existsSync = unavailable('node:fs', 'existsSync');
export const mkdirSync = unavailable('node:fs', 'mkdirSync');
export const readdirSync = unavailable('node:fs', 'readdirSync');
export const readFileSync = unavailable('node:fs', 'readFileSync');
export const renameSync = unavailable('node:fs', 'renameSync');
export const rmSync = unavailable('node:fs', 'rmSync');
export const writeFileSync = unavailable('node:fs', 'writeFileSync');
