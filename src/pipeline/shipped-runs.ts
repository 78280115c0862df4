import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { detectorFamily } from '../models/registry.js';
import { sharedDataDir } from '../util/paths.js';
import { openDetectionData, syntheticData, validateDetectionData } from './dataset.js';
import { trainRun } from './train.js';
import { trainShippedPanoptic } from './shipped-panoptic.js';

/**
 * The shipped checkpoints made by `detseg train` runs (beside the R-CNN family's chain,
 * `shipped-chain.ts`): the classification + localization model (the command of
 * docs/localization.md), YOLOv1 and SSD (docs/single-stage.md), DETR (docs/detr.md) and the Penn-Fudan pedestrian Mask R-CNN (docs/rcnn-family.md; its data is
 * `../shared/data/pennfudan`, not embedded: without it that run is skipped with a log line). `quick`
 * runs each for 2 steps (a smoke test of the runs, not a result).
 */
export async function trainShippedRuns(dir: string, options: { quick?: boolean; log?: (line: string) => void; shared?: string } = {}): Promise<Record<string, string>> {
  const log = options.log ?? (() => {});
  const quick = options.quick ?? false;
  mkdirSync(dir, { recursive: true });
  const out: Record<string, string> = {};
  const steps = (n: number) => (quick ? { epochs: 1, stepsPerEpoch: 2 } : { epochs: n });

  // classloc: 4 epochs on 16,000 one-shape images at 2e-3 (docs/localization.md); the run's best.ckpt ships
  //   detseg train classloc --train-images 16000 --epochs 4 --batch 16 --lr 2e-3 --model-options '{"classPooling":"max"}'
  const classloc = detectorFamily('classloc');
  const train = syntheticData(1, quick ? 8 : 16000, 64, [1, 1]);
  const val = syntheticData(2, quick ? 4 : 200, 64, [1, 1]);
  const classlocOptions = { classPooling: 'max' };
  const localizer = await trainRun({ family: classloc, data: train, val, dir: join(dir, 'classloc'), ...steps(4), batch: 16, imgsz: 64, lr: 2e-3, modelOptions: classlocOptions, args: { model: 'classloc', modelOptions: classlocOptions }, log });
  localizer.model.dispose();
  out.classloc = join(dir, 'classloc.ckpt');
  copyFileSync(join(dir, 'classloc', 'weights', 'best.ckpt'), out.classloc);

  // the single-stage detectors (docs/single-stage.md): 5 epochs on 8,000 synthetic images, then further cosine
  // cycles, each from the previous run's weights (its last.ckpt after the first run, its best.ckpt after later ones):
  //   detseg train yolov1 --train-images 8000 --epochs 5 --batch 4 --lr 1e-3 --model-options '{"gridSize":16}' --name yolov1
  //   detseg train yolov1 --weights runs/train/yolov1/weights/last.ckpt --train-images 8000 --epochs 2 --batch 4 --lr 3e-4 --model-options '{"gridSize":16}' --name yolov1-2
  //   detseg train ssd --train-images 8000 --epochs 5 --batch 4 --lr 1e-3 --name ssd
  //   detseg train ssd --weights runs/train/ssd/weights/last.ckpt --train-images 8000 --epochs 2 --batch 4 --lr 3e-4 --name ssd-2
  //   detseg train ssd --weights runs/train/ssd-2/weights/best.ckpt --train-images 12000 --epochs 2 --batch 4 --lr 3e-4 --name ssd-3
  //   detseg train ssd --weights runs/train/ssd-3/weights/best.ckpt --train-images 12000 --epochs 2 --batch 4 --lr 3e-4 --name ssd-4
  //   detseg train ssd --weights runs/train/ssd-4/weights/best.ckpt --train-images 16000 --epochs 1 --batch 4 --lr 3e-4 --name ssd-5
  //   detseg train ssd --weights runs/train/ssd-5/weights/best.ckpt --train-images 8000 --epochs 1 --batch 4 --lr 3e-4 --name ssd-6
  //   detseg train ssd --weights runs/train/ssd-6/weights/best.ckpt --train-images 12000 --epochs 1 --batch 4 --lr 3e-4 --name ssd-7
  // the shipped file is the last run's best.ckpt
  const shapesVal = syntheticData(2, quick ? 4 : 200, 128);
  /** One cosine run; its `modelOptions` add to (or override) the kind's options for this run. */
  type Cycle = { images: number; epochs: number; lr: number; modelOptions?: Record<string, unknown> };
  /**
   * Trains `kind`'s cosine cycles on fresh synthetic images, each from the previous run's weights
   * (`weights` before the first; then run i's `next(i)` file), into `<dir>/<kind>`, `<kind>-2`, …; copies the
   * last run's best.ckpt to `<dir>/<kind>.ckpt` and returns its path.
   */
  const trainCycles = async (kind: string, modelOptions: Record<string, unknown>, cycles: Cycle[], weights: string | undefined, next: (i: number) => string): Promise<string> => {
    let runDir = '';
    for (const [i, cycle] of cycles.entries()) {
      runDir = join(dir, i === 0 ? kind : `${kind}-${i + 1}`);
      const runOptions = { ...modelOptions, ...cycle.modelOptions };
      const data = syntheticData(1, quick ? 8 : cycle.images, 128);
      const args = { model: kind, modelOptions: runOptions, trainImages: quick ? 8 : cycle.images };
      const run = await trainRun({ family: detectorFamily(kind), data, val: shapesVal, dir: runDir, ...steps(cycle.epochs), batch: 4, imgsz: 128, lr: cycle.lr, modelOptions: runOptions, weights, args, log });
      run.model.dispose();
      weights = join(runDir, 'weights', next(i));
    }
    const shipped = join(dir, `${kind}.ckpt`);
    copyFileSync(join(runDir, 'weights', 'best.ckpt'), shipped);
    return shipped;
  };
  const cycles: Record<'yolov1' | 'ssd', Cycle[]> = {
    yolov1: [{ images: 8000, epochs: 5, lr: 1e-3 }, { images: 8000, epochs: 2, lr: 3e-4 }],
    ssd: [{ images: 8000, epochs: 5, lr: 1e-3 }, { images: 8000, epochs: 2, lr: 3e-4 }, { images: 12000, epochs: 2, lr: 3e-4 }, { images: 12000, epochs: 2, lr: 3e-4 }, { images: 16000, epochs: 1, lr: 3e-4 }, { images: 8000, epochs: 1, lr: 3e-4 }, { images: 12000, epochs: 1, lr: 3e-4 }],
  };
  for (const [kind, modelOptions] of [['yolov1', { gridSize: 16 }], ['ssd', {}]] as const) {
    out[kind] = await trainCycles(kind, modelOptions, cycles[kind], undefined, (i) => (i === 0 ? 'last.ckpt' : 'best.ckpt'));
  }

  // DETR (docs/detr.md): two-stage queries on the frozen backbone of the SSD just trained (32-64-128, stride 8),
  // cosine cycles from the previous run's best weights, the last with proposal NMS and query-class pairs; the last run's best.ckpt ships
  //   detseg train detr --train-images 16000 --epochs 3 --batch 4 --lr 5e-4 --model-options '{"twoStage":true,"frozenBackbone":true,"backbone":{"widths":[32,64,128]}}' --weights ssd --name detr
  //   detseg train detr --train-images 24000 --epochs 2 --batch 4 --lr 3e-4 --model-options '{"twoStage":true,"frozenBackbone":true,"backbone":{"widths":[32,64,128]}}' --weights runs/train/detr/weights/best.ckpt --name detr-2
  //   detseg train detr --train-images 8000 --epochs 1 --batch 4 --lr 2e-4 --model-options '{"twoStage":true,"frozenBackbone":true,"backbone":{"widths":[32,64,128]}}' --weights runs/train/detr-2/weights/best.ckpt --name detr-3
  //   detseg train detr --train-images 16000 --epochs 2 --batch 4 --lr 3e-4 --model-options '{"twoStage":true,"frozenBackbone":true,"backbone":{"widths":[32,64,128]},"proposalNms":0.7,"pairDetections":true}' --weights runs/train/detr-3/weights/best.ckpt --name detr-4
  //   detseg train detr --train-images 16000 --epochs 1 --batch 4 --lr 1.5e-4 --model-options '{"twoStage":true,"frozenBackbone":true,"backbone":{"widths":[32,64,128]},"proposalNms":0.7,"pairDetections":true}' --weights runs/train/detr-4/weights/best.ckpt --name detr-5
  const detrOptions = { twoStage: true, frozenBackbone: true, backbone: { widths: [32, 64, 128] } };
  const nms = { proposalNms: 0.7, pairDetections: true };
  const detrCycles: Cycle[] = [{ images: 16000, epochs: 3, lr: 5e-4 }, { images: 24000, epochs: 2, lr: 3e-4 }, { images: 8000, epochs: 1, lr: 2e-4 }, { images: 16000, epochs: 2, lr: 3e-4, modelOptions: nms }, { images: 16000, epochs: 1, lr: 1.5e-4, modelOptions: nms }];
  out.detr = await trainCycles('detr', detrOptions, detrCycles, out.ssd, () => 'best.ckpt');

  // the panoptic model's semantic head and fine-tuned Mask R-CNN (scripts/train-panoptic.ts)
  Object.assign(out, await trainShippedPanoptic(dir, { quick, log }));

  // the pedestrian Mask R-CNN on Penn-Fudan: the run's best.ckpt (the shipped file is this run's best.ckpt as written after epoch 12)
  const data = sharedDataDir();
  const shared = options.shared ?? (data === undefined ? undefined : join(data, 'pennfudan', 'annotations'));
  if (shared === undefined || !existsSync(join(shared, 'instances_train.json'))) {
    log('retrain: pedestrian-mask-rcnn skipped: ../shared/data/pennfudan is absent');
    return out;
  }
  const people = await openDetectionData(join(shared, 'instances_train.json'));
  const peopleVal = await openDetectionData(join(shared, 'instances_val.json'));
  validateDetectionData(people);
  validateDetectionData(peopleVal);
  const run = await trainRun({ family: detectorFamily('mask-rcnn'), data: people, val: peopleVal, dir: join(dir, 'pedestrian'), ...steps(40), batch: 2, imgsz: 256, lr: 1e-3, valImages: quick ? 2 : undefined, args: { model: 'mask-rcnn' }, log });
  run.model.dispose();
  out['pedestrian-mask-rcnn'] = join(dir, 'pedestrian-mask-rcnn.ckpt');
  copyFileSync(join(dir, 'pedestrian', 'weights', 'best.ckpt'), out['pedestrian-mask-rcnn']);
  return out;
}
