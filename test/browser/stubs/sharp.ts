import { unavailable } from './unavailable.js';

/** Stand-in for `sharp` (image decoding) in the browser model test's import map (see `node-fs.ts`). */
export default unavailable('sharp', 'sharp');
