import * as tf from '@tensorflow/tfjs';
import { initEngine } from '../../engine/setup.js';
import { bedOfNailsUnpool, maxPoolWithSwitchesOp, maxUnpoolOp, nearestUnpool } from '../../engine/unpool-ops.js';
import { colour, fmt, rect, svgDoc, text } from '../../viz/svg.js';

/** The numbers of the figure, computed by the engine's ops. */
export interface UpsamplingExamples {
  /** `[[1, 2], [3, 4]]` unpooled ×2 by nearest neighbour and by "bed of nails": 4×4 each. */
  input: number[];
  nearest: number[];
  bedOfNails: number[];
  /** The 4×4 map max-pooled 2×2/2, the flat indices of its maxima, and `input` unpooled to them. */
  poolInput: number[];
  switches: number[];
  maxUnpooled: number[];
  /** The lecture's transposed convolution: 2×2 input and 2×2 kernel, stride 1 → 3×3. */
  convInput: number[];
  kernel: number[];
  transposed: number[];
}

/**
 * Computes the figure's examples with the engine's unpooling ops (`src/engine/unpool-ops.ts`) and tfjs'
 * `conv2dTranspose`, so that the figure shows what the code does.
 */
export async function upsamplingExamples(): Promise<UpsamplingExamples> {
  await initEngine();
  const input = [1, 2, 3, 4];
  const poolInput = [1, 2, 6, 3, 3, 5, 2, 1, 1, 2, 2, 1, 7, 3, 4, 8];
  const convInput = [0, 1, 2, 3];
  const kernel = [0, 1, 2, 3];
  return tf.tidy(() => {
    const x = tf.tensor4d(input, [1, 2, 2, 1]);
    const pooled = maxPoolWithSwitchesOp(tf.tensor4d(poolInput, [1, 4, 4, 1]), 2);
    const transposed = tf.conv2dTranspose(tf.tensor4d(convInput, [1, 2, 2, 1]), tf.tensor4d(kernel, [2, 2, 1, 1]), [1, 3, 3, 1], 1, 'valid');
    const read = (t: tf.Tensor) => Array.from(t.dataSync());
    return {
      input,
      nearest: read(nearestUnpool(x, 2)),
      bedOfNails: read(bedOfNailsUnpool(x, 2)),
      poolInput,
      switches: Array.from(pooled.switches),
      maxUnpooled: read(maxUnpoolOp(x, pooled.switches, pooled.inputShape)),
      convInput,
      kernel,
      transposed: read(transposed),
    };
  });
}

const CELL = 24;

/** A titled grid of numbers; cells in `marked` are tinted. */
function grid(values: number[], side: number, x: number, y: number, title: string, marked: Set<number> = new Set()): string[] {
  const out = [text(x, y - 6, title, { 'font-size': 11 })];
  for (let r = 0; r < side; r++) {
    for (let c = 0; c < side; c++) {
      const i = r * side + c;
      const x1 = x + c * CELL, y1 = y + r * CELL;
      out.push(rect(x1, y1, x1 + CELL, y1 + CELL, { fill: marked.has(i) ? '#fde9c9' : '#fff', stroke: '#666' }));
      out.push(text(x1 + CELL / 2, y1 + CELL / 2 + 4, fmt(values[i]), { 'text-anchor': 'middle', fill: values[i] === 0 ? '#aaa' : '#000' }));
    }
  }
  return out;
}

/** An arrow label between two panels. */
function arrow(x: number, y: number, label: string): string[] {
  return [text(x, y, '→', { 'font-size': 18, fill: colour(0) }), text(x - 8, y + 16, label, { 'font-size': 10, fill: '#555' })];
}

/**
 * The figure "up-sampling without and with learned weights": the 2×2 map [[1, 2], [3, 4]] unpooled to
 * 4×4 by nearest neighbour, by bed of nails, and by max-unpooling with the switches of a 2×2 max-pool
 * of a 4×4 map (its maxima tinted); beside it the lecture's transposed convolution, 2×2 input ⊛ᵀ 2×2
 * kernel, stride 1 → 3×3, where overlapping copies of the kernel add up. SVG text.
 */
export function upsamplingFigure(e: UpsamplingExamples): string {
  const out: string[] = [];
  const top = 40;
  const nonzero = (v: number[]) => new Set(v.flatMap((x, i) => (x !== 0 ? [i] : [])));
  out.push(text(8, 16, 'Unpooling (fixed patterns)', { 'font-weight': 'bold' }));
  out.push(...grid(e.input, 2, 8, top + 24, 'input'));
  out.push(...arrow(68, top + 54, '×2'));
  out.push(...grid(e.nearest, 4, 110, top, 'nearest neighbour'));
  out.push(...grid(e.bedOfNails, 4, 240, top, 'bed of nails', nonzero(e.bedOfNails)));
  out.push(...grid(e.poolInput, 4, 370, top, 'max-pool input', new Set(e.switches)));
  out.push(...grid(e.maxUnpooled, 4, 500, top, 'max-unpooling', nonzero(e.maxUnpooled)));
  const top2 = top + 4 * CELL + 56;
  out.push(text(8, top2 - 24, 'Transposed convolution (learned kernel), stride 1', { 'font-weight': 'bold' }));
  out.push(...grid(e.convInput, 2, 8, top2, 'input'));
  out.push(text(68, top2 + 30, '⊛ᵀ', { 'font-size': 16 }));
  out.push(...grid(e.kernel, 2, 100, top2, 'kernel'));
  out.push(text(160, top2 + 30, '=', { 'font-size': 16 }));
  out.push(...grid(e.transposed, 3, 190, top2, 'output 3×3'));
  out.push(text(290, top2 + 20, 'each input value scatters a copy of the kernel', { 'font-size': 11, fill: '#555' }));
  out.push(text(290, top2 + 36, 'scaled by itself; overlapping copies add up', { 'font-size': 11, fill: '#555' }));
  const height = top2 + 3 * CELL + 16;
  return svgDoc(610, height, [rect(0, 0, 610, height, { fill: '#fff' }), ...out]);
}
