import { existsSync, readFileSync } from 'node:fs';
import { boxIou } from '../../boxes/iou.js';
import { initEngine } from '../../engine/setup.js';
import { syntheticData } from '../../pipeline/dataset.js';
import { annotateImage } from '../../pipeline/annotate.js';
import { originalSample } from '../../pipeline/samples.js';
import { singleObjectMetrics, validate } from '../../pipeline/val.js';
import { checkpointImageSize, loadDetector } from '../../pipeline/weights.js';
import { assetsDir } from '../../util/paths.js';
import { htmlTable } from '../../viz/plot.js';
import { figureHtml, type ReportContext, type ReportSection } from '../report.js';

/** The λ sweep written by `scripts/classloc-lambda.ts`. */
interface LambdaSweep {
  command: string;
  trainImages: number;
  epochs: number;
  valImages: number;
  rows: Array<{ lambda: number; accuracy: number; meanIoU: number; mAP50: number; seconds: number }>;
}

/**
 * Classification + localization of one object: the shipped model on held-out one-object images
 * (class, score, box and its IoU with the truth), its accuracy and mean IoU, and the λ sweep of the
 * multitask loss when its measurements are shipped.
 */
export async function classlocSection(ctx: ReportContext): Promise<ReportSection> {
  await initEngine();
  const path = ctx.checkpoints.get('classloc') ?? assetsDir('checkpoints', 'classloc.ckpt');
  const parts: string[] = [
    `<p>Before detecting many objects, the lecture localizes <em>one</em>: a CNN with two heads, class scores
(softmax) and a box (4 numbers), trained with the multitask loss <code>L = L_cls + λ·L_box</code> — cross-entropy
plus the squared error of (centre x, centre y, width, height) as fractions of the image. It needs exactly one
object per image; detection drops that assumption.</p>`,
  ];
  if (existsSync(path)) {
    const detector = loadDetector('classloc', path);
    try {
      const imgsz = checkpointImageSize(detector.meta);
      const val = syntheticData(2, ctx.options.quick ? 24 : 200, imgsz, [1, 1]);
      const result = await validate(detector.model, detector.family, val, { imgsz, batch: 16 });
      const one = singleObjectMetrics(val, result.detections);
      const figures: string[] = [];
      for (let i = 0; i < 6; i++) {
        const sample = await originalSample(val, i, false);
        const d = result.detections[i];
        const iou = d.labels.length ? boxIou(d.boxes.subarray(0, 4), val.dataset.images[i].boxes.subarray(0, 4))[0] : 0;
        const name = ctx.figure(`classloc-${i}.png`, await annotateImage(sample.image, d, detector.classes));
        figures.push(figureHtml(name, `held-out image ${i}: ${val.classes[val.dataset.images[i].labels[0]]}; IoU ${iou.toFixed(2)}`, 128));
      }
      parts.push(`<p>The shipped model (${imgsz}² images) on ${val.dataset.images.length} held-out images: classification accuracy
<strong>${one.accuracy.toFixed(3)}</strong>, mean box IoU <strong>${one.meanIoU.toFixed(3)}</strong>
(COCO AP@0.5 ${result.bbox.stats[1].toFixed(3)}).</p>\n${figures.join('\n')}`);
    } finally {
      detector.dispose();
    }
  }
  const sweepFile = assetsDir('classloc', 'lambda-sweep.json');
  if (existsSync(sweepFile)) {
    const sweep = JSON.parse(readFileSync(sweepFile, 'utf8')) as LambdaSweep;
    parts.push(`<p>λ weighs the box term against the class term; one model per λ
(${sweep.trainImages} training images, ${sweep.epochs} epochs per λ, ${sweep.valImages} held-out images;
<code>${sweep.command}</code>):</p>
${htmlTable(['λ', 'accuracy', 'mean IoU', 'AP@0.5', 'training s'], sweep.rows.map((r) => [r.lambda, r.accuracy, r.meanIoU, r.mAP50, Math.round(r.seconds)]))}`);
  }
  return { id: 'classloc', title: 'Classification + localization of one object', html: parts.join('\n') };
}
