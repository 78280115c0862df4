/**
 * Image resizing on interleaved typed arrays `[H, W, C]`, in plain TypeScript (deterministic and
 * synchronous, so augmentations can resize images and masks alike).
 *
 * Sampling convention: pixel (x, y) has its centre at (x + 0.5, y + 0.5) in continuous coordinates, and
 * output pixel centre u maps to input coordinate `(u + 0.5) · inW / outW − 0.5` (OpenCV's INTER_LINEAR
 * without antialiasing, PyTorch's `align_corners=False`). A box scales by `outW / inW`, `outH / inH`.
 */

/**
 * Bilinear resize. `src: Uint8Array [inH, inW, C]` → `Uint8Array [outH, outW, C]`, values rounded to
 * the nearest integer. Downscaling by more than 2× aliases (no prefilter); fine for augmentation.
 */
export function resizeBilinear(src: Uint8Array, inW: number, inH: number, channels: number, outW: number, outH: number): Uint8Array {
  const dst = new Uint8Array(outW * outH * channels);
  const sx = inW / outW;
  const sy = inH / outH;
  // Per output column: left source column and weight, computed once.
  const x0s = new Int32Array(outW);
  const x1s = new Int32Array(outW);
  const wxs = new Float32Array(outW);
  for (let u = 0; u < outW; u++) {
    const fx = Math.min(Math.max((u + 0.5) * sx - 0.5, 0), inW - 1);
    const x0 = Math.floor(fx);
    x0s[u] = x0 * channels;
    x1s[u] = Math.min(x0 + 1, inW - 1) * channels;
    wxs[u] = fx - x0;
  }
  for (let v = 0; v < outH; v++) {
    const fy = Math.min(Math.max((v + 0.5) * sy - 0.5, 0), inH - 1);
    const y0 = Math.floor(fy);
    const y1 = Math.min(y0 + 1, inH - 1);
    const wy = fy - y0;
    const row0 = y0 * inW * channels;
    const row1 = y1 * inW * channels;
    let o = v * outW * channels;
    for (let u = 0; u < outW; u++) {
      const wx = wxs[u];
      const a = row0 + x0s[u], b = row0 + x1s[u], c = row1 + x0s[u], d = row1 + x1s[u];
      for (let k = 0; k < channels; k++) {
        const top = src[a + k] + (src[b + k] - src[a + k]) * wx;
        const bottom = src[c + k] + (src[d + k] - src[c + k]) * wx;
        dst[o++] = Math.round(top + (bottom - top) * wy);
      }
    }
  }
  return dst;
}

/**
 * Nearest-neighbour resize (for masks and label maps, whose values must not be blended).
 * `src: [inH, inW, C]` → same type `[outH, outW, C]`; output pixel u reads input `floor((u + 0.5)·inW/outW)`.
 */
export function resizeNearest<T extends Uint8Array | Int32Array | Float32Array>(src: T, inW: number, inH: number, channels: number, outW: number, outH: number): T {
  const dst = new (src.constructor as new (n: number) => T)(outW * outH * channels);
  const xs = new Int32Array(outW);
  for (let u = 0; u < outW; u++) xs[u] = Math.min(Math.floor(((u + 0.5) * inW) / outW), inW - 1) * channels;
  for (let v = 0; v < outH; v++) {
    const y = Math.min(Math.floor(((v + 0.5) * inH) / outH), inH - 1);
    const row = y * inW * channels;
    let o = v * outW * channels;
    for (let u = 0; u < outW; u++) for (let k = 0; k < channels; k++) dst[o++] = src[row + xs[u] + k];
  }
  return dst;
}
