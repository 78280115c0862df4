import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { boxIou as boxIouFromModule } from '../../src/boxes/iou.js';
import { nms as nmsFromModule } from '../../src/nms/greedy.js';

/** The package root: the folder above `test/` (sources) or above `dist/test/` (build). */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
  return dir;
}
const root = packageRoot();
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { main: string; types: string; bin: Record<string, string>; exports: Record<string, string | { types: string; default: string }> };
const built = existsSync(join(root, 'dist', 'src', 'index.js'));

test('package.json: main, types and every exports target name a file of the build and its source', (t) => {
  const targets = [pkg.main, pkg.types, ...Object.values(pkg.bin)];
  for (const [key, value] of Object.entries(pkg.exports)) {
    if (key.includes('*') || key === './package.json') continue;
    if (typeof value === 'string') targets.push(value);
    else targets.push(value.types, value.default);
  }
  for (const target of targets) {
    const source = target.replace(/^\.?\/?dist\//, '').replace(/\.d\.ts$|\.js$/, '.ts');
    assert.ok(existsSync(join(root, source)), `${target}: its source ${source} exists`);
  }
  if (!built) return t.skip('no build (dist/src/index.js): run from the build (npm test) to check the built targets');
  for (const target of targets) assert.ok(existsSync(join(root, target)), `${target} is built`);
});

test("import 'detseg' (the package's own name, through its exports): the core, the detectors and the engine, the same functions as their modules", async (t) => {
  if (!built) return t.skip('no build (dist/src/index.js): run from the build (npm test)');
  const detseg = await import('detseg');
  const browser = await import('detseg/browser');
  const browserModels = await import('detseg/browser/models');
  for (const name of ['initEngine', 'loadMaskRcnn', 'MaskRCNN', 'FasterRCNN', 'detectorFromCheckpointBytes', 'evaluateCocoJson', 'readCocoFile', 'decodeDicom', 'buildUNet', 'selectiveSearch']) {
    assert.equal(typeof (detseg as Record<string, unknown>)[name], 'function', name);
  }
  assert.equal(browser.nms, detseg.nms, 'one module instance behind both entries');
  assert.equal(browserModels.MaskRCNN, detseg.MaskRCNN);
  // a value computed through the package equals the module's own
  const boxes = Float32Array.from([0, 0, 10, 10, 5, 5, 15, 15, 20, 20, 30, 30]);
  const scores = Float32Array.from([0.9, 0.8, 0.7]);
  assert.deepEqual(Array.from(detseg.boxIou(boxes, boxes)), Array.from(boxIouFromModule(boxes, boxes)));
  assert.deepEqual(Array.from(detseg.nms(boxes, scores, 0.1)), Array.from(nmsFromModule(boxes, scores, 0.1)));
  assert.deepEqual(Array.from(detseg.nms(boxes, scores, 0.1)), [0, 2]); // IoU(0, 1) = 25 / 175 > 0.1
});
