import { existsSync, readdirSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import sharp from 'sharp';
import { DetsegInputError, oneLine } from '../util/errors.js';
import { checkPixelLimit, DEFAULT_MAX_PIXELS } from '../util/limits.js';
import { resizeBilinear } from './resize.js';

/**
 * Images as plain typed arrays (no tfjs here: tensors are made by the engine from these arrays).
 * Decoding and encoding use `sharp`; resizing is `resize.ts`.
 */

/** An 8-bit RGB image: `data: Uint8Array [H, W, 3]`, row-major, interleaved. */
export interface RgbImage {
  data: Uint8Array;
  width: number;
  height: number;
}

/** Image file extensions the loaders look for. */
export const IMAGE_EXTENSIONS = ['.jpg', '.jpeg', '.png', '.bmp', '.webp', '.tif', '.tiff'];

function inputError(err: unknown, file: string): DetsegInputError {
  if (err instanceof DetsegInputError) return err;
  const code = (err as NodeJS.ErrnoException).code;
  const message = err instanceof Error ? err.message : String(err);
  return new DetsegInputError(code === 'ENOENT' || /missing|no such file/i.test(message) ? 'image file is missing' : `cannot decode the image: ${oneLine(message)}`, { file });
}

/**
 * The largest image decoded, in pixels: `DETSEG_MAX_PIXELS` from the environment when set (a whole
 * number ≥ 1), else {@link DEFAULT_MAX_PIXELS}.
 */
export function defaultMaxPixels(): number {
  const env = process.env.DETSEG_MAX_PIXELS;
  if (env === undefined || env.trim() === '') return DEFAULT_MAX_PIXELS;
  const n = Number(env);
  if (!/^\s*\d+\s*$/.test(env) || !Number.isSafeInteger(n) || n < 1) throw new DetsegInputError(`must be a whole number ≥ 1, got '${env}'`, { field: 'DETSEG_MAX_PIXELS' });
  return n;
}

/** Options of {@link decodeImage}. */
export interface DecodeOptions {
  /** Largest image accepted, in pixels, checked from the header before decoding (default {@link defaultMaxPixels}). */
  maxPixels?: number;
  /** How a user raises the limit, for the error message (default `DETSEG_MAX_PIXELS`). */
  limitOption?: string;
}

/**
 * Decodes a JPEG/PNG (any format sharp reads) to 8-bit RGB. Grey images are expanded to 3 channels,
 * alpha is dropped; EXIF orientation is NOT applied (annotations refer to the stored pixel grid).
 * `source` is a path or the encoded bytes; `name` names it in errors. The size is read from the header
 * first: an image over `options.maxPixels` is refused before it is decoded.
 */
export async function decodeImage(source: string | Uint8Array, name = typeof source === 'string' ? source : '<image bytes>', options: DecodeOptions = {}): Promise<RgbImage> {
  const maxPixels = options.maxPixels ?? defaultMaxPixels();
  try {
    const meta = await sharp(source, { limitInputPixels: false }).metadata();
    if (!meta.width || !meta.height) throw new Error('no image size in the header');
    checkPixelLimit(meta.width, meta.height, maxPixels, { file: name }, options.limitOption ?? '--max-pixels or DETSEG_MAX_PIXELS');
    const { data, info } = await sharp(source, { limitInputPixels: maxPixels }).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`expected 3 channels after conversion, got ${info.channels}`);
    return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height };
  } catch (err) {
    throw inputError(err, name);
  }
}

/** Width and height (px) of an image file, read from its header. */
export async function readImageSize(file: string): Promise<{ width: number; height: number }> {
  try {
    const meta = await sharp(file, { limitInputPixels: false }).metadata();
    if (!meta.width || !meta.height) throw new Error('no size in the header');
    return { width: meta.width, height: meta.height };
  } catch (err) {
    throw inputError(err, file);
  }
}

/** An image file of a folder and its size. */
export interface ImageEntry {
  file: string;
  width: number;
  height: number;
}

/**
 * Names of the image files of `dir`: its plain files whose extension is one of
 * {@link IMAGE_EXTENSIONS} (any case), sorted. A folder that cannot be read raises a
 * {@link DetsegInputError} naming it.
 */
