import { selectiveSearch, type SelectiveSearchMode } from '../../proposals/selective-search.js';

/** Options of {@link selectiveSearchProposals}. */
export interface SelectiveSearchProposalOptions {
  /**
   * Strategy set of selective search (default 'quality': 80 hierarchies; 'fast': 8, the R-CNN papers'
   * mode on VOC). On the 128×128 synthetic images 'quality' finds about three times as many regions:
   * nearer the papers' ~2,000 proposals per image, so that selective search weighs against the network
   * as in the papers, at a small cost in Fast R-CNN's mAP (measurements in docs/rcnn-family.md).
   */
  mode?: SelectiveSearchMode;
  /** At most this many proposals per image, best-ranked first (default 2000, as Fast R-CNN). */
  maxBoxes?: number;
  /** Smallest proposal side in pixels (default 2). */
  minSize?: number;
}

/**
 * Class-agnostic proposals of Fast R-CNN and R-CNN: selective search (`src/proposals/selective-search.ts`)
 * on the RGB image, ranked, cut to `maxBoxes`, boxes narrower or lower than `minSize` removed.
 * `image: Uint8Array [H, W, 3]` → `Float32Array [K,4] xyxy` in pixels.
 */
export function selectiveSearchProposals(image: Uint8Array, width: number, height: number, options: SelectiveSearchProposalOptions = {}): Float32Array {
  const { boxes } = selectiveSearch({ data: image, width, height }, { mode: options.mode ?? 'quality', maxBoxes: options.maxBoxes ?? 2000 });
  const minSize = options.minSize ?? 2;
  const kept: number[] = [];
  for (let i = 0; i < boxes.length; i += 4) {
    if (boxes[i + 2] - boxes[i] >= minSize && boxes[i + 3] - boxes[i + 1] >= minSize) kept.push(boxes[i], boxes[i + 1], boxes[i + 2], boxes[i + 3]);
  }
  return Float32Array.from(kept);
}
