/** Options of {@link ssdDefaultBoxes}. */
export interface DefaultBoxOptions {
  /** Scale of the first feature map's boxes, a fraction of the image side (default 0.2, the paper's s_min). */
  sMin?: number;
  /** Scale of the last feature map's boxes (default 0.9, the paper's s_max). */
  sMax?: number;
  /** Aspect ratios a = w/h of every location's boxes (default the paper's [1, 2, 3, 1/2, 1/3]). */
  aspectRatios?: readonly number[];
}

/**
 * The scales of m feature maps, spread evenly from s_min to s_max (SSD's equation 4):
 * s_k = s_min + (s_max − s_min)(k − 1)/(m − 1), k = 1..m, followed by s_{m+1} — the scale the extra box of
 * the last map takes its geometric mean with —, here 1 (the whole image). One map: [s_min, 1].
 * → `number[m + 1]`.
 */
export function ssdScales(m: number, sMin = 0.2, sMax = 0.9): number[] {
  const scales = Array.from({ length: m }, (_, k) => (m === 1 ? sMin : sMin + ((sMax - sMin) * k) / (m - 1)));
  return [...scales, 1];
}

/** Default boxes per location: one per aspect ratio plus the extra box of scale √(s_k s_{k+1}). */
export function defaultBoxesPerLocation(options: DefaultBoxOptions = {}): number {
  return (options.aspectRatios ?? [1, 2, 3, 1 / 2, 1 / 3]).length + 1;
}

/**
 * SSD's default boxes (Liu et al. 2016) of feature maps `maps` (`[h_k, w_k]`, finest first) on a
 * `width × height` image. Location (i, j) of map k (row i, column j) is centred at
 * ((j + ½)/w_k, (i + ½)/h_k) of the image; it has, in order, one box per aspect ratio a of width s_k √a
 * and height s_k / √a, then one box of aspect 1 and scale √(s_k s_{k+1}) (fractions of the image's
 * width and height). Boxes are not clipped to the image.
 *
 * → `Float32Array [K,4] xyxy` in pixels, K = Σ_k h_k w_k (ratios + 1), ordered map, row, column, box:
 * the order of the heads' flattened outputs.
 */
export function ssdDefaultBoxes(maps: ReadonlyArray<readonly [number, number]>, width: number, height: number, options: DefaultBoxOptions = {}): Float32Array {
  const ratios = options.aspectRatios ?? [1, 2, 3, 1 / 2, 1 / 3];
  const scales = ssdScales(maps.length, options.sMin, options.sMax);
  const per = ratios.length + 1;
  const total = maps.reduce((sum, [h, w]) => sum + h * w * per, 0);
  const out = new Float32Array(4 * total);
  let o = 0;
  maps.forEach(([h, w], k) => {
    const sizes: Array<[number, number]> = ratios.map((a) => [scales[k] * Math.sqrt(a), scales[k] / Math.sqrt(a)]);
    const extra = Math.sqrt(scales[k] * scales[k + 1]);
    sizes.push([extra, extra]);
    for (let i = 0; i < h; i++) {
      for (let j = 0; j < w; j++) {
        const cx = ((j + 0.5) / w) * width, cy = ((i + 0.5) / h) * height;
        for (const [sw, sh] of sizes) {
          const bw = sw * width, bh = sh * height;
          out[o++] = cx - bw / 2;
          out[o++] = cy - bh / 2;
          out[o++] = cx + bw / 2;
          out[o++] = cy + bh / 2;
        }
      }
    }
  });
  return out;
}
