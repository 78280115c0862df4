import * as tf from '@tensorflow/tfjs';

/**
 * The detectors' input tensor. Apart from `synthetic-data.ts` (which re-exports it), whose flip
 * augmentation pulls in the image file reader, so that inference loads in a browser.
 */

/**
 * RGB images (all of the same size) → `[B, H, W, 3]` float tensor with values (v − 127.5) / 127.5 in
 * [−1, 1]. `images`: `Uint8Array [H, W, 3]` each.
 */
export function imagesToTensor(images: Uint8Array[], height: number, width: number): tf.Tensor4D {
  const data = new Float32Array(images.length * height * width * 3); // [B, H, W, 3]
  images.forEach((image, b) => {
    const o = b * height * width * 3;
    for (let i = 0; i < image.length; i++) data[o + i] = (image[i] - 127.5) / 127.5;
  });
  return tf.tensor4d(data, [images.length, height, width, 3]);
}
