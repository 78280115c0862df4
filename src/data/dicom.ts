import dicomParser from 'dicom-parser';
import { gunzipSync } from 'node:zlib';
import { DetsegInputError } from '../util/errors.js';

/**
 * A single-frame greyscale DICOM image, with its stored values converted to modality values
 * (`stored * RescaleSlope + RescaleIntercept`).
 */
export interface DicomImage {
  /** Rows (image height, pixels). */
  height: number;
  /** Columns (image width, pixels). */
  width: number;
  /** Modality values, row-major: `Float32Array [height, width]`. */
  pixels: Float32Array;
  /** Pixel spacing in mm (row spacing, column spacing), when the file states it. */
  pixelSpacingMm?: [number, number];
  /** InstanceNumber (0020,0013), when present. */
  instanceNumber?: number;
}

const TRANSFER_SYNTAX_EXPLICIT_BIG_ENDIAN = '1.2.840.10008.1.2.2';
/** Uncompressed transfer syntaxes: implicit LE, explicit LE, explicit BE. Anything else is encapsulated. */
const UNCOMPRESSED_SYNTAXES = new Set(['1.2.840.10008.1.2', '1.2.840.10008.1.2.1', TRANSFER_SYNTAX_EXPLICIT_BIG_ENDIAN]);

/** Largest inflated size of a gzip-compressed DICOM file (bytes): a small file cannot expand without bound. */
export const DICOM_MAX_INFLATED_BYTES = 256 * 1024 * 1024;

/** Options of {@link decodeDicom}. */
export interface DicomDecodeOptions {
  /** Largest inflated size of gzip-compressed bytes (default {@link DICOM_MAX_INFLATED_BYTES}). */
  maxInflatedBytes?: number;
}

/** True when `bytes` starts with the gzip magic number (1f 8b). */
function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Decodes a DICOM Part-10 file holding one uncompressed greyscale frame (MONOCHROME1/2, 8 or 16 bits
 * allocated, signed or unsigned per PixelRepresentation). The bytes may be gzip-compressed as a whole
 * (`.dcm.gz`, as the embedded Sunnybrook subset is stored). MONOCHROME1 images are not inverted here:
 * the values stay modality values. Throws a {@link DetsegInputError} naming `file` and the field when
 * the bytes are not DICOM, the pixel data is missing, compressed, or of the wrong size.
 *
 * @param bytes the file's bytes
 * @param file the file name, for error messages
 */
export function decodeDicom(bytes: Uint8Array, file: string, options: DicomDecodeOptions = {}): DicomImage {
  let raw = bytes;
  if (isGzip(raw)) {
    const maxOutputLength = options.maxInflatedBytes ?? DICOM_MAX_INFLATED_BYTES;
    try {
      raw = new Uint8Array(gunzipSync(raw, { maxOutputLength }));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
        throw new DetsegInputError(`gzip data inflates past ${maxOutputLength} bytes (the largest DICOM file read)`, { file });
      }
      throw new DetsegInputError(`truncated or corrupt gzip data (${(err as Error).message})`, { file });
    }
  }
  if (raw.length < 132 || raw[128] !== 0x44 || raw[129] !== 0x49 || raw[130] !== 0x43 || raw[131] !== 0x4d) {
    throw new DetsegInputError('not a DICOM Part-10 file (no "DICM" marker at byte 128)', { file });
  }
  let ds: dicomParser.DataSet;
  try {
    ds = dicomParser.parseDicom(raw);
  } catch (err) {
    // dicom-parser throws either an Error or an object { exception: string, dataSet } (truncated data)
    const exception = (err as { exception?: unknown } | null)?.exception;
    const message = err instanceof Error ? err.message : typeof exception === 'string' ? exception : String(err);
    throw new DetsegInputError(`malformed or truncated DICOM (${message})`, { file });
  }
  try {
    return readImage(ds, raw, file);
  } catch (err) {
    // a mutated header can make the parser's accessors fail (a TypeError on a missing value): still bad input
    if (err instanceof DetsegInputError) throw err;
    throw new DetsegInputError(`malformed DICOM header (${err instanceof Error ? err.message : String(err)})`, { file });
  }
}

