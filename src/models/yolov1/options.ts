import type { YoloV1Options } from './yolov1.js';

/**
 * The options of YOLOv1 on the 128² synthetic shapes: the R-CNN family's larger backbone (widths
 * 32-64-128, stride 8: a 16×16 feature map), two 3×3 convolutions on that map before it is pooled onto
 * an 8×8 grid (16-pixel cells: the smallest shapes are 8 px, so 7×7's 18-pixel cells would more often
 * hold two centres) and one on the grid, the paper's B = 2, λcoord = 5, λnoobj = 0.5 and IoU confidence
 * targets. Detections down to a class-specific confidence of 0.01 are kept, because IoU targets keep the
 * confidences of a briefly trained model low and COCO's mAP rewards recall.
 */
export const YOLOV1_TRAIN_OPTIONS: YoloV1Options = {
  numClasses: 3,
  seed: 0,
  backbone: { widths: [32, 64, 128] },
  gridSize: 8,
  boxesPerCell: 2,
  neckConvs: 2,
  headConvs: 1,
  scoreThreshold: 0.01,
};
