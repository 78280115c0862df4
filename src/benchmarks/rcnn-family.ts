import * as tf from '@tensorflow/tfjs';
import type { SelectiveSearchMode } from '../proposals/selective-search.js';
import { median } from '../util/median.js';
import { loadFastRcnn } from '../models/fast-rcnn/checkpoint.js';
import { loadFasterRcnn } from '../models/faster-rcnn/checkpoint.js';
import { loadRcnn } from '../models/rcnn/checkpoint.js';
import { evaluateDetections } from '../models/detection/evaluate.js';
import { selectiveSearchProposals } from '../models/detection/selective-search-proposals.js';
import { imagesToTensor, syntheticDetectionSet } from '../models/detection/synthetic-data.js';
import type { Detections } from '../models/detection/types.js';
import { detectorCheckpoint, type ShippedDetector } from '../pipeline/shipped-chain.js';

/** One row of the speed table. */
export interface RcnnFamilyRow {
  method: 'R-CNN' | 'Fast R-CNN' | 'Faster R-CNN';
  /** How proposals are made. */
  proposer: string;
  /** Median seconds per image to make the proposals (selective search, or the RPN head + proposal generation). */
  proposalSeconds: number;
  /** Median seconds per image of the network without the proposals (backbone, pooling or warping, head, post-processing). */
  networkSeconds: number;
  /** Median seconds per image in all (median of the per-image sums). */
  totalSeconds: number;
  /** Mean proposals per image. */
  proposalsPerImage: number;
  /** COCO mAP (IoU .50:.95) and mAP@0.5 on the benchmark images. */
  mAP: number;
  mAP50: number;
  /** Parameters of the method's backbone. */
  backboneParameters: number;
  /** The held-out scores its checkpoint records (`meta.metrics` of its training: COCO mAP, mAP@0.5, images); null when it records none. */
  heldOut: { mAP: number; mAP50: number; images: number } | null;
}

/** The speed ratios of the R-CNN family, each a quotient of two of the rows' medians. */
export interface RcnnFamilyRatios {
  /** R-CNN network s/img ÷ Fast R-CNN network s/img: the proposals are the same and left out, as in Girshick 2015, Table 4. */
  rcnnOverFastNetwork: number;
  /** R-CNN total s/img ÷ Fast R-CNN total s/img (selective search counted in both). */
  rcnnOverFastTotal: number;
  /** Fast R-CNN total s/img (selective search counted) ÷ Faster R-CNN total s/img (RPN counted), as in Ren et al. 2015, Table 5. */
  fastOverFasterTotal: number;
}

/**
 * The papers' ratios, from their tables (VGG16 on a K40 GPU): Girshick 2015 ("Fast R-CNN"), Table 4,
 * test time per image without proposals, R-CNN 47.0 s vs Fast R-CNN 0.32 s; Ren et al. 2015 ("Faster
 * R-CNN"), Table 5, selective search + Fast R-CNN 1,830 ms vs RPN + Fast R-CNN 198 ms per image.
 */
export const PAPER_RATIOS: Pick<RcnnFamilyRatios, 'rcnnOverFastNetwork' | 'fastOverFasterTotal'> = { rcnnOverFastNetwork: 47.0 / 0.32, fastOverFasterTotal: 1830 / 198 };

/** Result of {@link benchRcnnFamily}. */
export interface RcnnFamilyReport {
  images: number;
  imageSize: number;
  seed: number;
  /** Selective-search mode of the proposals shared by R-CNN and Fast R-CNN. */
  proposalMode: SelectiveSearchMode;
  /** Side every R-CNN proposal is warped to (pixels). */
  rcnnWarpSize: number;
  rows: RcnnFamilyRow[];
  ratios: RcnnFamilyRatios;
  /** Whether the three backbones have the same layers with the same weight shapes (a like-for-like comparison). */
  sameBackboneArchitecture: boolean;
}

/** The weight shapes of a backbone in layer order, e.g. `3x3x3x16,16,16,…`: equal strings = same architecture. */
export function backboneSignature(model: tf.LayersModel): string {
  return model.weights.map((w) => w.shape.join('x')).join(',');
}

/** Options of {@link benchRcnnFamily}. */
export interface RcnnFamilyOptions {
  /** Held-out synthetic images timed (after one untimed warm-up image). */
  images: number;
  /** Seed of the synthetic images (default 2, the held-out split). */
  seed?: number;
  /** Selective-search mode of R-CNN's and Fast R-CNN's proposals (default 'quality'). */
  proposalMode?: SelectiveSearchMode;
  /** Checkpoints (default: the shipped ones). */
  checkpoints?: Partial<Record<'rcnn' | 'fast-rcnn' | 'faster-rcnn', string>>;
}

