import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AtomicFiles, removeStaleTemporaries, writeDirAtomic, writeFileAtomic } from '../../src/util/atomic.js';
import { DetsegInputError } from '../../src/util/errors.js';

test('writeFileAtomic replaces the file and leaves no temporary', () => {
  const dir = mkdtempSync(join(tmpdir(), 'detseg-'));
  const path = join(dir, 'out.json');
  writeFileSync(path, 'old');
  writeFileAtomic(path, 'new');
  assert.equal(readFileSync(path, 'utf8'), 'new');
  assert.deepEqual(readdirSync(dir), ['out.json']);
});

test('writeDirAtomic leaves the previous folder untouched when filling fails', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'detseg-'));
  const out = join(dir, 'report');
  await writeDirAtomic(out, (tmp) => writeFileSync(join(tmp, 'a.txt'), 'first'));
  await assert.rejects(
    writeDirAtomic(out, (tmp) => {
      writeFileSync(join(tmp, 'b.txt'), 'half');
      throw new Error('boom');
    }),
    /boom/,
  );
  assert.deepEqual(readdirSync(out), ['a.txt']);
  assert.equal(existsSync(join(out, 'b.txt')), false);
  assert.deepEqual(readdirSync(dir), ['report']);
});

test('AtomicFiles: all outputs or none — a failure while staging leaves neither new files nor temporaries, old files intact', () => {
  const dir = mkdtempSync(join(tmpdir(), 'detseg-'));
  writeFileSync(join(dir, 'a.json'), 'old a');
  const files = new AtomicFiles();
  files.add(join(dir, 'a.json'), 'new a', '--json');
  // a path under a plain file cannot be written: the whole set is discarded, the error names the option and path
  writeFileSync(join(dir, 'blocker'), '');
  assert.throws(
    () => files.add(join(dir, 'blocker', 'b.svg'), 'b', '--plot'),
    (err: unknown) => err instanceof DetsegInputError && err.message.startsWith(`${join(dir, 'blocker', 'b.svg')}: --plot: cannot write the output: `) && !/\.tmp/.test(err.message),
  );
  assert.deepEqual(readdirSync(dir).sort(), ['a.json', 'blocker']);
  assert.equal(readFileSync(join(dir, 'a.json'), 'utf8'), 'old a');
  const ok = new AtomicFiles();
  ok.add(join(dir, 'a.json'), 'new a');
  ok.add(join(dir, 'sub', 'c.svg'), 'c');
  ok.commit();
  assert.equal(readFileSync(join(dir, 'a.json'), 'utf8'), 'new a');
  assert.equal(readFileSync(join(dir, 'sub', 'c.svg'), 'utf8'), 'c');
  assert.deepEqual(readdirSync(dir).sort(), ['a.json', 'blocker', 'sub']);
});

test('writeFileAtomic: an unwritable target names the path the user gave and the option, not the temporary file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'detseg-'));
  mkdirSync(join(dir, 'x.json'));
  assert.throws(
    () => writeFileAtomic(join(dir, 'x.json'), '{}', '--json'),
    (err: unknown) => err instanceof DetsegInputError && err.message === `${join(dir, 'x.json')}: --json: cannot write the output: is a folder (EISDIR)`,
  );
  assert.deepEqual(readdirSync(dir), ['x.json']);
});

test('stale temporaries of a dead process are removed by the next write there; live ones and other files stay', () => {
  const dir = mkdtempSync(join(tmpdir(), 'detseg-'));
  // a child that has exited: its pid is not running (pids are not reused this quickly)
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  const deadPid = Number(dead.stdout);
  assert.ok(deadPid > 0);
  const staleFile = `.x.json.${deadPid}.1796431998779.tmp`;
  const staleDir = `.report.${deadPid}.1796431998780.old`;
  const live = `.y.json.${process.pid}.1796431998781.tmp`;
  const lookalike = `.notes.${deadPid}.txt`;
  writeFileSync(join(dir, staleFile), 'half');
  mkdirSync(join(dir, staleDir));
  writeFileSync(join(dir, staleDir, 'index.html'), '');
  writeFileSync(join(dir, live), 'in progress');
  writeFileSync(join(dir, lookalike), 'user file');
  writeFileSync(join(dir, 'user.tmp'), 'user file');
  writeFileAtomic(join(dir, 'out.json'), '{}');
  assert.deepEqual(readdirSync(dir).sort(), [lookalike, live, 'out.json', 'user.tmp'].sort());
  assert.deepEqual(removeStaleTemporaries(dir), []);
});

test('AtomicFiles: one path staged twice is an error (two inputs mapping to one output), and nothing is written', () => {
  const dir = mkdtempSync(join(tmpdir(), 'detseg-'));
  const files = new AtomicFiles();
  files.add(join(dir, 'a.png'), '1', '--out');
  assert.throws(() => files.add(join(dir, 'a.png'), '2', '--out'), (e: unknown) => e instanceof DetsegInputError && e.message === `${join(dir, 'a.png')}: --out: would be written twice by one command (two inputs give the same output name)`);
  assert.deepEqual(readdirSync(dir), []);
});
