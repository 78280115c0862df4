import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../util/atomic.js';
import { DetsegInputError } from '../util/errors.js';
import { decodeCheckpoint, encodeCheckpoint, type CheckpointData } from './checkpoint-format.js';

/**
 * Training checkpoints as files: the byte format (magic, JSON header, float32 blobs) is in
 * `checkpoint-format.ts` and re-exported here. Files are written atomically, so a run killed while
 * saving leaves the previous checkpoint intact.
 */

export { decodeCheckpoint, encodeCheckpoint, type CheckpointData, type CheckpointTensor } from './checkpoint-format.js';

/** Writes a checkpoint atomically to `path`. */
export function saveCheckpoint(path: string, data: CheckpointData): void {
  writeFileAtomic(path, encodeCheckpoint(data));
}

/** Reads a checkpoint from `path`; bad files raise a {@link DetsegInputError} naming the file and field. */
export function loadCheckpoint(path: string): CheckpointData {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new DetsegInputError(`cannot read checkpoint (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, { file: path });
  }
  return decodeCheckpoint(bytes, path);
}
