import { boxIou } from '../../boxes/iou.js';
import { nms } from '../../nms/greedy.js';
import { gaussian, mulberry32 } from '../../util/random.js';
import { htmlTable } from '../../viz/plot.js';
import { figureHtml, type ReportContext, type ReportSection } from '../report.js';
import { group, rect, svgDoc, text } from '../../viz/svg.js';

/** A generated crowded detection scene: a few objects, many scored boxes around each, some clutter. */
export interface CrowdedScene {
  width: number;
  height: number;
  /** `Float32Array [G,4] xyxy` true objects. */
  objects: Float32Array;
  /** `Float32Array [N,4] xyxy` detections. */
  boxes: Float32Array;
  /** `Float32Array [N]` detection scores in (0, 1). */
  scores: Float32Array;
}

/**
 * A seeded crowded scene in a 480×320 image: 4 objects (two of them overlapping), 12 detections around
 * each (corners jittered by a Gaussian of σ = 8 % of the object's size; score 0.35 + 0.6·IoU with the
 * object + Gaussian noise σ = 0.05, clamped to [0.01, 0.99]), plus 6 random low-score clutter boxes.
 */
export function crowdedScene(seed = 7): CrowdedScene {
  const random = mulberry32(seed);
  const objects = new Float32Array([40, 60, 150, 200, 130, 90, 230, 235, 280, 40, 420, 140, 300, 180, 440, 290]);
  const perObject = 12, clutter = 6, g = objects.length / 4;
  const n = g * perObject + clutter;
  const boxes = new Float32Array(4 * n), scores = new Float32Array(n);
  let i = 0;
  for (let o = 0; o < g; o++) {
    const [x1, y1, x2, y2] = objects.subarray(4 * o, 4 * o + 4);
    const sw = 0.08 * (x2 - x1), sh = 0.08 * (y2 - y1);
    for (let k = 0; k < perObject; k++, i++) {
      const a = x1 + gaussian(random) * sw, b = y1 + gaussian(random) * sh, c = x2 + gaussian(random) * sw, d = y2 + gaussian(random) * sh;
      boxes.set([Math.min(a, c), Math.min(b, d), Math.max(a, c), Math.max(b, d)], 4 * i);
      const iou = boxIou(boxes.subarray(4 * i, 4 * i + 4), objects.subarray(4 * o, 4 * o + 4))[0];
      scores[i] = Math.min(0.99, Math.max(0.01, 0.35 + 0.6 * iou + 0.05 * gaussian(random)));
    }
  }
  for (let k = 0; k < clutter; k++, i++) {
    const x = random() * 400, y = random() * 260, w = 30 + random() * 60, h = 30 + random() * 50;
    boxes.set([x, y, Math.min(x + w, 480), Math.min(y + h, 320)], 4 * i);
    scores[i] = 0.05 + 0.25 * random();
  }
  return { width: 480, height: 320, objects, boxes, scores };
}

/** Colour of a score in [0, 1]: light yellow (low) to dark red (high). */
function scoreColour(score: number): string {
  const lo = [254, 224, 139], hi = [165, 0, 38];
  const c = lo.map((v, k) => Math.round(v + (hi[k] - v) * Math.min(1, Math.max(0, score))));
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}

/** `nms` section: greedy NMS on a seeded crowded scene, before and after, with the scores drawn. */
export async function nmsSection(ctx: ReportContext): Promise<ReportSection> {
  const scene = crowdedScene();
  const threshold = 0.5;
  const kept = nms(scene.boxes, scene.scores, threshold);
  const n = scene.scores.length;
  const { width, height } = scene;
  const panel = (title: string, indices: ArrayLike<number>, labels: boolean): string => {
    const parts = [rect(0, 0, width, height, { fill: '#fafafa', stroke: '#ccc' }), text(8, 16, title, { 'font-weight': 'bold' })];
    for (let o = 0; o < scene.objects.length / 4; o++) {
      const [x1, y1, x2, y2] = scene.objects.subarray(4 * o, 4 * o + 4);
      parts.push(rect(x1, y1, x2, y2, { stroke: '#999', 'stroke-dasharray': '2,3' }));
    }
    // low scores first so the best boxes are drawn on top
    const order = Array.from(indices).sort((a, b) => scene.scores[a] - scene.scores[b]);
    for (const i of order) {
      const [x1, y1, x2, y2] = scene.boxes.subarray(4 * i, 4 * i + 4);
      parts.push(rect(x1, y1, x2, y2, { stroke: scoreColour(scene.scores[i]), 'stroke-width': labels ? 2.5 : 1.2 }));
      if (labels) {
        parts.push(rect(x1, y1 - 13, x1 + 30, y1, { fill: scoreColour(scene.scores[i]) }));
        parts.push(text(x1 + 2, y1 - 3, scene.scores[i].toFixed(2), { fill: scene.scores[i] > 0.5 ? '#fff' : '#222', 'font-size': 10 }));
      }
    }
    return parts.join('');
  };
  const all = Array.from({ length: n }, (_, i) => i);
  const gap = 16;
  const legend: string[] = [];
  for (let k = 0; k <= 10; k++) legend.push(rect(8 + k * 24, height + 14, 8 + (k + 1) * 24, height + 26, { fill: scoreColour(k / 10) }));
  legend.push(text(8, height + 40, 'score 0', { 'font-size': 11 }), text(8 + 11 * 24, height + 40, '1', { 'font-size': 11, 'text-anchor': 'end' }));
  legend.push(text(8 + 11 * 24 + 16, height + 24, 'dashed grey: the true objects', { 'font-size': 11 }));
  const svg = svgDoc(2 * width + gap, height + 48, [
    rect(0, 0, 2 * width + gap, height + 48, { fill: '#fff' }),
    group([panel(`before: ${n} detections`, all, false)]),
    group([panel(`after NMS (IoU > ${threshold} suppressed): ${kept.length} kept`, kept, true)], `translate(${width + gap} 0)`),
    ...legend,
  ]);
  const name = ctx.figure('nms.svg', svg);
  const rows = Array.from(kept, (i, r) => [r + 1, i, Number(scene.scores[i].toFixed(3))]);
  const html = [
    `<p>A detector fires many times around each object. Greedy non-maximum suppression keeps one box per object: `,
    `(1) take the highest-scoring box left and keep it; (2) drop every remaining box whose IoU with it is above ${threshold}; `,
    `(3) repeat until no box is left. Here a seeded scene of ${scene.objects.length / 4} objects has ${n} scored detections; `,
    `<code>nms()</code> keeps ${kept.length}. The two overlapping objects on the left survive as two boxes because their IoU is below the threshold; `,
    `low-scoring clutter that overlaps nothing also survives — removing it is the score threshold's job, not NMS's.</p>`,
    figureHtml(name, 'Greedy NMS on a crowded scene: every detection coloured by score (left), the kept ones with their scores (right).'),
    htmlTable(['rank', 'detection', 'score'], rows, 3),
  ].join('');
  return { id: 'nms', title: 'Non-maximum suppression', html };
}
