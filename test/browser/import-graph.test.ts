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
  for (const entry of ['src/browser/index.ts', 'test/browser/workload.ts']) {
    const graph = walkImportGraph(join(root, entry), NO_BARE_SPECIFIERS);
    assert.equal(graph.problems.length, 0, `${entry}:\n${describe(graph.problems)}`);
    for (const file of MUST_REACH) assert.ok(graph.files.includes(join(root, file)), `${entry} does not reach ${file}`);
  }
});

test("the browser entry as compiled by tsc imports nothing Node-only (tsc's output is what the browser loads)", (t) => {
  const build = compiledBuildDir();
  if (build.dir === undefined) {
    t.skip(build.skipReason);
    return;
  }
  for (const entry of ['src/browser/index.js', 'test/browser/workload.js']) {
    const graph = walkImportGraph(join(build.dir, entry), NO_BARE_SPECIFIERS);
    assert.equal(graph.problems.length, 0, `${entry}:\n${describe(graph.problems)}`);
    for (const file of MUST_REACH) assert.ok(graph.files.includes(join(build.dir, file.replace(/\.ts$/, '.js'))), `${entry} does not reach ${file}`);
  }
});

test("the browser model test's import map (models.html) covers exactly the non-relative imports of the model workload", () => {
  // The model files are not browser-clean (see src/browser/index.ts); models.html maps each package or
  // Node module they import. A new one must be added there — or, better, kept off the inference path.
  const html = readFileSync(join(root, 'test', 'browser', 'models.html'), 'utf8');
  const importMap = JSON.parse(/<script type="importmap">([\s\S]*?)<\/script>/.exec(html)![1]) as { imports: Record<string, string> };
  const graph = walkImportGraph(join(root, 'test', 'browser', 'model-workload.ts'), Object.keys(importMap.imports));
  assert.deepEqual(graph.external, Object.keys(importMap.imports).sort());
  for (const target of Object.values(importMap.imports)) {
    const file = target.startsWith('/dist/') ? join(root, target.slice('/dist/'.length).replace(/\.js$/, '.ts')) : join(root, target);
    assert.ok(existsSync(file), `import map target ${target}: ${file} does not exist`);
  }
});
