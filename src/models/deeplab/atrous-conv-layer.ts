import * as tf from '@tensorflow/tfjs';
import { atrousConv2d } from '../../engine/atrous-conv.js';

/** Options of {@link AtrousConv2D}. */
export interface AtrousConv2DArgs {
  /** Output channels. */
  filters: number;
  /** Odd kernel side (3 in DeepLab; 1 gives a plain 1×1 conv). */
  kernelSize: number;
  /** Dilation rate (1: an ordinary convolution). */
  rate: number;
  /** Add a bias (off before a batch norm). */
  useBias: boolean;
  /** ReLU after the (biased) convolution. */
  relu: boolean;
  /** Initialiser of the kernel. */
  kernelInitializer: ReturnType<typeof tf.initializers.heNormal>;
  /** Layer name; its weights are `<name>/kernel` and `<name>/bias`. */
  name: string;
}

/**
 * A 'same', stride-1 convolution layer with dilation `rate` that trains on the engine (tfjs'
 * `conv2d` layer with `dilationRate` > 1 has no gradient): kernel `[k, k, Ci, filters]`, optional bias
 * `[filters]` and ReLU, computed by `atrousConv2d` (`src/engine/atrous-conv.ts`).
 * `[B, H, W, Ci]` → `[B, H, W, filters]`.
 */
export class AtrousConv2D extends tf.layers.Layer {
  static className = 'DetsegAtrousConv2D';
  private kernel?: tf.LayerVariable;
  private bias?: tf.LayerVariable;

  constructor(private readonly args: AtrousConv2DArgs) {
    super({ name: args.name, trainable: true });
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const inChannels = shape[shape.length - 1] as number;
    const k = this.args.kernelSize;
    this.kernel = this.addWeight('kernel', [k, k, inChannels, this.args.filters], 'float32', this.args.kernelInitializer);
    if (this.args.useBias) this.bias = this.addWeight('bias', [this.args.filters], 'float32', tf.initializers.zeros());
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    return [...shape.slice(0, -1), this.args.filters];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
      let y: tf.Tensor = atrousConv2d(x, this.kernel!.read() as tf.Tensor4D, this.args.rate);
      if (this.bias) y = tf.add(y, this.bias.read());
      return this.args.relu ? tf.relu(y) : y;
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    const { filters, kernelSize, rate, useBias, relu } = this.args;
    return { ...super.getConfig(), filters, kernelSize, rate, useBias, relu };
  }
}
