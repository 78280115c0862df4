import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeDirAtomic, writeFileAtomic } from '../../src/util/atomic.js';

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
