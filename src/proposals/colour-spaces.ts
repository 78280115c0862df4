import { DetsegInputError } from '../util/errors.js';

/**
 * The colour spaces of selective search (Uijlings et al. 2013, §3.2 and Table 1), each with a different
 * invariance: `rgb` (none), `i` (intensity only), `lab` (perceptual, L separates intensity), `rgi`
 * (normalised r, g plus intensity: r and g are invariant to shadows and shading), `hsv` (hue, saturation,
 * value), `h` (hue only: invariant to intensity and shading).
 *
 * Every channel is put on a 0–255 scale, so that the Felzenszwalb threshold k and the 25-bin colour
 * histograms mean the same in every space. Hue is treated as a linear channel (its wrap-around at red is
 * ignored, as in the authors' implementation).
 */
export type ColourSpace = 'rgb' | 'i' | 'lab' | 'rgi' | 'hsv' | 'h';

/** Every supported colour space. */
export const COLOUR_SPACES: readonly ColourSpace[] = ['rgb', 'i', 'lab', 'rgi', 'hsv', 'h'];

/** Number of channels of a colour space (1 for `i` and `h`, 3 otherwise). */
export function channelCount(space: ColourSpace): number {
  return space === 'i' || space === 'h' ? 1 : 3;
}

function srgbToLinear(v: number): number {
  const c = v / 255;
  return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
}

function labF(t: number): number {
  return t > 216 / 24389 ? Math.cbrt(t) : ((24389 / 27) * t + 16) / 116;
}

/**
 * CIE L*a*b* (D65 white) of one sRGB colour (0–255 each), unscaled: L in [0, 100], a and b roughly in
 * [-128, 127]. Returns `[L, a, b]`.
 */
export function srgbToLab(r: number, g: number, b: number): [number, number, number] {
  const rl = srgbToLinear(r), gl = srgbToLinear(g), bl = srgbToLinear(b);
  // sRGB (D65) → XYZ, normalised by the D65 white point (0.95047, 1, 1.08883)
  const x = (0.4124564 * rl + 0.3575761 * gl + 0.1804375 * bl) / 0.95047;
  const y = 0.2126729 * rl + 0.7151522 * gl + 0.072175 * bl;
  const z = (0.0193339 * rl + 0.119192 * gl + 0.9503041 * bl) / 1.08883;
  const fx = labF(x), fy = labF(y), fz = labF(z);
  return [116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)];
}

/** Hue, saturation, value of one RGB colour (0–255 each), each in [0, 1] (hue as a fraction of a turn). */
export function rgbToHsv(r: number, g: number, b: number): [number, number, number] {
  const max = Math.max(r, g, b), min = Math.min(r, g, b);
  const delta = max - min;
  let h = 0;
  if (delta > 0) {
    if (max === r) h = ((g - b) / delta) / 6;
    else if (max === g) h = ((b - r) / delta + 2) / 6;
    else h = ((r - g) / delta + 4) / 6;
    if (h < 0) h += 1;
  }
  return [h, max > 0 ? delta / max : 0, max / 255];
}

const clamp255 = (v: number) => (v < 0 ? 0 : v > 255 ? 255 : v);

/**
 * Converts an RGB image to a colour space, each channel on a 0–255 scale.
 * `rgb: Uint8Array [H, W, 3]` interleaved → `Float32Array [H, W, C]` with C = {@link channelCount}.
 */
export function convertColourSpace(rgb: Uint8Array, space: ColourSpace): Float32Array {
  if (rgb.length % 3 !== 0) throw new DetsegInputError(`expected 3 values per pixel, got an array of length ${rgb.length}`, { field: 'rgb' });
  if (!COLOUR_SPACES.includes(space)) throw new DetsegInputError(`unknown colour space '${space}' (expected one of ${COLOUR_SPACES.join(', ')})`, { field: 'colourSpace' });
  const n = rgb.length / 3;
  const c = channelCount(space);
  const out = new Float32Array(n * c);
  for (let p = 0; p < n; p++) {
    const r = rgb[3 * p], g = rgb[3 * p + 1], b = rgb[3 * p + 2];
    switch (space) {
      case 'rgb':
        out[3 * p] = r; out[3 * p + 1] = g; out[3 * p + 2] = b;
        break;
      case 'i':
        out[p] = (r + g + b) / 3;
        break;
      case 'rgi': {
        const sum = r + g + b;
        out[3 * p] = sum > 0 ? (255 * r) / sum : 0;
        out[3 * p + 1] = sum > 0 ? (255 * g) / sum : 0;
        out[3 * p + 2] = sum / 3;
        break;
      }
      case 'hsv': {
        const [h, s, v] = rgbToHsv(r, g, b);
        out[3 * p] = 255 * h; out[3 * p + 1] = 255 * s; out[3 * p + 2] = 255 * v;
        break;
      }
      case 'h':
        out[p] = 255 * rgbToHsv(r, g, b)[0];
        break;
      case 'lab': {
        const [l, a, bb] = srgbToLab(r, g, b);
        out[3 * p] = clamp255(2.55 * l); out[3 * p + 1] = clamp255(a + 128); out[3 * p + 2] = clamp255(bb + 128);
        break;
      }
    }
  }
  return out;
}
