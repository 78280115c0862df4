import { existsSync, readdirSync, statSync } from 'node:fs';
import { DetsegInputError } from '../util/errors.js';

/**
 * Guards a folder that is about to be replaced as a whole (`writeDirAtomic` swaps the new folder in and
 * deletes the old one): it may be absent, empty, or hold only `ownEntries` (what an earlier run of the
 * same command wrote); anything else needs `overwrite`, so that `--out .` cannot wipe a user's files.
 */
export function checkReplaceableDir(dir: string, ownEntries: (name: string) => boolean, overwrite = false): void {
  if (!existsSync(dir) || overwrite) return;
  if (!statSync(dir).isDirectory()) throw new DetsegInputError('exists and is not a folder', { file: dir });
  const foreign = readdirSync(dir).filter((name) => !ownEntries(name));
  if (foreign.length > 0) {
    throw new DetsegInputError(`output folder holds other files (${foreign.slice(0, 3).join(', ')}${foreign.length > 3 ? ', …' : ''}) and would be replaced: choose another or pass --overwrite`, { file: dir });
  }
}