/** The ratios of rows [R-CNN, Fast R-CNN, Faster R-CNN] (see {@link RcnnFamilyRatios}). */
export function rcnnFamilyRatios(rows: RcnnFamilyRow[]): RcnnFamilyRatios {
  const [rcnn, fast, faster] = rows;
  return {
    rcnnOverFastNetwork: rcnn.networkSeconds / fast.networkSeconds,
    rcnnOverFastTotal: rcnn.totalSeconds / fast.totalSeconds,
    fastOverFasterTotal: fast.totalSeconds / faster.totalSeconds,
  };
}

/** Which checkpoint each method of the speed family runs: R-CNN, Fast R-CNN and the small-backbone Faster R-CNN (all three from one 4,000-step small Faster R-CNN). */
export const RCNN_FAMILY_CHECKPOINTS = { rcnn: 'rcnn', 'fast-rcnn': 'fast-rcnn', 'faster-rcnn': 'faster-rcnn-small' } as const satisfies Record<string, ShippedDetector>;

/** Paths of the speed family's checkpoints: those in `trained` (e.g. a report's `--retrain`), else the shipped ones. */
export function rcnnFamilyCheckpoints(trained: ReadonlyMap<string, string> = new Map()): Record<keyof typeof RCNN_FAMILY_CHECKPOINTS, string> {
  return { rcnn: detectorCheckpoint(trained, RCNN_FAMILY_CHECKPOINTS.rcnn), 'fast-rcnn': detectorCheckpoint(trained, RCNN_FAMILY_CHECKPOINTS['fast-rcnn']), 'faster-rcnn': detectorCheckpoint(trained, RCNN_FAMILY_CHECKPOINTS['faster-rcnn']) };
}

/** The held-out mAP, mAP@0.5 and image count a checkpoint's `meta.metrics` records, or null. */
export function recordedScores(meta: Record<string, unknown>): RcnnFamilyRow['heldOut'] {
  const m = meta.metrics as Record<string, unknown> | undefined;
  if (typeof m?.mAP !== 'number' || typeof m.mAP50 !== 'number' || typeof m.valImages !== 'number') return null;
  return { mAP: m.mAP, mAP50: m.mAP50, images: m.valImages };
}

/**
 * The R-CNN family on the same images and the same backbone architecture (the shipped R-CNN and Fast
 * R-CNN, and the small Faster R-CNN: {@link RCNN_FAMILY_CHECKPOINTS}): per image, the seconds of the
 * proposals and of the network, one image at a time, after one untimed warm-up image. Selective search
 * (`proposalMode`, default 'quality') runs once per image and its time is charged to both R-CNN and Fast
 * R-CNN, which use the same proposals. R-CNN warps each proposal to its checkpoint's warp size (128² for
 * the shipped one: the backbone's input size) and runs the whole backbone on every crop, 64 crops per
 * call; Fast R-CNN runs the backbone once and pools each proposal from the feature map; Faster R-CNN's
 * proposal time is its RPN head and proposal generation, its backbone is network time, as for Fast
 * R-CNN. Every row does only its own method's work. mAP is COCOeval's on the benchmark images.
 * Ratios: {@link rcnnFamilyRatios} of the rows.
 */
