import * as tf from '@tensorflow/tfjs';
import { depthwiseConv2dSame } from '../../engine/depthwise-conv.js';

/**
 * A 3×3 depthwise 'same' convolution with bias that trains on the engine (`src/engine/depthwise-conv.ts`;
 * tfjs' depthwise layer has no gradient on wasm). Weights `<name>/kernel [3, 3, C, 1]`, `<name>/bias [C]`.
 * `[B, H, W, C]` → `[B, H, W, C]`. The kernel starts He-normal for a fan-in of 9 (each output sees 9
 * inputs; tfjs' he-normal would count 9·C for this shape).
 */
export class DepthwiseConv3x3 extends tf.layers.Layer {
  static className = 'DetsegDepthwiseConv3x3';
  private kernel?: tf.LayerVariable;
  private bias?: tf.LayerVariable;

  constructor(private readonly seed: number, name: string) {
    super({ name, trainable: true });
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const c = shape[shape.length - 1] as number;
    this.kernel = this.addWeight('kernel', [3, 3, c, 1], 'float32', tf.initializers.randomNormal({ mean: 0, stddev: Math.sqrt(2 / 9), seed: this.seed }));
    this.bias = this.addWeight('bias', [c], 'float32', tf.initializers.zeros());
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => tf.add(depthwiseConv2dSame((Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D, this.kernel!.read() as tf.Tensor4D), this.bias!.read()));
  }
}
