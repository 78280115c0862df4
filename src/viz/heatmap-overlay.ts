/**
 * A coarse map of weights (an attention map, a score map) laid over the image it belongs to: the map is
 * scaled bilinearly to the image's pixels (cell centres at ((j + ½)·W/w, (i + ½)·H/h)), normalised by its
 * largest value, and blended as a black → red → yellow ramp over the image dimmed to a third.
 *
 * @param rgb `Uint8Array [H, W, 3]` of the image
 * @param map `Float32Array [h, w]` non-negative weights, row-major
 * @returns `Uint8Array [H, W, 3]`
 */
export function heatmapOverlay(rgb: Uint8Array, height: number, width: number, map: Float32Array, mapHeight: number, mapWidth: number): Uint8Array {
  if (rgb.length !== height * width * 3) throw new RangeError(`heatmapOverlay: ${rgb.length} values for a ${width}×${height} RGB image`);
  if (map.length !== mapHeight * mapWidth) throw new RangeError(`heatmapOverlay: ${map.length} weights for a ${mapWidth}×${mapHeight} map`);
  let max = 0;
  for (const v of map) if (v > max) max = v;
  const out = new Uint8Array(rgb.length);
  const sample = (v: number, n: number, scale: number): [number, number, number] => {
    const f = Math.min(Math.max((v + 0.5) / scale - 0.5, 0), n - 1);
    const i0 = Math.floor(f);
    return [i0, Math.min(i0 + 1, n - 1), f - i0];
  };
  for (let y = 0; y < height; y++) {
    const [r0, r1, fy] = sample(y, mapHeight, height / mapHeight);
    for (let x = 0; x < width; x++) {
      const [c0, c1, fx] = sample(x, mapWidth, width / mapWidth);
      const top = map[r0 * mapWidth + c0] * (1 - fx) + map[r0 * mapWidth + c1] * fx;
      const bottom = map[r1 * mapWidth + c0] * (1 - fx) + map[r1 * mapWidth + c1] * fx;
      const t = max > 0 ? (top * (1 - fy) + bottom * fy) / max : 0; // 0..1
      const heat = [Math.min(1, 2 * t), Math.max(0, 2 * t - 1), 0];
      const p = 3 * (y * width + x);
      for (let k = 0; k < 3; k++) out[p + k] = Math.round(Math.min(255, rgb[p + k] / 3 + 255 * heat[k] * 0.8));
    }
  }
  return out;
}
