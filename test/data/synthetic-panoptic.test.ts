import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { readCocoPanoptic } from '../../src/data/coco-panoptic.js';
import { segmentExtents } from '../../src/data/coco-panoptic-format.js';
import { SYNTHETIC_PANOPTIC_CATEGORIES, syntheticPanopticSample, writeSyntheticPanopticSet } from '../../src/data/synthetic-panoptic.js';
import { syntheticSample } from '../../src/data/synthetic.js';
import { evaluatePanoptic } from '../../src/eval/panoptic.js';
import { runCli } from '../helpers/cli.js';

test('the things are the detection benchmark\'s shapes, pixel for pixel; every other pixel is one of 2–3 stuff regions', () => {
  const stuffCounts = new Map<number, number>();
  for (let i = 0; i < 40; i++) {
    const s = syntheticPanopticSample(7, i, { size: 64 });
    const d = syntheticSample(7, i, { size: 64 });
    assert.deepEqual(Array.from(s.labels), Array.from(d.labels));
    assert.deepEqual(Array.from(s.boxes), Array.from(d.boxes));
    const things = s.segments.filter((g) => g.category_id <= 3);
    const stuff = s.segments.filter((g) => g.category_id >= 4);
    assert.equal(things.length, d.labels.length);
    stuffCounts.set(stuff.length, (stuffCounts.get(stuff.length) ?? 0) + 1);
    assert.ok(stuff.length >= 1 && stuff.length <= 3, `image ${i}: ${stuff.length} stuff regions`);
    for (let p = 0; p < s.ids.length; p++) {
      const j = d.masks.findIndex((m) => m[p] === 1);
      if (j >= 0) {
        // A thing pixel: its instance's id, category and the benchmark's colour.
        assert.equal(s.ids[p], things[j].id);
        assert.equal(s.categoryMap[p], d.labels[j] + 1);
        assert.deepEqual(Array.from(s.image.subarray(3 * p, 3 * p + 3)), Array.from(d.image.subarray(3 * p, 3 * p + 3)));
      } else {
        const seg = stuff.find((g) => g.id === s.ids[p]);
        assert.ok(seg, `image ${i} pixel ${p}: id ${s.ids[p]} is no stuff region`);
        assert.equal(s.categoryMap[p], seg.category_id);
      }
    }
    // Every listed segment occurs in the map.
    const extents = segmentExtents(s.ids, 64, 64);
    assert.deepEqual([...extents.keys()].sort((a, b) => a - b), s.segments.map((g) => g.id).sort((a, b) => a - b));
  }
  // Both layouts occur (a stuff class can be hidden behind shapes, so 1 is possible but rare).
  assert.ok((stuffCounts.get(2) ?? 0) >= 8 && (stuffCounts.get(3) ?? 0) >= 8, JSON.stringify([...stuffCounts]));
  // Deterministic.
  assert.deepEqual(syntheticPanopticSample(7, 3, { size: 64 }), syntheticPanopticSample(7, 3, { size: 64 }));
});

test('the stuff textures differ: sky is smooth, ground grainy, wall in between (mean |horizontal neighbour difference|)', () => {
  const sum = new Float64Array(7);
  const n = new Float64Array(7);
  for (let i = 0; i < 30; i++) {
    const s = syntheticPanopticSample(11, i, { size: 96 });
    for (let y = 0; y < 96; y++) {
      for (let x = 0; x + 1 < 96; x++) {
        const p = y * 96 + x;
        if (s.ids[p] !== s.ids[p + 1] || s.categoryMap[p] < 4) continue;
        sum[s.categoryMap[p]] += Math.abs(s.image[3 * p] - s.image[3 * p + 3]) + Math.abs(s.image[3 * p + 1] - s.image[3 * p + 4]) + Math.abs(s.image[3 * p + 2] - s.image[3 * p + 5]);
        n[s.categoryMap[p]]++;
      }
    }
  }
  const [sky, ground, wall] = [4, 5, 6].map((c) => sum[c] / n[c]);
  assert.ok(sky < 6 && wall > 3 * sky && ground > 1.5 * wall, `sky ${sky}, ground ${ground}, wall ${wall}`);
});

test('writeSyntheticPanopticSet: the COCO panoptic files read back (every check passes), PQ of the set against itself is 1, semantic PNGs hold category ids', async () => {
  const out = join(mkdtempSync(join(tmpdir(), 'detseg-synpan-')), 'set');
  const { panoptic, instances } = await writeSyntheticPanopticSet(out, 5, 4, { size: 64 });
  assert.deepEqual(readdirSync(out).sort(), ['annotations.json', 'images', 'panoptic', 'panoptic.json', 'semantic']);
  const set = await readCocoPanoptic(join(out, 'panoptic.json'), join(out, 'panoptic'));
  assert.deepEqual(set.categories.map((c) => [c.id, c.name, c.isthing]), SYNTHETIC_PANOPTIC_CATEGORIES.map((c) => [c.id, c.name, c.isthing]));
  assert.deepEqual(JSON.parse(readFileSync(join(out, 'panoptic.json'), 'utf8')), panoptic);
  for (let i = 0; i < 5; i++) {
    const s = syntheticPanopticSample(4, i, { size: 64 });
    assert.deepEqual(Array.from(set.images[i].ids), Array.from(s.ids));
    const semanticFile = join(out, 'semantic', set.images[i].fileName);
    assert.equal((await sharp(semanticFile).metadata()).channels, 1, 'a one-channel PNG');
    const semantic = await sharp(semanticFile).toColourspace('b-w').raw().toBuffer({ resolveWithObject: true });
    assert.deepEqual(Array.from(semantic.data), Array.from(s.categoryMap));
    const things = set.images[i].segments.filter((g) => g.category_id <= 3);
    // The instance JSON lists the same things with the same areas.
    assert.deepEqual(instances.annotations.filter((a) => a.image_id === i + 1).map((a) => [a.category_id, a.area]), things.map((g) => [g.category_id, g.area]));
  }
  const frames = set.images.map((im) => ({ ...im }));
  const r = evaluatePanoptic(frames, frames, set.categories);
  assert.deepEqual([r.All.pq, r.All.n, r.Things.n, r.Stuff.n], [1, 6, 3, 3]);
});

test('detseg synth --panoptic writes the set; detseg eval panoptic of it against itself prints PQ 100', () => {
  const dir = mkdtempSync(join(tmpdir(), 'detseg-synpan-cli-'));
  const r = runCli(['synth', '--panoptic', '--out', join(dir, 's'), '--count', '3', '--seed', '9', '--size', '48']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^wrote 3 panoptic images, \d+ things and \d+ stuff regions \(seed 9, 48×48\)/);
  const p = (f: string) => join(dir, 's', f);
  const e = runCli(['eval', 'panoptic', '--gt-json', p('panoptic.json'), '--gt-dir', p('panoptic'), '--pred-json', p('panoptic.json'), '--pred-dir', p('panoptic')]);
  assert.equal(e.code, 0, e.stderr);
  assert.match(e.stdout, /All {7}\| 100\.0  100\.0  100\.0/);
});
