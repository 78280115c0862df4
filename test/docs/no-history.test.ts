import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { packageRoot } from '../../src/util/paths.js';

/**
 * What a user reads — the README, docs/, the sources and their comments (which also hold every string
 * the CLI prints and the report shows), the benchmarks, scripts and examples — speaks of detseg itself,
 * never of how it was developed. Each pattern below names one kind of development narrative; each is
 * checked to fire on a sample of what it forbids and to stay silent on legitimate text that looks
 * alike, so that the scan itself is tested.
 */
interface HistoryPattern {
  pattern: RegExp;
  why: string;
  /** Text the pattern must find. */
  fires: string[];
  /** Legitimate text it must leave alone. */
  silent: string[];
}

/** Upstream projects whose numbered issues may be cited as references. */
const UPSTREAM = /(?:tfjs|tensorflow|yolov5|ultralytics|torchvision|pytorch|pycocotools|cocoapi|numpy|scipy|xnnpack|node(?:\.js)?|chromium|sharp|panopticapi|detectron2|mmdetection)\s*$/i;

const PATTERNS: HistoryPattern[] = [
  {
    pattern: /\bsessions?[- ]\d+\b/gi,
    why: 'numbered work periods ("session 2") narrate development',
    fires: ['measured in session 3', "session-1 choice", "the session 1 pack"],
    silent: ['the practical session', 'openSession(implementation)', 'a session of 20 minutes'],
  },
  {
    pattern: /\b(?:issues?|tickets?)\s*#?\d+\b/gi,
    why: "the project's own ticket numbers are history (an upstream project's issue, named before it, is a citation)",
    fires: ['Engine speed (issue 6)', 'see ticket #12', 'fixed for issues 4'],
    silent: ['tfjs issue 3830', 'ultralytics issue #13350', 'an issue with the input'],
  },
  {
    pattern: /\bthe issue's\b/gi,
    why: '"the issue\'s goals" refers to a development ticket',
    fires: ["The issue's goals: R-CNN ≥ 20×"],
    silent: ['issues of the format'],
  },
  {
    pattern: /\bautogroups?\b/gi,
    why: 'scheduler autogroups only come up when describing how a shared development machine was used',
    fires: ['each run in an autogroup of its own', 'the autogroup nice'],
    silent: ['group the boxes automatically'],
  },
  {
    pattern: /\bnice\s*[-−]?\s*\d+\b/gi,
    why: 'process priorities of measurement runs ("nice −15", "nice-19 training") are machine-sharing narrative',
    fires: ['at nice −15', 'nice -15', 'a nice 19 training'],
    silent: ['niceTicks(lo, hi, 5)', 'a nice round number'],
  },
  {
    pattern: /\bload average\b|\bload\s*[≈~]\s*\d|\b(?:at|under)\s+(?:a\s+)?load\b/gi,
    why: 'load averages of a shared machine describe who else was using it, not detseg',
    fires: ['at a load average of about 10', 'load ≈ 4', 'at load 3.2–4', 'under a load of 5–10'],
    silent: ['the kernels load 4 channels per instruction', 'load the checkpoint', 'loadSunnybrook()'],
  },
  {
    pattern: /\b(?:another|other)\s+(?:engineers?|helpers?|sessions?|people|jobs)(?:'s?)?\b|\bhelpers?'s?\s+(?:tests?|trainings?|runs?|jobs?)\b/gi,
    why: 'who ran what beside whom is development narrative',
    fires: ["once another engineer's training had stopped", "other helpers' long trainings", "beside a helper's tests", 'other jobs on the machine'],
    silent: ['a helper worker claims jobs', 'the SVG helpers (as `svg`)', 'helpers sleep on it'],
  },
  {
    pattern: /\b(?:the|this|our|this project's)\s+shared(?:\s+2-core)?\s+machine\b/gi,
    why: 'benchmark conditions are stated as the machine and whether its cores were free, not as the shared machine the project was developed on',
    fires: ['on the shared 2-core machine', "on this project's shared 2-core machine"],
    silent: ['shared memory', 'the threaded build on shared memory', 'CPU time is robust to other processes on a shared machine'],
  },
  {
    pattern: /\bcommits?\s+[0-9a-f]{7,40}\b|\bgit archive\s+[0-9a-f]{7,40}|\((?:before|after)?\s*(?=[0-9a-f~]*\d)(?=[0-9a-f~]*[a-f])[0-9a-f]{7,12}(?:~\d+)?\)/gi,
    why: 'commit hashes as before/after markers tell the history of the code',
    fires: ['the tree after commit 8517b0d', '| before (a4ac196) |', '| session 1 (8517b0d~1) |', 'git archive 8517b0d~1', '`Cast` shares (489992d)'],
    silent: ['a commit is atomic', 'FNV-1a (0x811c9dc5)', 'colour #e6194b', '(1000000)', '(defaced)'],
  },
];

/** Files a user reads: README.md, docs/**\/*.md, and every text file under src/, bench/, scripts/, examples/. */
function scannedFiles(root: string): string[] {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (/\.(?:ts|js|mjs|html|css|md|json|txt)$/.test(name)) files.push(path);
    }
  };
  if (existsSync(join(root, 'README.md'))) files.push(join(root, 'README.md'));
  for (const dir of ['docs', 'src', 'bench', 'scripts', 'examples']) if (existsSync(join(root, dir))) walk(join(root, dir));
  return files;
}

/** Findings of one pattern in a text: `line: match`, with upstream issue citations left out. */
function findings(p: HistoryPattern, text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(new RegExp(p.pattern.source, p.pattern.flags))) {
    const at = m.index ?? 0;
    if (/^(?:issue|ticket)/i.test(m[0]) && UPSTREAM.test(text.slice(Math.max(0, at - 40), at))) continue;
    const line = text.slice(0, at).split('\n').length;
    out.push(`${line}: ${m[0]}`);
  }
  return out;
}

test('no-history patterns: each fires on what it forbids and stays silent on look-alikes', () => {
  for (const p of PATTERNS) {
    for (const s of p.fires) assert.equal(findings(p, s).length, 1, `${p.pattern} should find "${s}" (${p.why})`);
    for (const s of p.silent) assert.deepEqual(findings(p, s), [], `${p.pattern} should leave "${s}" alone`);
  }
});

test('README, docs, sources, benchmarks, scripts and examples do not narrate how detseg was developed', () => {
  const root = packageRoot();
  const files = scannedFiles(root);
  assert.ok(files.some((f) => f.endsWith('README.md')) && files.some((f) => f.includes(`${join(root, 'src')}`)), 'the README and src/ are scanned');
  const problems: string[] = [];
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    for (const p of PATTERNS) for (const f of findings(p, text)) problems.push(`${relative(root, file)}:${f}  (${p.why})`);
  }
  assert.deepEqual(problems, [], `development narrative found:\n${problems.join('\n')}`);
});
