import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../src/util/paths.js';
import { compiledBuildDir } from './build-dir.js';
import { scanModule, walkImportGraph } from './import-graph.js';

/**
 * The browser entry's whole import graph is free of `node:` imports, npm packages (bare specifiers) and
 * Node globals: in the TypeScript sources always, and in tsc's output when a build is at hand. The
 * walker itself is checked on hand-written snippets and on modules known to be Node-only.
 */

const root = packageRoot();
const NO_BARE_SPECIFIERS: readonly string[] = []; // the browser entry may import no npm package at all

/** Modules the entry must reach (a walker that silently stopped early would pass with no problem). */
const MUST_REACH = ['src/eval/coco.ts', 'src/eval/voc.ts', 'src/nms/batched.ts', 'src/roi/align.ts', 'src/ops/simd-kernels.ts', 'src/masks/polygon.ts', 'src/proposals/selective-search.ts', 'src/data/synthetic.ts'];

const describe = (problems: { file: string; problem: string }[]): string => problems.map((p) => `${p.file}: ${p.problem}`).join('\n');

/**
 * Walks `entry` (a path under `base`: the package root, or a build folder when `compiled`) and asserts a
 * clean graph: no problem, exactly the `allowed` npm packages imported, and every `mustReach` module
 * (named by its TypeScript source) reached.
 */
function assertBrowserGraph(base: string, entry: string, allowed: readonly string[], mustReach: readonly string[], compiled: boolean): void {
  const graph = walkImportGraph(join(base, entry), allowed);
  assert.equal(graph.problems.length, 0, `${entry}:\n${describe(graph.problems)}`);
  assert.deepEqual(graph.external, allowed, entry);
  for (const file of mustReach) assert.ok(graph.files.includes(join(base, compiled ? file.replace(/\.ts$/, '.js') : file)), `${entry} does not reach ${file}`);
}

test('scanModule finds static, side-effect and dynamic imports, skipping comments, strings and type-only imports', () => {
  const text = [
    "import { a,\n  b } from './multi-line.js';",
    "import type { T } from 'node:fs';",
    "import { type U, type V } from 'type-only-package';",
    "import { type W, value } from './mixed.js';",
    "export * as ns from './namespace.js';",
    "export type { X } from './types-only.js';",
    "import './side-effect.js';",
    '// import { gone } from \'node:commented-out\';',
    "/* export { gone } from 'node:block-comment'; */",
    "const s = \"import { x } from 'node:in-a-string'\";",
    'const t = `line\nimport { y } from \'node:in-a-template\' ${"nested"} end`;',
    "const r = /'(import)/g; const half = 1 / 2; const z = await import('./dynamic.js');",
    "const why = 'process.env and Buffer are words here';",
  ].join('\n');
  const scan = scanModule(text);
  assert.deepEqual(scan.specifiers.sort(), ['./dynamic.js', './mixed.js', './multi-line.js', './namespace.js', './side-effect.js']);
  assert.deepEqual(scan.problems, []);
});

test('scanModule reports Node globals and dynamic imports it cannot follow', () => {
  const scan = scanModule("const a = process.env.HOME;\nconst b = Buffer.from('x');\nconst c = require('fs');\nconst d = obj.process;\nconst e = await import(name);");
  assert.deepEqual(scan.problems, [
    'dynamic import( ) of a computed specifier (line 5)',
    "uses Node's global `process` (line 1)",
    "uses Node's global `Buffer` (line 2)",
    "uses Node's global `require` (line 3)",
  ]);
});

test('walkImportGraph flags modules known to be Node-only (src/util/paths.ts, src/eval/voc-io.ts)', () => {
  const paths = walkImportGraph(join(root, 'src', 'util', 'paths.ts'));
  assert.deepEqual(paths.problems.map((p) => p.problem).sort(), [
    "imports 'node:fs' (Node only)",
    "imports 'node:path' (Node only)",
    "imports 'node:url' (Node only)",
    "uses Node's global `process` (line 36)",
  ]);
  const vocIo = walkImportGraph(join(root, 'src', 'eval', 'voc-io.ts'));
  assert.ok(vocIo.problems.some((p) => p.problem.includes("bare specifier 'fast-xml-parser'")), describe(vocIo.problems));
});

test('the browser entry (TypeScript sources) imports nothing Node-only, directly or indirectly', () => {
  for (const entry of ['src/browser/index.ts', 'test/browser/workload.ts']) assertBrowserGraph(root, entry, NO_BARE_SPECIFIERS, MUST_REACH, false);
});

