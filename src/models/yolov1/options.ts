import type { YoloV1Options } from './yolov1.js';

/**
 * The options of YOLOv1 on the 128² synthetic shapes: the R-CNN family's larger backbone (widths
 * 32-64-128, stride 8: a 16×16 feature map), an 8×8 grid (16-pixel cells: the smallest shapes are 8 px,
 * so 7×7's 18-pixel cells would more often hold two centres), the paper's B = 2, λcoord = 5,
 * λnoobj = 0.5 and IoU confidence targets.
 */
export const YOLOV1_TRAIN_OPTIONS: YoloV1Options = {
  numClasses: 3,
  seed: 0,
  backbone: { widths: [32, 64, 128] },
  gridSize: 8,
  boxesPerCell: 2,
};
