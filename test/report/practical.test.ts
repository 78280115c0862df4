import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPORT_MARKER, runPractical } from '../../src/report/practical.js';
import { iouSection } from '../../src/report/sections/iou.js';
import { DetsegInputError } from '../../src/util/errors.js';

const run = (out: string, overwrite = false) => runPractical({ out, sections: [iouSection], quick: true, log: () => {}, overwrite });

test('practical --out: a folder of the user\'s files is refused and left whole; an earlier report is replaced; --overwrite replaces anything', async () => {
  const root = mkdtempSync(join(tmpdir(), 'detseg-practical-'));
  const out = join(root, 'X');
  mkdirSync(join(out, 'my_data'), { recursive: true });
  writeFileSync(join(out, 'notes.txt'), 'mine');
  writeFileSync(join(out, 'my_data', 'a.csv'), '1,2');
  await assert.rejects(run(out), (e: unknown) => e instanceof DetsegInputError && e.message === `${out}: output folder holds other files (my_data, notes.txt) and would be replaced: choose another or pass --overwrite`);
  assert.deepEqual(readdirSync(out).sort(), ['my_data', 'notes.txt']);
  assert.deepEqual(readdirSync(root), ['X']);
  // a fresh folder: the report and its marker, which lists what the report wrote
  const report = join(root, 'report');
  await run(report);
  assert.deepEqual(readdirSync(report).sort(), [REPORT_MARKER, 'index.html', 'iou.svg'].sort());
  assert.equal(readFileSync(join(report, REPORT_MARKER), 'utf8'), 'index.html\niou.svg\n');
  // an earlier report is replaced…
  await run(report);
  assert.ok(existsSync(join(report, 'index.html')));
  // …but not once the user has put a file of their own in it
  writeFileSync(join(report, 'notes.txt'), 'mine');
  await assert.rejects(run(report), /holds other files \(notes\.txt\)/);
  assert.equal(readFileSync(join(report, 'notes.txt'), 'utf8'), 'mine');
  await run(out, true);
  assert.deepEqual(readdirSync(out).sort(), [REPORT_MARKER, 'index.html', 'iou.svg'].sort());
  assert.deepEqual(readdirSync(root).sort(), ['X', 'report']);
});