export function benchRcnnFamily(options: RcnnFamilyOptions): RcnnFamilyReport {
  const seed = options.seed ?? 2;
  const proposalMode = options.proposalMode ?? 'quality';
  const size = 128;
  const samples = syntheticDetectionSet(seed, options.images, { size });
  const shipped = rcnnFamilyCheckpoints();
  const loaded = [loadRcnn(options.checkpoints?.rcnn ?? shipped.rcnn), loadFastRcnn(options.checkpoints?.['fast-rcnn'] ?? shipped['fast-rcnn']), loadFasterRcnn(options.checkpoints?.['faster-rcnn'] ?? shipped['faster-rcnn'])] as const;
  const [rcnn, fast, faster] = [loaded[0].model, loaded[1].model, loaded[2].model];
  const heldOut = loaded.map((l) => recordedScores(l.meta));
  const rcnnWarpSize = rcnn.warpSize;
  const backbones = [rcnn.backbone.model, fast.backbone.model, faster.backbone.model];
  const sameBackboneArchitecture = new Set(backbones.map(backboneSignature)).size === 1;
  const parameters = backbones.map((m) => m.countParams());
  const times = { ss: [] as number[], rcnn: [] as number[], fast: [] as number[], rpn: [] as number[], fasterNet: [] as number[] };
  const dets = { rcnn: [] as Detections[], fast: [] as Detections[], faster: [] as Detections[] };
  let ssCount = 0, rpnCount = 0;
  try {
    for (let i = -1; i < samples.length; i++) {
      const s = samples[Math.max(i, 0)]; // i = −1: warm-up on the first image, not recorded
      const x = imagesToTensor([s.sample.image], size, size); // [1, H, W, 3]
      const t0 = performance.now();
      const proposals = selectiveSearchProposals(s.sample.image, size, size, { mode: proposalMode }); // [K, 4]
      const t1 = performance.now();
      const dRcnn = rcnn.predict(x, [proposals])[0];
      const t2 = performance.now();
      const dFast = fast.predict(x, [proposals])[0];
      const t3 = performance.now();
      const features = faster.backbone.model.apply(x, { training: false }) as tf.Tensor4D; // [1, h, w, C]
      features.dataSync();
      const t4 = performance.now();
      let rpnProposals: Float32Array[] = [];
      tf.tidy(() => {
        rpnProposals = faster.rpn.run(features, size, size).proposals;
      });
      const t5 = performance.now();
      const dFaster = faster.roiHeads.predict(features, rpnProposals, size, size)[0];
      const t6 = performance.now();
      features.dispose();
      x.dispose();
      if (i < 0) continue;
      times.ss.push((t1 - t0) / 1000);
      times.rcnn.push((t2 - t1) / 1000);
      times.fast.push((t3 - t2) / 1000);
      times.rpn.push((t5 - t4) / 1000);
      times.fasterNet.push((t4 - t3 + t6 - t5) / 1000);
      ssCount += proposals.length / 4;
      rpnCount += rpnProposals[0].length / 4;
      dets.rcnn.push(dRcnn);
      dets.fast.push(dFast);
      dets.faster.push(dFaster);
    }
  } finally {
    rcnn.dispose();
    fast.dispose();
    faster.dispose();
  }
  const n = samples.length;
  const row = (method: RcnnFamilyRow['method'], proposer: string, proposal: number[], network: number[], count: number, d: Detections[]): RcnnFamilyRow => {
    const coco = evaluateDetections(samples, d, 'bbox');
    return {
      method,
      proposer,
      proposalSeconds: median(proposal),
      networkSeconds: median(network),
      totalSeconds: median(proposal.map((p, k) => p + network[k])),
      proposalsPerImage: count / n,
      mAP: coco.stats[0],
      mAP50: coco.stats[1],
      backboneParameters: parameters[['R-CNN', 'Fast R-CNN', 'Faster R-CNN'].indexOf(method)],
      heldOut: heldOut[['R-CNN', 'Fast R-CNN', 'Faster R-CNN'].indexOf(method)],
    };
  };
  const ss = `selective search (${proposalMode})`;
  const rows = [
    row('R-CNN', ss, times.ss, times.rcnn, ssCount, dets.rcnn),
    row('Fast R-CNN', ss, times.ss, times.fast, ssCount, dets.fast),
    row('Faster R-CNN', 'RPN', times.rpn, times.fasterNet, rpnCount, dets.faster),
  ];
  return { images: n, imageSize: size, seed, proposalMode, rcnnWarpSize, rows, ratios: rcnnFamilyRatios(rows), sameBackboneArchitecture };
}

/** The three ratio lines of a report, each with its definition and the papers' value. */
export function ratioLines(report: RcnnFamilyReport): string[] {
  const r = report.ratios;
  const x = (v: number) => `${v.toFixed(1)}×`;
  return [
    `R-CNN / Fast R-CNN, network only (same proposals, left out; Girshick 2015 Table 4: ${x(PAPER_RATIOS.rcnnOverFastNetwork)}): ${x(r.rcnnOverFastNetwork)}`,
    `R-CNN / Fast R-CNN, total with selective search: ${x(r.rcnnOverFastTotal)}`,
    `Fast R-CNN / Faster R-CNN, total with selective search and RPN (Ren et al. 2015 Table 5: ${x(PAPER_RATIOS.fastOverFasterTotal)}): ${x(r.fastOverFasterTotal)}`,
  ];
}

/** The report as a fixed-width text table followed by the ratio lines. */
export function formatRcnnFamily(report: RcnnFamilyReport): string {
  const header = ['method', 'proposals', 'per image', 'proposal s/img', 'network s/img', 'total s/img', 'mAP', 'mAP@0.5'];
  const rows = report.rows.map((r) => [r.method, r.proposer, r.proposalsPerImage.toFixed(0), r.proposalSeconds.toFixed(4), r.networkSeconds.toFixed(4), r.totalSeconds.toFixed(4), r.mAP.toFixed(3), r.mAP50.toFixed(3)]);
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (r: string[]) => r.map((v, c) => (c < 2 ? v.padEnd(widths[c]) : v.padStart(widths[c]))).join('  ');
  return [
    `R-CNN family on ${report.images} synthetic ${report.imageSize}×${report.imageSize} images (seed ${report.seed}), one image at a time; medians per image; R-CNN warps to ${report.rcnnWarpSize}×${report.rcnnWarpSize}`,
    line(header),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...rows.map(line),
    '',
    ...ratioLines(report),
    ...(report.sameBackboneArchitecture ? [] : ['', `NOT like for like: the backbones differ (${report.rows.map((r) => `${r.method} ${r.backboneParameters.toLocaleString('en-US')}`).join(', ')} parameters)`]),
  ].join('\n');
}
