/**
 * The data a detector trains on and returns, with torchvision's contract. Labels count the background:
 * 0 is background and 1..C the object classes (for the synthetic shapes, 1 + the index into
 * `SHAPE_CLASSES`), so that a class-specific box regression row c belongs to label c.
 */

/** Ground truth of one image. */
export interface DetectionTarget {
  /** `Float32Array [N,4] xyxy` in image pixels, positive width and height. */
  boxes: Float32Array;
  /** `Int32Array [N]` class labels in 1..C. */
  labels: Int32Array;
  /** Optional instance masks (Mask R-CNN): N masks, each `Uint8Array [H, W]` row-major, 1 inside. */
  masks?: Uint8Array[];
}

/** Detections of one image, by decreasing score. */
export interface Detections {
  /** `Float32Array [N,4] xyxy` in image pixels, clipped to the image. */
  boxes: Float32Array;
  /** `Int32Array [N]` class labels in 1..C. */
  labels: Int32Array;
  /** `Float32Array [N]` class probabilities in (0, 1]. */
  scores: Float32Array;
  /** Mask R-CNN only: N binary masks, each `Uint8Array [H, W]` row-major, pasted into the image. */
  masks?: Uint8Array[];
}

/** Named training losses (scalars), torchvision's names. */
export type LossValues = Record<string, number>;