/** The image of a parsed DICOM data set (see {@link decodeDicom}). */
function readImage(ds: dicomParser.DataSet, raw: Uint8Array, file: string): DicomImage {
  const syntax = ds.string('x00020010') ?? '1.2.840.10008.1.2';
  if (!UNCOMPRESSED_SYNTAXES.has(syntax)) {
    throw new DetsegInputError(`compressed transfer syntax ${syntax} is not supported (uncompressed only)`, { file, field: 'TransferSyntaxUID (0002,0010)' });
  }
  const height = ds.uint16('x00280010');
  const width = ds.uint16('x00280011');
  if (!height || !width) throw new DetsegInputError('missing or zero Rows/Columns', { file, field: 'Rows/Columns (0028,0010/0011)' });
  const samples = ds.uint16('x00280002') ?? 1;
  if (samples !== 1) throw new DetsegInputError(`expected 1 sample per pixel (greyscale), got ${samples}`, { file, field: 'SamplesPerPixel (0028,0002)' });
  const frames = ds.intString('x00280008') ?? 1;
  if (frames !== 1) throw new DetsegInputError(`expected a single frame, got ${frames}`, { file, field: 'NumberOfFrames (0028,0008)' });
  const bitsAllocated = ds.uint16('x00280100');
  if (bitsAllocated !== 8 && bitsAllocated !== 16) {
    throw new DetsegInputError(`BitsAllocated must be 8 or 16, got ${bitsAllocated}`, { file, field: 'BitsAllocated (0028,0100)' });
  }
  const bitsStored = ds.uint16('x00280101') ?? bitsAllocated;
  if (bitsStored < 1 || bitsStored > bitsAllocated) {
    throw new DetsegInputError(`BitsStored ${bitsStored} not in [1, ${bitsAllocated}]`, { file, field: 'BitsStored (0028,0101)' });
  }
  const signed = (ds.uint16('x00280103') ?? 0) === 1;
  const slope = ds.floatString('x00281053') ?? 1;
  const intercept = ds.floatString('x00281052') ?? 0;
  if (!Number.isFinite(slope) || !Number.isFinite(intercept)) {
    throw new DetsegInputError(`non-finite RescaleSlope ${slope} or RescaleIntercept ${intercept}`, { file, field: 'RescaleSlope/Intercept (0028,1053/1052)' });
  }
  const element = ds.elements.x7fe00010;
  if (!element) throw new DetsegInputError('no PixelData element', { file, field: 'PixelData (7FE0,0010)' });
  if (element.encapsulatedPixelData) throw new DetsegInputError('encapsulated (compressed) pixel data is not supported', { file, field: 'PixelData (7FE0,0010)' });
  const n = height * width;
  const bytesPerPixel = bitsAllocated / 8;
  const available = Math.min(element.length, raw.length - element.dataOffset);
  if (available < n * bytesPerPixel) {
    throw new DetsegInputError(`PixelData holds ${available} bytes, expected ${n * bytesPerPixel} for ${height}×${width}×${bitsAllocated} bits (truncated file?)`, {
      file,
      field: 'PixelData (7FE0,0010)',
    });
  }
  const littleEndian = syntax !== TRANSFER_SYNTAX_EXPLICIT_BIG_ENDIAN;
  const view = new DataView(raw.buffer, raw.byteOffset + element.dataOffset, n * bytesPerPixel);
  const pixels = new Float32Array(n);
  // Stored values keep only the low `bitsStored` bits; signed values are sign-extended from bit bitsStored-1.
  const mask = (1 << bitsStored) - 1;
  const signBit = 1 << (bitsStored - 1);
  for (let i = 0; i < n; i++) {
    let v = (bytesPerPixel === 2 ? view.getUint16(2 * i, littleEndian) : view.getUint8(i)) & mask;
    if (signed && v & signBit) v -= mask + 1;
    pixels[i] = v * slope + intercept;
  }
  const image: DicomImage = { height, width, pixels };
  if (ds.elements.x00280030) {
    // read as text here: the parser's floatString(tag, 1) fails on a single value instead of returning nothing
    const text = ds.string('x00280030') ?? '';
    const parts = text.split('\\').map((t) => t.trim());
    const spacing = parts.map((t) => (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t) ? Number(t) : Number.NaN));
    if (spacing.length !== 2 || !spacing.every((v) => Number.isFinite(v) && v > 0)) {
      throw new DetsegInputError(`must be two positive numbers (row\\column spacing in mm), got ${JSON.stringify(text)}`, { file, field: 'PixelSpacing (0028,0030)' });
    }
    image.pixelSpacingMm = [spacing[0], spacing[1]];
  }
  const instance = ds.intString('x00200013');
  if (instance !== undefined && Number.isFinite(instance)) image.instanceNumber = instance;
  return image;
}

/**
 * The `lowQuantile` and `highQuantile` quantiles of `pixels` (nearest rank on the sorted values: rank
 * `round(q·(n−1))`), the bounds of a robust intensity window. `pixels: Float32Array [n]`, n ≥ 1.
 */
export function percentileBounds(pixels: ArrayLike<number>, lowQuantile = 0.01, highQuantile = 0.99): [number, number] {
  if (!(lowQuantile >= 0 && lowQuantile < highQuantile && highQuantile <= 1)) {
    throw new DetsegInputError(`need 0 ≤ low < high ≤ 1, got ${lowQuantile}, ${highQuantile}`, { field: 'percentile window quantiles' });
  }
  const n = pixels.length;
  if (n === 0) throw new DetsegInputError('no pixels', { field: 'pixels' });
  const sorted = Float32Array.from(pixels).sort();
  return [sorted[Math.round(lowQuantile * (n - 1))], sorted[Math.round(highQuantile * (n - 1))]];
}

/**
 * Maps intensities linearly to [0, 1]: `lo` and below → 0, `hi` and above → 1. When `hi ≤ lo` (a
 * constant window) every pixel maps to 0. `pixels: Float32Array [n]` → `Float32Array [n]`.
 */
export function applyWindow(pixels: ArrayLike<number>, lo: number, hi: number): Float32Array {
  const n = pixels.length;
  const out = new Float32Array(n);
  if (!(hi > lo)) return out;
  const scale = 1 / (hi - lo);
  for (let i = 0; i < n; i++) {
    const v = (pixels[i] - lo) * scale;
    out[i] = v < 0 ? 0 : v > 1 ? 1 : v;
  }
  return out;
}

/**
 * Maps intensities to [0, 1] with a robust window: values at or below the `lowQuantile` quantile go to
 * 0, at or above the `highQuantile` quantile to 1, linearly in between. MRI has no absolute intensity
 * scale and a few bright pixels (fat, flow artefacts) would squash a min–max window; the 1%–99% window
 * is the usual cure. Quantiles as in {@link percentileBounds}. A constant image maps to all zeros.
 *
 * @param pixels `Float32Array [n]` intensities
 * @returns `Float32Array [n]` in [0, 1]
 */
export function percentileWindow(pixels: Float32Array, lowQuantile = 0.01, highQuantile = 0.99): Float32Array {
  if (pixels.length === 0) return new Float32Array(0);
  const [lo, hi] = percentileBounds(pixels, lowQuantile, highQuantile);
  return applyWindow(pixels, lo, hi);
}