export function imageFileNames(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isFile() && IMAGE_EXTENSIONS.includes(extname(e.name).toLowerCase()))
      .map((e) => e.name)
      .sort();
  } catch (err) {
    throw new DetsegInputError(`cannot read the image folder: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { file: dir });
  }
}

/**
 * The images `input` names: the file itself, or the image files of a folder ({@link imageFileNames})
 * as full paths. A missing path, or a folder without images, raises a {@link DetsegInputError} naming
 * it and the option `field`.
 */
export function imagePaths(input: string, field: string): string[] {
  if (!existsSync(input)) throw new DetsegInputError('input does not exist', { file: input, field });
  const files = statSync(input).isDirectory() ? imageFileNames(input).map((f) => join(input, f)) : [input];
  if (files.length === 0) throw new DetsegInputError('holds no images', { file: input, field });
  return files;
}

/** The image files of `dir` ({@link imageFileNames}) with their sizes. */
export async function listImages(dir: string): Promise<ImageEntry[]> {
  const out: ImageEntry[] = [];
  for (const file of imageFileNames(dir)) out.push({ file, ...(await readImageSize(join(dir, file))) });
  return out;
}

function sharpRaw(image: RgbImage) {
  return sharp(Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength), { raw: { width: image.width, height: image.height, channels: 3 } });
}

/** Encodes an RGB image as PNG (lossless). */
export async function encodePng(image: RgbImage): Promise<Buffer> {
  return sharpRaw(image).png().toBuffer();
}

/** Encodes an RGB image as JPEG with `quality` 1..100. */
export async function encodeJpeg(image: RgbImage, quality = 90): Promise<Buffer> {
  return sharpRaw(image).jpeg({ quality }).toBuffer();
}

/** Bilinear resize of an RGB image to `width`×`height` (see `resize.ts` for the sampling convention). */
export function resizeImage(image: RgbImage, width: number, height: number): RgbImage {
  return { data: resizeBilinear(image.data, image.width, image.height, 3, width, height), width, height };
}

/**
 * Result of {@link letterbox}: the square image and the map from original pixels to letterboxed ones,
 * `x' = x · scaleX + padX`, `y' = y · scaleY + padY`. scaleX and scaleY differ from the nominal scale
 * only by the rounding of the resized size.
 */
export interface Letterbox {
  image: RgbImage;
  scaleX: number;
  scaleY: number;
  padX: number;
  padY: number;
}

/**
 * Resizes keeping the aspect ratio so the image fits `size`×`size`, and pads it (centred) with grey
 * `fill` (114, as YOLO does). Returns the image and the scale and padding to map boxes both ways.
 */
export function letterbox(image: RgbImage, size: number, fill = 114): Letterbox {
  const scale = Math.min(size / image.width, size / image.height);
  const w = Math.max(1, Math.round(image.width * scale));
  const h = Math.max(1, Math.round(image.height * scale));
  const resized = w === image.width && h === image.height ? image.data : resizeBilinear(image.data, image.width, image.height, 3, w, h);
  const padX = (size - w) >> 1;
  const padY = (size - h) >> 1;
  const data = padSquare(resized, w, h, 3, size, padX, padY, fill);
  return { image: { data, width: size, height: size }, scaleX: w / image.width, scaleY: h / image.height, padX, padY };
}

/**
 * Places `src [h, w, C]` at (padX, padY) in a new `[size, size, C]` array filled with `fill` (the
 * padding step of {@link letterbox}, also used for masks).
 */
export function padSquare(src: Uint8Array, w: number, h: number, channels: number, size: number, padX: number, padY: number, fill: number): Uint8Array {
  const out = new Uint8Array(size * size * channels).fill(fill);
  for (let y = 0; y < h; y++) out.set(src.subarray(y * w * channels, (y + 1) * w * channels), ((y + padY) * size + padX) * channels);
  return out;
}

/** Maps boxes `[N,4] xyxy` of the original image into letterboxed pixels (new array). */
export function letterboxBoxes(boxes: Float32Array, lb: Letterbox): Float32Array {
  const out = new Float32Array(boxes.length);
  for (let i = 0; i < boxes.length; i += 4) {
    out[i] = boxes[i] * lb.scaleX + lb.padX;
    out[i + 1] = boxes[i + 1] * lb.scaleY + lb.padY;
    out[i + 2] = boxes[i + 2] * lb.scaleX + lb.padX;
    out[i + 3] = boxes[i + 3] * lb.scaleY + lb.padY;
  }
  return out;
}

/** Maps boxes `[N,4] xyxy` in letterboxed pixels (e.g. detections) back to the original image. */
export function unletterboxBoxes(boxes: Float32Array, lb: Letterbox): Float32Array {
  const out = new Float32Array(boxes.length);
  for (let i = 0; i < boxes.length; i += 4) {
    out[i] = (boxes[i] - lb.padX) / lb.scaleX;
    out[i + 1] = (boxes[i + 1] - lb.padY) / lb.scaleY;
    out[i + 2] = (boxes[i + 2] - lb.padX) / lb.scaleX;
    out[i + 3] = (boxes[i + 3] - lb.padY) / lb.scaleY;
  }
  return out;
}

/** ImageNet channel means (of pixel / 255, RGB), the usual normalization with {@link IMAGENET_STD}. */
export const IMAGENET_MEAN: [number, number, number] = [0.485, 0.456, 0.406];
/** ImageNet channel standard deviations (of pixel / 255, RGB). */
export const IMAGENET_STD: [number, number, number] = [0.229, 0.224, 0.225];

/**
 * `Float32Array [H, W, 3]` of `(pixel / 255 − mean[c]) / std[c]`. The default (mean 0, std 1) gives
 * pixels scaled to [0, 1].
 */
export function normalizeImage(image: RgbImage, mean: ArrayLike<number> = [0, 0, 0], std: ArrayLike<number> = [1, 1, 1]): Float32Array {
  const n = image.width * image.height;
  const out = new Float32Array(n * 3);
  const a = [1 / (255 * std[0]), 1 / (255 * std[1]), 1 / (255 * std[2])];
  const b = [-mean[0] / std[0], -mean[1] / std[1], -mean[2] / std[2]];
  for (let i = 0; i < n * 3; i += 3) {
    out[i] = image.data[i] * a[0] + b[0];
    out[i + 1] = image.data[i + 1] * a[1] + b[1];
    out[i + 2] = image.data[i + 2] * a[2] + b[2];
  }
  return out;
}
