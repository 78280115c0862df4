import { DetsegInputError } from '../util/errors.js';
import type { CocoEvalParams } from './coco-params.js';

/**
 * pycocotools' `summarize` for detection: the 12 standard numbers (AP at IoU .50:.95, .50, .75; AP
 * small/medium/large; AR at 1, 10, 100 detections; AR small/medium/large), each the mean of the defined
 * (> −1) cells of the precision or recall array, printed in pycocotools' exact 12 lines.
 */

/** Sum of `v` as numpy's `np.add.reduce` on a contiguous float64 array (pairwise, blocks of 8 and 128). */
export function numpySum(v: ArrayLike<number>, start = 0, n = v.length - start): number {
  if (n < 8) {
    let res = 0;
    for (let i = 0; i < n; i++) res += v[start + i];
    return res;
  }
  if (n <= 128) {
    let r0 = v[start], r1 = v[start + 1], r2 = v[start + 2], r3 = v[start + 3];
    let r4 = v[start + 4], r5 = v[start + 5], r6 = v[start + 6], r7 = v[start + 7];
    let i = 8;
    const end = n - (n % 8);
    for (; i < end; i += 8) {
      r0 += v[start + i];
      r1 += v[start + i + 1];
      r2 += v[start + i + 2];
      r3 += v[start + i + 3];
      r4 += v[start + i + 4];
      r5 += v[start + i + 5];
      r6 += v[start + i + 6];
      r7 += v[start + i + 7];
    }
    let res = r0 + r1 + (r2 + r3) + (r4 + r5 + (r6 + r7));
    for (; i < n; i++) res += v[start + i];
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return numpySum(v, start, n2) + numpySum(v, start + n2, n - n2);
}

/** Elements per inner-loop call of numpy's buffered reduction (its default buffer size). */
const NUMPY_BUFFER = 8192;

/**
 * `np.mean` of a float64 vector as numpy 1.24 (the oracle's version) computes it: the reduction runs over
 * buffers of 8192 elements, each summed pairwise ({@link numpySum}) into the running total, then one
 * division. (numpy 2 sums a contiguous vector in one pairwise pass and can differ in the last bit.)
 */
export function numpyMean(v: ArrayLike<number>): number {
  let total = 0;
  for (let s = 0; s < v.length; s += NUMPY_BUFFER) total += numpySum(v, s, Math.min(NUMPY_BUFFER, v.length - s));
  return total / v.length;
}

/** Python's `'{:0.Nf}'.format(x)`: fixed notation, ties (exact binary halves) rounded to even. */
export function formatFixed(x: number, digits: number): string {
  const s = x.toFixed(digits);
  const exact = x.toFixed(Math.min(100, digits + 60));
  const tail = exact.slice(exact.indexOf('.') + 1 + digits);
  if (/^50*$/.test(tail)) {
    // an exact tie: JavaScript rounds away from zero, Python to the even neighbour
    const last = Number(s[s.length - 1]);
    if (last % 2 === 1) {
      const down = (Math.abs(x) - 10 ** -digits / 2).toFixed(digits); // the tie's lower neighbour
      return (x < 0 ? '-' : '') + down;
    }
  }
  return s;
}

/** One summary statistic request, as pycocotools' `_summarize(ap, iouThr, areaRng, maxDets)`. */
interface SummaryRequest {
  ap: boolean;
  iouThr?: number;
  areaRng: string;
  maxDets: number;
}

/** The 12 requests of `summarizeDets`. `maxDets` are the (sorted) parameters; AP uses 100, as pycocotools. */
function detectionRequests(maxDets: number[]): SummaryRequest[] {
  if (maxDets.length < 3) throw new DetsegInputError(`the 12 COCO statistics need 3 maxDets values, got [${maxDets.join(', ')}]`, { field: 'maxDets' });
  const [m0, m1, m2] = maxDets;
  return [
    { ap: true, areaRng: 'all', maxDets: 100 },
    { ap: true, iouThr: 0.5, areaRng: 'all', maxDets: m2 },
    { ap: true, iouThr: 0.75, areaRng: 'all', maxDets: m2 },
    { ap: true, areaRng: 'small', maxDets: m2 },
    { ap: true, areaRng: 'medium', maxDets: m2 },
    { ap: true, areaRng: 'large', maxDets: m2 },
    { ap: false, areaRng: 'all', maxDets: m0 },
    { ap: false, areaRng: 'all', maxDets: m1 },
    { ap: false, areaRng: 'all', maxDets: m2 },
    { ap: false, areaRng: 'small', maxDets: m2 },
    { ap: false, areaRng: 'medium', maxDets: m2 },
    { ap: false, areaRng: 'large', maxDets: m2 },
  ];
}

/** The evaluation arrays summarize reads: precision `[T,R,K,A,M]`, recall `[T,K,A,M]`. */
export interface SummaryInput {
  params: CocoEvalParams;
  precision: Float64Array;
  recall: Float64Array;
  K: number;
}

function summarizeOne(input: SummaryInput, req: SummaryRequest): number {
  const p = input.params;
  const T = p.iouThrs.length, R = p.recThrs.length, K = input.K, A = p.areaRng.length, M = p.maxDets.length;
  const tList: number[] = [];
  for (let t = 0; t < T; t++) if (req.iouThr === undefined || p.iouThrs[t] === req.iouThr) tList.push(t);
  const a = p.areaRngLbl.indexOf(req.areaRng);
  const m = p.maxDets.indexOf(req.maxDets);
  const values = new Float64Array(tList.length * (req.ap ? R * K : K));
  let n = 0;
  if (a >= 0 && m >= 0) {
    for (const t of tList) {
      if (req.ap) {
        for (let r = 0; r < R; r++) {
          for (let k = 0; k < K; k++) {
            const v = input.precision[(((t * R + r) * K + k) * A + a) * M + m];
            if (v > -1) values[n++] = v;
          }
        }
      } else {
        for (let k = 0; k < K; k++) {
          const v = input.recall[((t * K + k) * A + a) * M + m];
          if (v > -1) values[n++] = v;
        }
      }
    }
  }
  return n === 0 ? -1 : numpyMean(values.subarray(0, n));
}

function summaryLine(p: CocoEvalParams, req: SummaryRequest, value: number): string {
  const title = req.ap ? 'Average Precision' : 'Average Recall';
  const type = req.ap ? '(AP)' : '(AR)';
  const iouStr = req.iouThr === undefined ? `${formatFixed(p.iouThrs[0], 2)}:${formatFixed(p.iouThrs[p.iouThrs.length - 1], 2)}` : formatFixed(req.iouThr, 2);
  return ` ${title.padEnd(18)} ${type} @[ IoU=${iouStr.padEnd(9)} | area=${req.areaRng.padStart(6)} | maxDets=${String(req.maxDets).padStart(3)} ] = ${formatFixed(value, 3)}`;
}

/** The 12 COCO statistics and pycocotools' 12 printed lines (without trailing newlines). */
export function summarizeDetections(input: SummaryInput): { stats: number[]; lines: string[] } {
  const requests = detectionRequests(input.params.maxDets);
  const stats = requests.map((req) => summarizeOne(input, req));
  const lines = requests.map((req, i) => summaryLine(input.params, req, stats[i]));
  return { stats, lines };
}
