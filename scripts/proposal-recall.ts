/**
 * Recall of ground-truth boxes by selective search proposals (or sliding windows, for comparison) on the 100 VOC2012 images of the shared
 * data (`voc2012_100`): for the top 100, 500, 1000 and 2000 ranked proposals, the fraction of
 * ground-truth objects (VOC "difficult" ones excluded) whose best proposal has IoU ≥ 0.5 and ≥ 0.7, the
 * mean best overlap (ABO), and the time per image (selective search only, not decoding).
 *
 *   node --import tsx scripts/proposal-recall.ts [--method selective-search|sliding-window] [--mode fast|quality|single] [--stride 32] [--limit N] [--counts 100,500,1000,2000] [--json out.json]
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { boxIou } from '../src/boxes/iou.js';
import { proposeBoxes, type ProposalMethod } from '../src/proposals/propose.js';
import { decodeImage } from '../src/data/images.js';
import { readVocDir } from '../src/data/voc.js';
import type { SelectiveSearchMode } from '../src/proposals/selective-search.js';
import { writeFileAtomic } from '../src/util/atomic.js';
import { median } from '../src/util/median.js';
import { DetsegInputError } from '../src/util/errors.js';
import { sharedDataDir } from '../src/util/paths.js';

const IOU_THRESHOLDS = [0.5, 0.7];

const { values: args } = parseArgs({ options: { method: { type: 'string', default: 'selective-search' }, stride: { type: 'string', default: '32' }, mode: { type: 'string', default: 'fast' }, limit: { type: 'string' }, json: { type: 'string' }, counts: { type: 'string', default: '100,500,1000,2000' }, seed: { type: 'string', default: '0' } } });
const mode = args.mode as SelectiveSearchMode;
const method = args.method as ProposalMethod;
const label = method === 'selective-search' ? `selective search (${mode})` : `sliding windows (stride ${args.stride}, evenly subsampled to each count)`;
const PROPOSAL_COUNTS = args.counts!.split(',').map(Number);
if (!PROPOSAL_COUNTS.every((n) => Number.isInteger(n) && n > 0)) throw new DetsegInputError(`expected positive integers separated by commas, got '${args.counts}'`, { field: '--counts' });
const root = sharedDataDir();
if (!root) throw new Error('shared data (voc2012_100) not found: set DETSEG_SHARED_DATA');
const dir = join(root, 'voc2012_100');
// Ground truth with the devkit's pixel reading (1-based inclusive: x1 = xmin − 1, x2 = xmax); difficult objects left out.
let annotated = readVocDir(join(dir, 'gts', 'pascalvoc_format'), { pixelOffset: 1 }).images;
if (args.limit) annotated = annotated.slice(0, Number(args.limit));

const hits = PROPOSAL_COUNTS.map(() => IOU_THRESHOLDS.map(() => 0));
const overlapSum = PROPOSAL_COUNTS.map(() => 0);
let objects = 0;
const times: number[] = [];
const cpuTimes: number[] = []; // CPU time of this process (user + system), robust to other processes on a shared machine
const proposalCounts: number[] = [];
for (const record of annotated) {
  const name = record.file;
  const gt = new Float32Array(record.boxes.filter((_, i) => record.difficult[i >> 2] === 0)); // [G, 4]
  const image = await decodeImage(join(dir, 'images', name));
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const { boxes } = proposeBoxes(image, { method, mode, seed: Number(args.seed), top: Math.max(...PROPOSAL_COUNTS), stride: Number(args.stride) });
  times.push(performance.now() - t0);
  const cpu = process.cpuUsage(cpu0);
  cpuTimes.push((cpu.user + cpu.system) / 1000);
  const n = boxes.length / 4;
  proposalCounts.push(n);
  const g = gt.length / 4;
  objects += g;
  PROPOSAL_COUNTS.forEach((top, pi) => {
    // Selective search: the best-ranked `top`. Sliding windows (no ranking): an evenly spaced `top` of all windows.
    const subset = method === 'selective-search' ? boxes.subarray(0, 4 * Math.min(top, n)) : proposeBoxes(image, { method, top, stride: Number(args.stride) }).boxes;
    const m = subset.length / 4;
    const iou = boxIou(gt, subset); // [G, m]
    for (let i = 0; i < g; i++) {
      let best = 0;
      for (let j = 0; j < m; j++) best = Math.max(best, iou[i * m + j]);
      overlapSum[pi] += best;
      IOU_THRESHOLDS.forEach((thr, ti) => { if (best >= thr) hits[pi][ti]++; });
    }
  });
  process.stderr.write(`${name}: ${image.width}×${image.height}, ${g} objects, ${n} proposals, ${times.at(-1)!.toFixed(0)} ms (${cpuTimes.at(-1)!.toFixed(0)} ms CPU)\n`);
}

const sorted = [...times].sort((a, b) => a - b);
const medianMs = median(times);
const meanMs = times.reduce((s, v) => s + v, 0) / times.length;
const medianCpuMs = median(cpuTimes);
const table = PROPOSAL_COUNTS.map((top, pi) => ({
  proposals: top,
  recall50: hits[pi][0] / objects,
  recall70: hits[pi][1] / objects,
  abo: overlapSum[pi] / objects,
}));
process.stdout.write(`${label} on ${annotated.length} VOC2012 images, ${objects} objects (difficult excluded)\n`);
process.stdout.write(`time per image: median ${medianMs.toFixed(0)} ms, mean ${meanMs.toFixed(0)} ms, max ${sorted.at(-1)!.toFixed(0)} ms (wall); median ${medianCpuMs.toFixed(0)} ms CPU; proposals per image: mean ${(proposalCounts.reduce((s, v) => s + v, 0) / annotated.length).toFixed(0)}\n`);
process.stdout.write('| proposals | recall@0.5 | recall@0.7 | ABO |\n| ---: | ---: | ---: | ---: |\n');
for (const r of table) process.stdout.write(`| ${r.proposals} | ${r.recall50.toFixed(3)} | ${r.recall70.toFixed(3)} | ${r.abo.toFixed(3)} |\n`);
if (args.json) writeFileAtomic(args.json, JSON.stringify({ method, mode, images: annotated.length, objects, medianMs, meanMs, medianCpuMs, table }, null, 2) + '\n');
