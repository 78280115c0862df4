import { DetsegInputError } from '../util/errors.js';

/**
 * Parameters of a COCO evaluation, as pycocotools' `COCOeval.Params` for detection (`bbox`, `segm`).
 * Defaults reproduce pycocotools' float values exactly (`np.linspace`).
 */
export interface CocoEvalParams {
  iouType: 'bbox' | 'segm';
  /** Image ids evaluated, sorted and unique (default: every image of the ground truth). */
  imgIds: number[];
  /** Category ids, sorted and unique (default: every category of the ground truth). */
  catIds: number[];
  /** IoU thresholds `[T]` (default 0.50:0.05:0.95, 10 values). */
  iouThrs: Float64Array;
  /** Recall thresholds `[R]` (default 0:0.01:1, 101 values). */
  recThrs: Float64Array;
  /** Maximum detections per image `[M]`, sorted ascending (default [1, 10, 100]). */
  maxDets: number[];
  /** Area ranges `[A]` in pixels², both ends inclusive (default all, small, medium, large). */
  areaRng: Array<[number, number]>;
  /** Names of the area ranges `[A]`. */
  areaRngLbl: string[];
  /** Evaluate per category (true) or pool every category (false). */
  useCats: boolean;
}

/** User options for {@link resolveParams}; anything left out takes pycocotools' default. */
export interface CocoEvalOptions {
  iouType?: 'bbox' | 'segm';
  imgIds?: number[];
  catIds?: number[];
  useCats?: boolean;
  iouThrs?: ArrayLike<number>;
  recThrs?: ArrayLike<number>;
  maxDets?: number[];
  areaRng?: Array<[number, number]>;
  areaRngLbl?: string[];
}

/**
 * `np.linspace(start, stop, num)` with numpy's float arithmetic: value i is `i * step + start` with
 * `step = (stop - start) / (num - 1)`, and the last value is exactly `stop`.
 */
export function linspace(start: number, stop: number, num: number): Float64Array {
  const out = new Float64Array(num);
  const div = num - 1;
  const delta = stop - start;
  const step = div > 0 ? delta / div : NaN;
  for (let i = 0; i < num; i++) out[i] = (div > 0 && step !== 0 ? i * step : div > 0 ? (i / div) * delta : i * delta) + start;
  if (num > 1) out[num - 1] = stop;
  return out;
}

/** pycocotools' IoU thresholds: `np.linspace(.5, 0.95, round((0.95 - .5) / .05) + 1)`. */
export function defaultIouThrs(): Float64Array {
  return linspace(0.5, 0.95, Math.round((0.95 - 0.5) / 0.05) + 1);
}

/** pycocotools' recall thresholds: `np.linspace(.0, 1.00, round((1.00 - .0) / .01) + 1)`. */
export function defaultRecThrs(): Float64Array {
  return linspace(0.0, 1.0, Math.round((1.0 - 0.0) / 0.01) + 1);
}

/** pycocotools' default area ranges (pixels²): all, small (< 32²), medium (32²..96²), large. */
export const DEFAULT_AREA_RNG: ReadonlyArray<readonly [number, number]> = [
  [0 ** 2, 1e5 ** 2],
  [0 ** 2, 32 ** 2],
  [32 ** 2, 96 ** 2],
  [96 ** 2, 1e5 ** 2],
];
export const DEFAULT_AREA_LBL: readonly string[] = ['all', 'small', 'medium', 'large'];

function finiteList(values: ArrayLike<number>, field: string): number[] {
  const out = Array.from(values);
  out.forEach((v, i) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new DetsegInputError(`value ${i} is not a finite number (${v})`, { field });
  });
  return out;
}

/**
 * The parameters of an evaluation: `options` over pycocotools' defaults, with `gtImgIds`/`gtCatIds` (the
 * ground truth's ids) as default image and category lists. Image ids are sorted and made unique
 * (`np.unique`), category ids too when `useCats`; with `useCats = false` the given category order is kept
 * (it orders the pooled ground truth), duplicates dropped. `maxDets` is sorted ascending.
 */
export function resolveParams(options: CocoEvalOptions, gtImgIds: number[], gtCatIds: number[]): CocoEvalParams {
  const useCats = options.useCats ?? true;
  const uniqueSorted = (ids: number[]) => [...new Set(ids)].sort((a, b) => a - b);
  const imgIds = uniqueSorted(finiteList(options.imgIds ?? gtImgIds, 'imgIds'));
  const catList = finiteList(options.catIds ?? gtCatIds, 'catIds');
  const catIds = useCats ? uniqueSorted(catList) : [...new Set(catList)];
  const iouThrs = options.iouThrs ? Float64Array.from(finiteList(options.iouThrs, 'iouThrs')) : defaultIouThrs();
  const recThrs = options.recThrs ? Float64Array.from(finiteList(options.recThrs, 'recThrs')) : defaultRecThrs();
  const maxDets = finiteList(options.maxDets ?? [1, 10, 100], 'maxDets').sort((a, b) => a - b);
  maxDets.forEach((m, i) => {
    // 0 keeps no detection: every statistic would be −1 or 0 without saying why
    if (!Number.isInteger(m) || m < 1) throw new DetsegInputError(`value ${i} must be a whole number ≥ 1, got ${m}`, { field: 'maxDets' });
  });
  if (maxDets.length === 0) throw new DetsegInputError('needs at least one value', { field: 'maxDets' });
  if (iouThrs.length === 0) throw new DetsegInputError('needs at least one value', { field: 'iouThrs' });
  if (recThrs.length === 0) throw new DetsegInputError('needs at least one value', { field: 'recThrs' });
  const areaRng = (options.areaRng ?? DEFAULT_AREA_RNG).map((r, i) => {
    if (!Array.isArray(r) || r.length !== 2) throw new DetsegInputError(`range ${i} must be [min, max]`, { field: 'areaRng' });
    finiteList(r, `areaRng[${i}]`);
    return [r[0], r[1]] as [number, number];
  });
  let areaRngLbl = options.areaRngLbl ? [...options.areaRngLbl] : undefined;
  if (!areaRngLbl) areaRngLbl = options.areaRng === undefined || areaRng.length === 4 ? [...DEFAULT_AREA_LBL] : areaRng.map((_, i) => `range${i}`);
  if (areaRngLbl.length !== areaRng.length) throw new DetsegInputError(`has ${areaRngLbl.length} labels for ${areaRng.length} area ranges`, { field: 'areaRngLbl' });
  return { iouType: options.iouType ?? 'bbox', imgIds, catIds, iouThrs, recThrs, maxDets, areaRng, areaRngLbl, useCats };
}
