import { AnchorGenerator } from '../../anchors/generator.js';
import { htmlTable } from '../../viz/plot.js';
import { figureHtml, type ReportContext, type ReportSection } from '../report.js';
import { circle, colour, rect, svgDoc, text } from '../../viz/svg.js';

/** The figure's setting: a 512×384 image, a stride-32 feature map (16×12), 3 sizes × 3 ratios. */
export const ANCHOR_FIGURE = {
  imageWidth: 512,
  imageHeight: 384,
  stride: 32,
  sizes: [48, 96, 192],
  aspectRatios: [0.5, 1, 2],
  /** Feature-map cells (row, column) whose anchors are drawn. */
  cells: [[3, 3], [6, 8], [8, 13]] as [number, number][],
};

/** `anchors` section: k = 9 anchors at three feature-map cells over an image, plus the grid of centres. */
export async function anchorsSection(ctx: ReportContext): Promise<ReportSection> {
  const { imageWidth, imageHeight, stride, sizes, aspectRatios, cells } = ANCHOR_FIGURE;
  const generator = new AnchorGenerator({ sizes: [sizes], aspectRatios: [aspectRatios] });
  const gridHeight = imageHeight / stride, gridWidth = imageWidth / stride;
  const anchors = generator.gridAnchors(0, { gridHeight, gridWidth, strideY: stride, strideX: stride }); // [H·W·A, 4]
  const a = generator.anchorsPerLocation()[0];
  const margin = 110; // anchors of border cells reach outside the image
  const width = imageWidth + 2 * margin, height = imageHeight + 2 * margin + 40;
  const parts: string[] = [rect(0, 0, width, height, { fill: '#fff' })];
  parts.push(rect(margin, margin, margin + imageWidth, margin + imageHeight, { fill: '#f3f3f3', stroke: '#333' }));
  for (let row = 0; row < gridHeight; row++) {
    for (let col = 0; col < gridWidth; col++) parts.push(circle(margin + col * stride, margin + row * stride, 1.6, { fill: '#777' }));
  }
  const dash = ['4,3', '', '1,2']; // by ratio: 0.5 dashed, 1 solid, 2 dotted
  cells.forEach(([row, col]) => {
    const cell = row * gridWidth + col;
    for (let k = 0; k < a; k++) {
      const o = 4 * (cell * a + k);
      const ratio = Math.floor(k / sizes.length), size = k % sizes.length; // ratio-major order
      parts.push(rect(margin + anchors[o], margin + anchors[o + 1], margin + anchors[o + 2], margin + anchors[o + 3], {
        stroke: colour(size), 'stroke-width': 1.6, 'stroke-dasharray': dash[ratio] || undefined,
      }));
    }
    parts.push(circle(margin + col * stride, margin + row * stride, 4, { fill: '#D55E00' }));
  });
  const legendY = height - 30;
  sizes.forEach((s, k) => parts.push(rect(margin + k * 90, legendY - 10, margin + k * 90 + 14, legendY, { fill: colour(k) }), text(margin + k * 90 + 18, legendY, `size ${s}`)));
  parts.push(text(margin, legendY + 18, 'ratio h/w: 0.5 dashed, 1 solid, 2 dotted; grey dots: the anchor centres of every cell'));
  const name = ctx.figure('anchors.svg', svgDoc(width, height, parts));
  const base = generator.baseAnchors(); // [A, 4]
  const rows = Array.from({ length: a }, (_, k) => {
    const [x1, y1, x2, y2] = base.subarray(4 * k, 4 * k + 4);
    return [sizes[k % sizes.length], aspectRatios[Math.floor(k / sizes.length)], `(${x1}, ${y1}, ${x2}, ${y2})`, x2 - x1, y2 - y1];
  });
  const html = [
    `<p>A region proposal network scores k anchors at every cell of its feature map. Here k = ${sizes.length} sizes × ${aspectRatios.length} aspect ratios = ${a} `,
    `anchors, on a stride-${stride} feature map of a ${imageWidth}×${imageHeight} image (${gridWidth}×${gridHeight} = ${gridWidth * gridHeight} cells, `,
    `${anchors.length / 4} anchors in all). As in torchvision, the anchors of cell (row, column) are centred at (column·stride, row·stride), `,
    `the cell's top-left corner; <code>AnchorGenerator({ offset: 0.5 })</code> centres them in the cell instead. Base anchors keep the area size² `,
    `(w = size/√r, h = size·√r) and are rounded to whole pixels.</p>`,
    figureHtml(name, `The ${a} anchors of three feature-map cells (orange dots) over the image, and the grid of all anchor centres.`),
    htmlTable(['size', 'ratio h/w', 'base anchor (x1, y1, x2, y2)', 'width', 'height'], rows, 2),
  ].join('');
  return { id: 'anchors', title: 'Anchors', html };
}
