import * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import { join, parse } from 'node:path';
import { decodeImage, imageFileNames, type DecodeOptions } from '../../data/images.js';
import { loadSunnybrook } from '../../data/sunnybrook.js';
import { shuffleInPlace } from '../../util/random.js';
import { DetsegInputError } from '../../util/errors.js';

/** One image with its binary mask, both row-major `[height, width]`. */
export interface SegSample {
  /** Name for messages and output files (file stem, or patient/image number). */
  name: string;
  height: number;
  width: number;
  /** Grey levels in [0, 1]: `Float32Array [H, W]`. */
  image: Float32Array;
  /** 1 inside the object: `Uint8Array [H, W]`. */
  mask: Uint8Array;
  /**
   * Samples of one group (the slices of one patient) are held out for validation together
   * ({@link holdOutGroups}); a sample without a group is a group of its own.
   */
  group?: string;
}

/**
 * Grey levels in [0, 1] of an image file (mean of R, G, B / 255): `Float32Array [H, W]`. `decode`:
 * options of {@link decodeImage} (the pixel limit).
 */
export async function readGreyImage(file: string, decode: DecodeOptions = {}): Promise<{ image: Float32Array; height: number; width: number }> {
  const rgb = await decodeImage(file, file, decode);
  const image = new Float32Array(rgb.width * rgb.height);
  for (let i = 0; i < image.length; i++) image[i] = (rgb.data[3 * i] + rgb.data[3 * i + 1] + rgb.data[3 * i + 2]) / (3 * 255);
  return { image, height: rgb.height, width: rgb.width };
}

/** Files of `dir` by stem; two files of one stem (`a.png`, `a.jpg`) are an error: which one is meant? */
function filesByStem(dir: string, what: string): Map<string, string> {
  const byStem = new Map<string, string>();
  for (const f of imageFileNames(dir)) {
    const stem = parse(f).name;
    const previous = byStem.get(stem);
    if (previous !== undefined) throw new DetsegInputError(`two ${what} files share the stem '${stem}': ${parse(previous).base} and ${f} (each image needs its own mask)`, { file: dir });
    byStem.set(stem, join(dir, f));
  }
  return byStem;
}

/**
 * Loads a folder of image/mask pairs: `<dir>/images/<stem>.<ext>` and `<dir>/masks/<stem>.<ext>`
 * (any format sharp reads; a mask is grey or black and white, a pixel is foreground when its grey level
 * is above one half). Throws a {@link DetsegInputError} naming the file for an image without a mask, a
 * mask without an image, two files of one stem, a mask in colour, or a size mismatch. `decode`: options
 * of {@link decodeImage} (the pixel limit).
 */
export async function loadSegFolder(dir: string, decode: DecodeOptions = {}): Promise<SegSample[]> {
  const imagesDir = join(dir, 'images');
  const masksDir = join(dir, 'masks');
  for (const d of [imagesDir, masksDir]) if (!existsSync(d)) throw new DetsegInputError('folder is missing (expected images/ and masks/ with the same file stems)', { file: d });
  const images = filesByStem(imagesDir, 'image');
  const masks = filesByStem(masksDir, 'mask');
  for (const [stem, maskFile] of masks) if (!images.has(stem)) throw new DetsegInputError(`has no image ${stem}.* in ${imagesDir}`, { file: maskFile });
  const samples: SegSample[] = [];
  for (const [stem, imageFile] of images) {
    const maskFile = masks.get(stem);
    if (!maskFile) throw new DetsegInputError(`has no mask ${stem}.* in ${masksDir}`, { file: imageFile });
    const img = await readGreyImage(imageFile, decode);
    const m = await decodeImage(maskFile, maskFile, decode);
    if (m.height !== img.height || m.width !== img.width) {
      throw new DetsegInputError(`mask is ${m.width}×${m.height} but its image is ${img.width}×${img.height}`, { file: maskFile });
    }
    const mask = new Uint8Array(m.width * m.height);
    for (let i = 0; i < mask.length; i++) {
      const r = m.data[3 * i], g = m.data[3 * i + 1], b = m.data[3 * i + 2];
      // a colour mask (a class palette) read as grey would turn most classes into background
      if (r !== g || g !== b) {
        throw new DetsegInputError(`mask is in colour (pixel ${i % m.width}, ${Math.floor(i / m.width)} is RGB ${r}, ${g}, ${b}): expected grey or black and white`, { file: maskFile });
      }
      mask[i] = r > 127.5 ? 1 : 0;
    }
    samples.push({ name: stem, height: img.height, width: img.width, image: img.image, mask });
  }
  if (samples.length === 0) throw new DetsegInputError('holds no images', { file: imagesDir });
  return samples;
}

/** The Sunnybrook LV slices (embedded subset by default, or a Sunnybrook-layout folder) as samples. */
export function sunnybrookSamples(dir?: string): SegSample[] {
  const data = loadSunnybrook(dir);
  return data.slices.map((s) => ({ name: `${s.patientId}-${s.imageNumber}`, height: s.height, width: s.width, image: s.image, mask: s.mask, group: s.patientId }));
}

/**
 * A seeded validation split by group (patient), never by slice: the distinct groups, in order of first
 * appearance, are shuffled with `random` (Fisher–Yates) and the first round(fraction × groups) of
 * them — at most all but one — are held out whole. Samples without a group are groups of their own
 * (an image folder is split by image). Indices in sample order.
 */
export function holdOutGroups(samples: ReadonlyArray<Pick<SegSample, 'name' | 'group'>>, fraction: number, random: () => number): { trainIndices: number[]; valIndices: number[]; valGroups: string[] } {
  const groupOf = (s: Pick<SegSample, 'name' | 'group'>, i: number) => s.group ?? `#${i}:${s.name}`;
  const groups = shuffleInPlace([...new Set(samples.map(groupOf))], random);
  const valGroups = groups.slice(0, Math.max(0, Math.min(groups.length - 1, Math.round(fraction * groups.length))));
  const held = new Set(valGroups);
  const trainIndices: number[] = [];
  const valIndices: number[] = [];
  samples.forEach((s, i) => (held.has(groupOf(s, i)) ? valIndices : trainIndices).push(i));
  return { trainIndices, valIndices, valGroups: valGroups.filter((g) => !g.startsWith('#')) };
}

/**
 * Binary masks predicted for whole images of any size: each image is zero-padded at the bottom/right to
 * a multiple of `multiple` (2^depth), run through the model, and logit > 0 marks the object.
 * @returns one `Uint8Array [H, W]` per image
 */
export function predictFullMasks(model: tf.LayersModel, images: Array<{ image: Float32Array; height: number; width: number }>, multiple: number): Uint8Array[] {
  return images.map(({ image, height, width }) => {
    const ph = Math.ceil(height / multiple) * multiple;
    const pw = Math.ceil(width / multiple) * multiple;
    const padded = new Float32Array(ph * pw);
    for (let r = 0; r < height; r++) padded.set(image.subarray(r * width, (r + 1) * width), r * pw);
    // (read the values outside tf.tidy: tidy walks a returned typed array element by element)
    const output = tf.tidy(() => model.predict(tf.tensor4d(padded, [1, ph, pw, 1])) as tf.Tensor); // [1, ph, pw, 1]
    const logits = output.dataSync() as Float32Array;
    output.dispose();
    const mask = new Uint8Array(height * width);
    for (let r = 0; r < height; r++) for (let c = 0; c < width; c++) mask[r * width + c] = logits[r * pw + c] > 0 ? 1 : 0;
    return mask;
  });
}
