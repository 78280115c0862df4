import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReportContext } from '../../../src/report/report.js';
import { DATA_SECTION_SEED, dataSection, syntheticStats } from '../../../src/report/sections/data.js';
import { syntheticSample } from '../../../src/data/synthetic.js';

test('data section: six examples with every box drawn, semantic masks, and statistics recounted here', async () => {
  const ctx = new ReportContext(mkdtempSync(join(tmpdir(), 'detseg-report-')), { retrain: false, quick: true, log: () => {} });
  const section = await dataSection(ctx);
  assert.equal(section.id, 'data');
  assert.deepEqual(ctx.figures, ['data-synthetic.svg', 'data-augment.svg']);
  const svg = readFileSync(join(ctx.dir, 'data-synthetic.svg'), 'utf8');
  let boxes = 0;
  for (let i = 0; i < 6; i++) boxes += syntheticSample(DATA_SECTION_SEED, i, { size: 128 }).labels.length;
  assert.equal((svg.match(/<rect /g) ?? []).length, boxes);
  assert.equal((svg.match(/href="data:image\/png;base64,/g) ?? []).length, 12);
  // Statistics: recount objects and classes of the 100 images of the quick run.
  let objects = 0;
  const perClass = [0, 0, 0];
  for (let i = 0; i < 100; i++) {
    const s = syntheticSample(DATA_SECTION_SEED, i, { size: 128 });
    objects += s.labels.length;
    for (const l of s.labels) perClass[l]++;
  }
  const st = syntheticStats(100, 128);
  assert.equal(st.objects, objects);
  assert.deepEqual(st.perClass, perClass);
  assert.equal(st.small + st.medium + st.large, objects);
  assert.match(section.html, new RegExp(`<td>100</td><td>${objects}</td><td>${(objects / 100).toFixed(2)} \\(${st.minPerImage}–${st.maxPerImage}\\)</td><td>${perClass[0]}</td><td>${perClass[1]}</td><td>${perClass[2]}</td>`));
});
