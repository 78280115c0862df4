import * as tf from '@tensorflow/tfjs';

/**
 * The image-level branch of atrous spatial pyramid pooling (DeepLabv3): the feature map averaged over
 * all positions, a 1×1 convolution (`kernel [Ci, filters]`, bias) and ReLU, spread back over every
 * position — so each pixel also sees a summary of the whole image, which the dilated branches with
 * large rates, whose taps mostly fall outside the map, do not give.
 * `[B, H, W, Ci]` → `[B, H, W, filters]` (the same vector at every position of an image).
 */
export class ImagePooling extends tf.layers.Layer {
  static className = 'DetsegImagePooling';
  private kernel?: tf.LayerVariable;
  private bias?: tf.LayerVariable;

  constructor(private readonly filters: number, private readonly kernelInitializer: ReturnType<typeof tf.initializers.heNormal>, name: string) {
    super({ name, trainable: true });
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    this.kernel = this.addWeight('kernel', [shape[shape.length - 1] as number, this.filters], 'float32', this.kernelInitializer);
    this.bias = this.addWeight('bias', [this.filters], 'float32', tf.initializers.zeros());
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    return [...shape.slice(0, -1), this.filters];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
      const [b, h, w] = x.shape;
      const pooled = tf.mean(x, [1, 2]); // [B, Ci]
      const y = tf.relu(tf.add(tf.matMul(pooled, this.kernel!.read() as tf.Tensor2D), this.bias!.read())); // [B, filters]
      // broadcast to every position; the gradient of the broadcast sums over the positions
      return tf.add(tf.zeros([b, h, w, this.filters]), tf.reshape(y, [b, 1, 1, this.filters]));
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), filters: this.filters };
  }
}
