/**
 * Random RoIs `[count, 5]` for an image of `imageH × imageW` pixels over a batch of `batch`, cycling
 * through the edge cases the RoI ops must get right: 0 ordinary (corner anywhere from 30 % before to
 * 130 % across the image, so partly outside the map), 1 tiny (under one cell at `scale`), 2 zero size,
 * 3 far outside the map, 4 reversed (x2 < x1, y2 < y1).
 */
export function randomRois(random: () => number, batch: number, imageH: number, imageW: number, scale: number, count: number): Float32Array {
  const rows: number[] = [];
  for (let i = 0; i < count; i++) {
    const b = Math.floor(random() * batch);
    const x1 = (random() * 1.6 - 0.3) * imageW, y1 = (random() * 1.6 - 0.3) * imageH;
    const kind = i % 5;
    const w = kind === 1 ? random() / scale : kind === 2 ? 0 : kind === 4 ? -random() * imageW * 0.3 : random() * imageW;
    const h = kind === 1 ? random() / scale : kind === 2 ? 0 : kind === 4 ? -random() * imageH * 0.3 : random() * imageH;
    const off = kind === 3 ? (random() < 0.5 ? -2 : 2) * imageW : 0;
    rows.push(b, x1 + off, y1, x1 + off + w, y1 + h);
  }
  return Float32Array.from(rows);
}
