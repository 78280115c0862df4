import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { writeDirAtomic } from '../util/atomic.js';
import { maskToCocoRle } from '../masks/coco-mask.js';
import type { CocoDataset } from './coco-types.js';
import { encodePng } from './images.js';
import { checkReplaceableDir } from './output-dir.js';
import { SHAPE_CLASSES, syntheticSample, type SyntheticOptions, type SyntheticSample } from './synthetic.js';

/** File name of synthetic image `index`: `synth_000042.png`. */
export function syntheticFileName(index: number): string {
  return `synth_${String(index).padStart(6, '0')}.png`;
}

/** An empty COCO file with the synthetic categories (ids 1..3 for {@link SHAPE_CLASSES}). */
export function emptySyntheticCoco(): CocoDataset {
  return {
    info: { description: 'detseg synthetic shapes', contributor: 'detseg synth' },
    images: [],
    categories: SHAPE_CLASSES.map((name, i) => ({ id: i + 1, name, supercategory: 'shape' })),
    annotations: [],
  };
}

/**
 * Appends synthetic image `index` to `coco` (image id = position + 1; annotation ids continue): bbox =
 * visible extent, segmentation = compressed RLE of the instance mask, area = mask pixel count, iscrowd 0.
 */
export function appendSyntheticSample(coco: CocoDataset, index: number, sample: SyntheticSample): void {
  const imageId = coco.images.length + 1;
  coco.images.push({ id: imageId, width: sample.width, height: sample.height, file_name: syntheticFileName(index) });
  const scratch = new Uint8Array(sample.width * sample.height);
  const b = sample.boxes;
  for (let j = 0; j < sample.labels.length; j++) {
    const mask = sample.masks[j];
    let area = 0;
    for (let p = 0; p < mask.length; p++) area += mask[p];
    coco.annotations.push({
      id: coco.annotations.length + 1,
      image_id: imageId,
      category_id: sample.labels[j] + 1,
      bbox: [b[4 * j], b[4 * j + 1], b[4 * j + 2] - b[4 * j], b[4 * j + 3] - b[4 * j + 1]],
      area,
      iscrowd: 0,
      segmentation: maskToCocoRle(mask, sample.width, sample.height, scratch),
    });
  }
}

/**
 * The COCO ground truth of synthetic images `0..count-1` of `seed`, in memory (no files): what
 * `detseg synth` writes as `annotations.json`, for evaluating detectors with the COCO evaluator.
 */
export function syntheticCoco(count: number, seed: number, options: SyntheticOptions = {}): CocoDataset {
  const coco = emptySyntheticCoco();
  for (let i = 0; i < count; i++) appendSyntheticSample(coco, i, syntheticSample(seed, i, options));
  return coco;
}

/** Encodes a `Uint8Array [H, W]` grey image (e.g. a semantic label map) as PNG. */
export async function encodeGreyPng(data: Uint8Array, width: number, height: number): Promise<Buffer> {
  return sharp(Buffer.from(data.buffer, data.byteOffset, data.byteLength), { raw: { width, height, channels: 1 } }).png().toBuffer();
}

/**
 * Writes `count` synthetic images into `outDir` atomically: `images/synth_XXXXXX.png` (RGB),
 * `semantic/synth_XXXXXX.png` (8-bit grey, 0 background, 1 + class index), and `annotations.json`
 * (COCO, see {@link appendSyntheticSample}). Images are made and written one at a time (constant
 * memory). An existing `outDir` is replaced only when it holds nothing but an earlier set, or with
 * `overwrite`. Returns the COCO dataset written.
 */
export async function writeSyntheticSet(outDir: string, count: number, seed: number, options: SyntheticOptions = {}, overwrite = false): Promise<CocoDataset> {
  checkReplaceableDir(outDir, (name) => ['images', 'semantic', 'annotations.json'].includes(name), overwrite);
  const coco = emptySyntheticCoco();
  await writeDirAtomic(outDir, async (tmp) => {
    mkdirSync(join(tmp, 'images'));
    mkdirSync(join(tmp, 'semantic'));
    for (let i = 0; i < count; i++) {
      const sample = syntheticSample(seed, i, options);
      const name = syntheticFileName(i);
      writeFileSync(join(tmp, 'images', name), await encodePng({ data: sample.image, width: sample.width, height: sample.height }));
      writeFileSync(join(tmp, 'semantic', name), await encodeGreyPng(sample.semantic, sample.width, sample.height));
      appendSyntheticSample(coco, i, sample);
    }
    writeFileSync(join(tmp, 'annotations.json'), JSON.stringify(coco));
  });
  return coco;
}
