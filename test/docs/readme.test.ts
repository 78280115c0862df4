import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { packageRoot } from '../../src/util/paths.js';

const root = packageRoot();
const readme = readFileSync(join(root, 'README.md'), 'utf8');

/** The docs pages that other parts of the tree provide; a link to one of them is checked once it exists. */
const PROVIDED_ELSEWHERE = new Set(['docs/architecture.md']);

/** GitHub's anchor of a Markdown heading: lower case, punctuation dropped, spaces to hyphens. */
function headingAnchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** Anchors of every heading of a Markdown text (outside code fences). */
function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) fenced = !fenced;
    const m = !fenced && /^#{1,6}\s+(.*)$/.exec(line);
    if (m) anchors.add(headingAnchor(m[1]));
  }
  return anchors;
}

test('headingAnchor: GitHub anchors of hand-checked headings', () => {
  assert.equal(headingAnchor('Speed: `detseg bench rcnn-family`'), 'speed-detseg-bench-rcnn-family');
  assert.equal(headingAnchor("What makes it exactly pycocotools'"), 'what-makes-it-exactly-pycocotools');
  assert.equal(headingAnchor('Cardiac MRI: Sunnybrook left ventricle and the U-Net practical'), 'cardiac-mri-sunnybrook-left-ventricle-and-the-u-net-practical');
});

test('README: for a user, at most 250 lines', () => {
  const lines = readme.split('\n').length;
  assert.ok(lines <= 250, `README.md has ${lines} lines`);
  for (const must of ['npm install && npm start', 'npm test', 'CI=true']) assert.ok(readme.includes(must), `README names ${must}`);
});

test('README and docs/: every relative link names an existing file and heading', (t) => {
  const pages = [join(root, 'README.md'), ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => join(root, 'docs', f))];
  const problems: string[] = [];
  let checked = 0;
  for (const page of pages) {
    const text = readFileSync(page, 'utf8');
    for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      const link = m[1];
      if (/^[a-z]+:/.test(link)) continue; // http:, https:, mailto:
      const [path, anchor] = link.split('#');
      const target = path === '' ? page : resolve(dirname(page), path);
      const name = relative(root, target);
      if (!existsSync(target)) {
        if (PROVIDED_ELSEWHERE.has(name)) t.diagnostic(`${relative(root, page)}: link to ${name}, not in this tree yet`);
        else problems.push(`${relative(root, page)}: ${link} (no such file)`);
        continue;
      }
      checked++;
      if (anchor !== undefined && !anchorsOf(readFileSync(target, 'utf8')).has(anchor)) problems.push(`${relative(root, page)}: ${link} (no such heading)`);
    }
  }
  assert.ok(checked >= 20, `only ${checked} links checked`);
  assert.deepEqual(problems, []);
});

test("README's Node example runs: the shipped Mask R-CNN finds the objects of a held-out image", (t) => {
  if (!existsSync(join(root, 'dist', 'src', 'index.js'))) return t.skip('no build (dist/src/index.js): run from the build (npm test)');
  const block = /## As a library[\s\S]*?```ts\n([\s\S]*?)```/.exec(readme);
  assert.ok(block, 'the README has a ```ts block under "As a library"');
  // the example imports the package by its own name: run it from a file inside the package
  const dir = mkdtempSync(join(root, 'dist', 'readme-example-'));
  try {
    const file = join(dir, 'example.mjs');
    writeFileSync(file, `${block[1]}\nprocess.stdout.write(JSON.stringify({ n: boxes.length / 4, labels: Array.from(labels), scores: Array.from(scores), masks: masks.length }));\n`);
    const run = spawnSync(process.execPath, [file], { encoding: 'utf8', env: { ...process.env, DETSEG_THREADS: '1' } });
    assert.equal(run.status, 0, run.stderr);
    const out = JSON.parse(run.stdout) as { n: number; labels: number[]; scores: number[]; masks: number };
    // held-out image 0 of seed 2 holds one circle (class 0, label 1)
    assert.ok(out.n >= 1, 'at least one detection');
    assert.equal(out.masks, out.n, 'one mask per detection');
    const best = out.scores.indexOf(Math.max(...out.scores));
    assert.equal(out.labels[best], 1, 'the best detection is a circle');
    assert.ok(out.scores[best] > 0.9);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
