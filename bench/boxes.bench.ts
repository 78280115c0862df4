import type { Bench } from './harness.js';
import { boxIou } from '../src/boxes/iou.js';
import { randomBoxes, randomScores } from '../src/boxes/random.js';
import { batchedNms } from '../src/nms/batched.js';
import { nms } from '../src/nms/greedy.js';
import { softNms } from '../src/nms/soft.js';
import { mulberry32 } from '../src/util/random.js';

/**
 * Benchmarks of the box toolkit. Boxes are `randomBoxes` defaults: x1, y1 uniform in [0, 1000),
 * w, h uniform in [10, 110) (seeded), scores uniform in [0, 1). Each timing includes input validation
 * and the allocation of the output.
 */
export async function boxesBenchmarks(): Promise<Bench[]> {
  return [
    {
      name: 'boxes: IoU matrix 10,000×1,000',
      setup: () => {
        const a = randomBoxes(10_000, 1), b = randomBoxes(1_000, 2);
        return () => boxIou(a, b);
      },
    },
    {
      name: 'nms: greedy, 10,000 boxes, IoU 0.5',
      reps: 15,
      setup: () => {
        const boxes = randomBoxes(10_000, 3), scores = randomScores(10_000, 4);
        return () => nms(boxes, scores, 0.5);
      },
    },
    {
      name: 'nms: batched, 10,000 boxes, 80 classes, IoU 0.5',
      reps: 15,
      setup: () => {
        const boxes = randomBoxes(10_000, 5), scores = randomScores(10_000, 6);
        const random = mulberry32(7);
        const classes = Int32Array.from({ length: 10_000 }, () => Math.floor(random() * 80));
        return () => batchedNms(boxes, scores, classes, 0.5);
      },
    },
    {
      name: 'nms: soft (linear), 2,000 boxes',
      setup: () => {
        const boxes = randomBoxes(2_000, 8), scores = randomScores(2_000, 9);
        return () => softNms(boxes, scores);
      },
    },
  ];
}
