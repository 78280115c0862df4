import * as tf from '@tensorflow/tfjs';
import { loadFastRcnn } from '../fast-rcnn/checkpoint.js';
import { loadFasterRcnn } from '../faster-rcnn/checkpoint.js';
import { loadRcnn } from '../rcnn/checkpoint.js';
import { evaluateDetections } from './evaluate.js';
import { selectiveSearchProposals } from './selective-search-proposals.js';
import { imagesToTensor, syntheticDetectionSet } from './synthetic-data.js';
import type { Detections } from './types.js';
import { shippedDetectorPath } from './zoo.js';

/** One row of the speed table. */
export interface RcnnFamilyRow {
  method: 'R-CNN' | 'Fast R-CNN' | 'Faster R-CNN';
  /** How proposals are made. */
  proposer: string;
  /** Median seconds per image to make the proposals (selective search, or the RPN head + proposal generation). */
  proposalSeconds: number;
  /** Median seconds per image of the network without the proposals (backbone, pooling or warping, head, post-processing). */
  networkSeconds: number;
  /** Median seconds per image in all. */
  totalSeconds: number;
  /** Mean proposals per image. */
  proposalsPerImage: number;
  /** COCO mAP (IoU .50:.95) and mAP@0.5 on the benchmark images. */
  mAP: number;
  mAP50: number;
}

/** Result of {@link benchRcnnFamily}. */
export interface RcnnFamilyReport {
  images: number;
  imageSize: number;
  seed: number;
  rows: RcnnFamilyRow[];
}

function medianOf(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * The R-CNN family on the same images and the same backbone architecture (the shipped checkpoints; Fast
 * R-CNN and R-CNN were fine-tuned from the Faster R-CNN backbone): per image, the seconds of the
 * proposals and of the network, one image at a time, after one warm-up image. Selective search (mode
 * 'fast') runs once per image and its time is charged to both R-CNN and Fast R-CNN, which use the same
 * proposals. Faster R-CNN's proposal time is its RPN head and proposal generation; the backbone is
 * network time, as for Fast R-CNN. mAP is COCOeval's on the benchmark images (held-out seed).
 */
export function benchRcnnFamily(options: { images: number; seed?: number; checkpoints?: Partial<Record<'rcnn' | 'fast-rcnn' | 'faster-rcnn', string>> }): RcnnFamilyReport {
  const seed = options.seed ?? 2;
  const size = 128;
  const samples = syntheticDetectionSet(seed, options.images, { size });
  const rcnn = loadRcnn(options.checkpoints?.rcnn ?? shippedDetectorPath('rcnn')).model;
  const fast = loadFastRcnn(options.checkpoints?.['fast-rcnn'] ?? shippedDetectorPath('fast-rcnn')).model;
  const faster = loadFasterRcnn(options.checkpoints?.['faster-rcnn'] ?? shippedDetectorPath('faster-rcnn')).model;
  const times = { ss: [] as number[], rcnn: [] as number[], fast: [] as number[], rpn: [] as number[], fasterNet: [] as number[] };
  const dets = { rcnn: [] as Detections[], fast: [] as Detections[], faster: [] as Detections[] };
  let ssCount = 0, rpnCount = 0;
  try {
    for (let i = -1; i < samples.length; i++) {
      const s = samples[Math.max(i, 0)]; // i = −1: warm-up on the first image, not recorded
      const x = imagesToTensor([s.sample.image], size, size);
      const t0 = performance.now();
      const proposals = selectiveSearchProposals(s.sample.image, size, size);
      const t1 = performance.now();
      const dRcnn = rcnn.predict(x, [proposals])[0];
      const t2 = performance.now();
      const dFast = fast.predict(x, [proposals])[0];
      const t3 = performance.now();
      const features = faster.backbone.model.apply(x, { training: false }) as tf.Tensor4D;
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
      proposalSeconds: medianOf(proposal),
      networkSeconds: medianOf(network),
      totalSeconds: medianOf(proposal.map((p, k) => p + network[k])),
      proposalsPerImage: count / n,
      mAP: coco.stats[0],
      mAP50: coco.stats[1],
    };
  };
  return {
    images: n,
    imageSize: size,
    seed,
    rows: [
      row('R-CNN', 'selective search (fast)', times.ss, times.rcnn, ssCount, dets.rcnn),
      row('Fast R-CNN', 'selective search (fast)', times.ss, times.fast, ssCount, dets.fast),
      row('Faster R-CNN', 'RPN', times.rpn, times.fasterNet, rpnCount, dets.faster),
    ],
  };
}

/** The report as a fixed-width text table. */
export function formatRcnnFamily(report: RcnnFamilyReport): string {
  const header = ['method', 'proposals', 'per image', 'proposal s/img', 'network s/img', 'total s/img', 'mAP', 'mAP@0.5'];
  const rows = report.rows.map((r) => [r.method, r.proposer, r.proposalsPerImage.toFixed(0), r.proposalSeconds.toFixed(4), r.networkSeconds.toFixed(4), r.totalSeconds.toFixed(4), r.mAP.toFixed(3), r.mAP50.toFixed(3)]);
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (r: string[]) => r.map((v, c) => (c < 2 ? v.padEnd(widths[c]) : v.padStart(widths[c]))).join('  ');
  return [
    `R-CNN family on ${report.images} synthetic ${report.imageSize}×${report.imageSize} images (seed ${report.seed}), one image at a time; medians per image`,
    line(header),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...rows.map(line),
  ].join('\n');
}
