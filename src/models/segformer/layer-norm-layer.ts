import * as tf from '@tensorflow/tfjs';
import { layerNorm } from '../detr/layer-norm.js';

/**
 * Layer normalisation over the channels of every position (ε = 1e-5), gain `<name>/gamma [C]` (ones)
 * and shift `<name>/beta [C]` (zeros). `[..., C]` → `[..., C]`.
 *
 * tfjs' `layerNormalization` layer tiles its statistics and weights to the input's shape, and tfjs'
 * gradient of a rank-4 tile is a slice and an add per repeated element (thousands of kernels per
 * step at 32×32); this layer broadcasts instead, whose gradient is one sum.
 */
export class LayerNorm extends tf.layers.Layer {
  static className = 'DetsegLayerNorm';
  private gamma?: tf.LayerVariable;
  private beta?: tf.LayerVariable;

  constructor(name: string) {
    super({ name, trainable: true });
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const c = shape[shape.length - 1] as number;
    this.gamma = this.addWeight('gamma', [c], 'float32', tf.initializers.ones());
    this.beta = this.addWeight('beta', [c], 'float32', tf.initializers.zeros());
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => layerNorm(Array.isArray(inputs) ? inputs[0] : inputs, this.gamma!.read() as tf.Tensor1D, this.beta!.read() as tf.Tensor1D));
  }
}