test("the browser entry as compiled by tsc imports nothing Node-only (tsc's output is what the browser loads)", (t) => {
  const build = compiledBuildDir();
  if (build.dir === undefined) {
    t.skip(build.skipReason);
    return;
  }
  for (const entry of ['src/browser/index.js', 'test/browser/workload.js']) assertBrowserGraph(build.dir, entry, NO_BARE_SPECIFIERS, MUST_REACH, true);
});

/** The one npm package the browser model entry may import: tfjs (a page maps it to tfjs' ESM bundle). */
const MODELS_BARE_SPECIFIERS: readonly string[] = ['@tensorflow/tfjs'];

/** Modules the model entry must reach: both detectors, the checkpoint bytes, the input tensor, the RoI op. */
const MODELS_MUST_REACH = ['src/models/faster-rcnn/faster-rcnn.ts', 'src/models/mask-rcnn/mask-rcnn.ts', 'src/models/detection/mask-head.ts', 'src/models/detection/generalized-rcnn.ts', 'src/models/rcnn/rcnn.ts', 'src/models/fast-rcnn/fast-rcnn.ts', 'src/engine/checkpoint-format.ts', 'src/models/registry.ts', 'src/models/detection/images-tensor.ts', 'src/engine/roi-ops.ts', 'src/roi/align.ts'];

test('the browser model entry (TypeScript sources) imports nothing Node-only and no npm package but tfjs', () => {
  for (const entry of ['src/browser/models.ts', 'test/browser/model-workload.ts']) assertBrowserGraph(root, entry, MODELS_BARE_SPECIFIERS, MODELS_MUST_REACH, false);
  // The file-level modules around it stay Node-only (they read files), so the entry must not reach them.
  const fileLevel = walkImportGraph(join(root, 'src', 'models', 'faster-rcnn', 'checkpoint.ts'), MODELS_BARE_SPECIFIERS);
  assert.ok(fileLevel.problems.some((p) => p.problem === "imports 'node:fs' (Node only)"), describe(fileLevel.problems));
});

test("the browser model entry as compiled by tsc imports nothing Node-only and no npm package but tfjs; models.html maps exactly tfjs", (t) => {
  const html = readFileSync(join(root, 'test', 'browser', 'models.html'), 'utf8');
  const importMap = JSON.parse(/<script type="importmap">([\s\S]*?)<\/script>/.exec(html)![1]) as { imports: Record<string, string> };
  assert.deepEqual(Object.keys(importMap.imports), MODELS_BARE_SPECIFIERS);
  for (const target of Object.values(importMap.imports)) assert.ok(existsSync(join(root, target)), `import map target ${target} does not exist`);
  const build = compiledBuildDir();
  if (build.dir === undefined) {
    t.skip(build.skipReason);
    return;
  }
  for (const entry of ['src/browser/models.js', 'test/browser/model-workload.js']) assertBrowserGraph(build.dir, entry, MODELS_BARE_SPECIFIERS, MODELS_MUST_REACH, true);
});

/** The npm packages the browser ONNX entry may import: tfjs and protobufjs (onnxruntime-web is the page's, passed in). */
const ONNX_BARE_SPECIFIERS: readonly string[] = ['@tensorflow/tfjs', 'protobufjs'];
const ONNX_MUST_REACH = ['src/onnx/detector.ts', 'src/onnx/runtime.ts', 'src/onnx/proto.ts', 'src/onnx/export.ts', 'src/onnx/layers.ts', 'src/models/registry.ts', 'src/roi/align.ts'];

test('the browser ONNX entry imports nothing Node-only and no npm package but tfjs and protobufjs; onnx.html maps them', (t) => {
  for (const entry of ['src/browser/onnx.ts', 'test/browser/onnx-workload.ts']) assertBrowserGraph(root, entry, ONNX_BARE_SPECIFIERS, ONNX_MUST_REACH, false);
  const html = readFileSync(join(root, 'test', 'browser', 'onnx.html'), 'utf8');
  const importMap = JSON.parse(/<script type="importmap">([\s\S]*?)<\/script>/.exec(html)![1]) as { imports: Record<string, string> };
  assert.deepEqual(Object.keys(importMap.imports), [...ONNX_BARE_SPECIFIERS, 'onnxruntime-web']);
  for (const target of Object.values(importMap.imports)) assert.ok(existsSync(join(root, target)), `import map target ${target} does not exist`);
  const build = compiledBuildDir();
  if (build.dir === undefined) {
    t.skip(build.skipReason);
    return;
  }
  for (const entry of ['src/browser/onnx.js', 'test/browser/onnx-workload.js']) assertBrowserGraph(build.dir, entry, ONNX_BARE_SPECIFIERS, ONNX_MUST_REACH, true);
});
