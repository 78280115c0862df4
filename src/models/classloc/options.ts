import type { ClassLocOptions } from './classloc.js';

/** The options of the shipped classification + localization model: 64² images, backbone 16-32-64, λ = 10, the class head also reading the global max-pool. */
export const CLASSLOC_TRAIN_OPTIONS: ClassLocOptions = { numClasses: 3, seed: 0, imageSize: 64, backbone: { widths: [16, 32, 64] }, hiddenSize: 128, boxWeight: 10, classPooling: 'max' };
