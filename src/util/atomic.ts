import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, basename } from 'node:path';

/**
 * Writes `data` to `path` atomically: the bytes go to a temporary file in the same folder, which is
 * then renamed over `path`. A reader never sees a half-written file, and a failure leaves no trace.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

/**
 * Writes a whole folder atomically: `fill` writes into a fresh temporary folder beside `dir`, which
 * replaces `dir` only when `fill` succeeds. On failure nothing of the new output remains.
 */
export async function writeDirAtomic(dir: string, fill: (tmpDir: string) => Promise<void> | void): Promise<void> {
  const parent = dirname(dir);
  mkdirSync(parent, { recursive: true });
  const tmp = join(parent, `.${basename(dir)}.${process.pid}.${Date.now()}.tmp`);
  mkdirSync(tmp, { recursive: true });
  try {
    await fill(tmp);
    const old = join(parent, `.${basename(dir)}.${process.pid}.${Date.now()}.old`);
    let hadOld = false;
    try {
      renameSync(dir, old);
      hadOld = true;
    } catch {
      /* no previous output */
    }
    renameSync(tmp, dir);
    if (hadOld) rmSync(old, { recursive: true, force: true });
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
}
