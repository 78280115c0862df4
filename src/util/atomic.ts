import { mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, basename } from 'node:path';
import { DetsegInputError } from './errors.js';

/**
 * Atomic outputs: every file or folder is written under a temporary name beside its target
 * (`.name.<pid>.<time>.tmp`) and renamed into place only when complete, so a reader never sees half an
 * output and a failure leaves none. A killed process leaves its temporaries behind; the next write into
 * the same folder removes those whose process is gone ({@link removeStaleTemporaries}).
 */

/** Temporary and backup names written here: `.name.<pid>.<time>.tmp` and `.name.<pid>.<time>.old`. */
const TEMPORARY_NAME = /^\..+\.(\d+)\.(\d+)\.(tmp|old)$/;

let sequence = 0;

/** A fresh temporary or backup name beside `path` (unique within this process). */
function sideName(path: string, kind: 'tmp' | 'old'): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now() + sequence++}.${kind}`);
}

/** True when process `pid` exists (a signal-0 probe; a process of another user counts as alive). */
function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes from `dir` the temporaries and backups of this module's naming pattern whose process is no
 * longer running (left by a killed run). Other files, and those of live processes, are not touched.
 * Returns the names removed.
 */
export function removeStaleTemporaries(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const m = TEMPORARY_NAME.exec(name);
    if (!m || processAlive(Number(m[1]))) continue;
    try {
      rmSync(join(dir, name), { recursive: true, force: true });
      removed.push(name);
    } catch {
      /* left for a later run */
    }
  }
  return removed;
}

/**
 * A failed output as an input error naming the path the user gave (and the option, when known) and the
 * system's reason code, never the temporary name.
 */
export function outputError(err: unknown, path: string, option?: string): Error {
  if (err instanceof DetsegInputError) return err;
  const code = (err as NodeJS.ErrnoException).code;
  if (code === undefined) return err instanceof Error ? err : new Error(String(err));
  const reason: Record<string, string> = {
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    ENOENT: 'a folder on the path does not exist',
    ENOTDIR: 'a part of the path is not a folder',
    EISDIR: 'is a folder',
    EROFS: 'read-only file system',
    ENOSPC: 'no space left on the device',
    EEXIST: 'exists and is in the way',
    ENAMETOOLONG: 'name too long',
  };
  return new DetsegInputError(`cannot write the output: ${reason[code] ?? 'system error'} (${code})`, { file: path, field: option });
}

/**
 * Removes a previous output after the new one is in place. The command has succeeded by then: a file
 * that cannot be removed stays under its backup name and is removed by a later run.
 */
function removeQuietly(path: string | undefined): void {
  if (path === undefined) return;
  try {
    rmSync(path, { recursive: true, force: true });
  } catch {
    /* removed by a later run's removeStaleTemporaries */
  }
}

function prepareFolder(dir: string, path: string, option?: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    // mkdir reports a file standing where a folder of the path should be as EEXIST
    const code = (err as NodeJS.ErrnoException).code;
    throw outputError(code === 'EEXIST' ? Object.assign(new Error('not a folder'), { code: 'ENOTDIR' }) : err, path, option);
  }
  removeStaleTemporaries(dir);
}

/**
 * Writes `data` to `path` atomically: the bytes go to a temporary file in the same folder, which is
 * then renamed over `path`. A reader never sees a half-written file, and a failure leaves no trace.
 * A failure throws a {@link DetsegInputError} naming `path` and `option` (the command-line option that
 * gave the path, when there is one).
 */
export function writeFileAtomic(path: string, data: string | Uint8Array, option?: string): void {
  const files = new AtomicFiles();
  files.add(path, data, option);
  files.commit();
}

/**
 * A set of output files written all or none: {@link add} writes each to a temporary file beside its
 * target, {@link commit} moves them all into place (restoring the previous files if one move fails),
 * {@link discard} removes the temporaries. A command that writes several outputs stages them all and
 * commits at the end, so a failure midway leaves none of them.
 */
export class AtomicFiles {
  private readonly staged: { path: string; tmp: string; option?: string }[] = [];

  /** Writes `data` to a temporary file beside `path` (a failure discards everything staged). */
  add(path: string, data: string | Uint8Array, option?: string): void {
    if (this.staged.some((s) => s.path === path)) {
      this.discard();
      throw new DetsegInputError('would be written twice by one command (two inputs give the same output name)', { file: path, field: option });
    }
    const tmp = sideName(path, 'tmp');
    try {
      prepareFolder(dirname(path), path, option);
      // a file output never replaces a folder (the folder would be moved aside and deleted)
      if (statSync(path, { throwIfNoEntry: false })?.isDirectory()) throw Object.assign(new Error('is a folder'), { code: 'EISDIR' });
      writeFileSync(tmp, data);
    } catch (err) {
      removeQuietly(tmp);
      this.discard();
      throw outputError(err, path, option);
    }
    this.staged.push({ path, tmp, option });
  }

  /** Moves every staged file into place; on failure the previous files are restored and nothing new stays. */
  commit(): void {
    const backups: { path: string; old: string }[] = [];
    const placed: string[] = [];
    try {
      for (const s of this.staged) {
        const old = sideName(s.path, 'old');
        try {
          renameSync(s.path, old);
          backups.push({ path: s.path, old });
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw outputError(err, s.path, s.option);
        }
        try {
          renameSync(s.tmp, s.path);
        } catch (err) {
          throw outputError(err, s.path, s.option);
        }
        placed.push(s.path);
      }
    } catch (err) {
      for (const p of placed) rmSync(p, { force: true });
      // newest first: a path staged twice has two backups, and the oldest is the one to keep
      for (const b of backups.reverse()) {
        try {
          renameSync(b.old, b.path);
        } catch {
          /* the backup stays beside the target, removed by a later run */
        }
      }
      this.discard();
      throw err;
    }
    for (const b of backups) removeQuietly(b.old);
    this.staged.length = 0;
  }

  /** Removes every staged temporary file (nothing was moved into place). */
  discard(): void {
    for (const s of this.staged) removeQuietly(s.tmp);
    this.staged.length = 0;
  }
}

/**
 * Writes a whole folder atomically: `fill` writes into a fresh temporary folder beside `dir`, which
 * replaces `dir` only when `fill` succeeds. On failure nothing of the new output remains.
 */
export async function writeDirAtomic(dir: string, fill: (tmpDir: string) => Promise<void> | void, option?: string): Promise<void> {
  const parent = dirname(dir);
  prepareFolder(parent, dir, option);
  const tmp = sideName(dir, 'tmp');
  try {
    mkdirSync(tmp, { recursive: true });
  } catch (err) {
    throw outputError(err, dir, option);
  }
  try {
    await fill(tmp);
    const old = sideName(dir, 'old');
    let hadOld = false;
    try {
      renameSync(dir, old);
      hadOld = true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw outputError(err, dir, option);
    }
    try {
      renameSync(tmp, dir);
    } catch (err) {
      if (hadOld) renameSync(old, dir);
      throw outputError(err, dir, option);
    }
    removeQuietly(hadOld ? old : undefined);
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
}
