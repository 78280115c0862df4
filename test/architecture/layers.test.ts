import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { packageRoot } from '../../src/util/paths.js';
import { importGraph, importLoops, layerOf, layerViolations } from './check-layers.js';
import { LAYERS } from './layers.js';

const SRC = join(packageRoot(), 'src');

test('src/: every file is in a layer and no import runs from a lower layer to a higher one', () => {
  assert.deepEqual(layerViolations(importGraph(SRC), LAYERS), []);
});

test('src/: no files import each other in a loop', () => {
  assert.deepEqual(importLoops(importGraph(SRC)), []);
});

test('docs/architecture.md lists the layers of layers.ts, in the same order', () => {
  const doc = readFileSync(join(packageRoot(), 'docs', 'architecture.md'), 'utf8');
  // the table rows: | `util/` | … |
  const listed = [...doc.matchAll(/^\|\s*`([^`]+)`\s*\|/gm)].map((m) => m[1].replace(/\/$/, ''));
  assert.deepEqual(listed, [...LAYERS]);
});

test('layerOf: a named folder or file before the models/ patterns', () => {
  const at = (file: string) => LAYERS[layerOf(file, LAYERS)];
  assert.equal(at('util/errors.ts'), 'util');
  assert.equal(at('models/losses.ts'), 'models/losses.ts');
  assert.equal(at('models/detection/types.ts'), 'models/detection');
  assert.equal(at('models/unet/unet.ts'), 'models/*');
  assert.equal(at('models/registry.ts'), 'models/*.ts');
  assert.equal(at('index.ts'), 'index.ts');
  assert.equal(layerOf('elsewhere/x.ts', LAYERS), -1);
});

test('the checks find an upward import, a file in no layer, an import out of the folder, and a loop (with its files)', () => {
  const root = mkdtempSync(join(tmpdir(), 'detseg-layers-'));
  try {
    const files: Record<string, string> = {
      'util/a.ts': "import { b } from '../boxes/b.js';\nexport const a = b;\n", // up: util → boxes
      'boxes/b.ts': "export const b = 1;\nexport { c } from './c.js';\n",
      'boxes/c.ts': "import type { B } from './d.js';\nexport const c = 2;\n", // c → d → c, type-only
      'boxes/d.ts': "import { c } from './c.js';\nexport type B = typeof c;\n",
      'nms/e.ts': "export const e = () => import('../anchors/f.js');\n", // up, dynamic
      'anchors/f.ts': "import '../../outside.js';\nexport const f = 1;\n",
      'stray/g.ts': 'export const g = 1;\n',
    };
    for (const [file, text] of Object.entries(files)) {
      mkdirSync(dirname(join(root, file)), { recursive: true });
      writeFileSync(join(root, file), text);
    }
    const graph = importGraph(root);
    assert.deepEqual(layerViolations(graph, LAYERS).sort(), [
      'anchors/f.ts imports ../outside.ts, outside the source folder',
      'nms/e.ts (layer nms) imports anchors/f.ts (layer anchors, higher)',
      'stray/g.ts: in no layer',
      'util/a.ts (layer util) imports boxes/b.ts (layer boxes, higher)',
    ]);
    assert.deepEqual(importLoops(graph), [['boxes/c.ts', 'boxes/d.ts']]);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
