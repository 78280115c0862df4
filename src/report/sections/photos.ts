import { existsSync, readFileSync } from 'node:fs';
import { decodeImage, letterbox } from '../../data/images.js';
import { initEngine } from '../../engine/setup.js';
import { annotateImage } from '../../pipeline/annotate.js';
import { detectPrepared, toOriginal } from '../../pipeline/infer.js';
import { detectorCheckpoint } from '../../pipeline/shipped-chain.js';
import { checkpointImageSize, loadDetector, shippedCheckpoints } from '../../pipeline/weights.js';
import { escapeXml } from '../../viz/svg.js';
import { assetsDir } from '../../util/paths.js';
import { figureHtml, type ReportContext, type ReportSection } from '../report.js';

/** A photograph shipped in `assets/photos/` with its attribution. */
interface Photo {
  file: string;
  cocoId: number;
  source: string;
  license: string;
  licenseUrl: string;
}

/** The shipped photographs (`assets/photos/photos.json`). */
export function shippedPhotos(): Photo[] {
  return JSON.parse(readFileSync(assetsDir('photos', 'photos.json'), 'utf8')) as Photo[];
}

/**
 * Real photographs: the shipped synthetic-shapes Mask R-CNN on photographs of people — a lesson on
 * training data (a detector knows only the classes and the kind of image it was trained on) — and every
 * shipped detector trained on photographs of people on the same images.
 */
export async function photosSection(ctx: ReportContext): Promise<ReportSection> {
  await initEngine();
  const photos = shippedPhotos();
  const models = [
    { name: 'mask-rcnn', kind: 'mask-rcnn', path: detectorCheckpoint(ctx.checkpoints, 'mask-rcnn') },
    ...shippedCheckpoints()
      .filter((s) => existsSync(s.path) && s.description.toLowerCase().includes('photograph'))
      .map((s) => ({ name: s.name, kind: s.family.kind, path: ctx.checkpoints.get(s.name) ?? s.path })),
  ];
  const parts: string[] = [];
  for (const m of models) {
    const detector = loadDetector(m.kind, m.path);
    try {
      const imgsz = checkpointImageSize(detector.meta);
      const figures: string[] = [];
      for (const photo of photos) {
        const rgb = await decodeImage(assetsDir('photos', photo.file));
        const lb = letterbox(rgb, imgsz);
        const [raw] = detectPrepared(detector.model, detector.family, [{ index: 0, image: lb.image.data, target: { boxes: new Float32Array(0), labels: new Int32Array(0) }, letterbox: lb }], imgsz);
        const d = toOriginal(raw, lb, rgb.width, rgb.height, imgsz, { conf: 0.5 });
        const counts = new Map<string, number>();
        for (const l of d.labels) counts.set(detector.classes[l - 1], (counts.get(detector.classes[l - 1]) ?? 0) + 1);
        const name = ctx.figure(`photo-${m.name}-${photo.cocoId}.png`, await annotateImage(rgb, d, detector.classes));
        figures.push(figureHtml(name, `${m.name} at ${imgsz}²: ${d.labels.length ? [...counts].map(([c, n]) => `${n} ${c}`).join(', ') : 'nothing'} (score ≥ 0.5). Photo: COCO image ${photo.cocoId}, ${photo.source}, ${photo.license}.`, 360));
      }
      parts.push(`<h3>${escapeXml(m.name)} — trained on: ${escapeXml(detector.classes.join(', '))}</h3>\n${figures.join('\n')}`);
    } finally {
      detector.dispose();
    }
  }
  const html = `<p>A detector knows only what it was trained on. The Mask R-CNN of this practical learned circles, squares and
triangles on flat 128² synthetic images; shown photographs of people, it still answers in its three classes, with confident
"triangles" and "squares" on faces, clothes and background. To detect people, train on photographs of people:
<code>detseg train mask-rcnn --data instances_train.json --val instances_val.json --imgsz 256</code> on any COCO, YOLO or VOC
dataset (see the README).</p>
${parts.join('\n')}
<p>Photographs: COCO 2017 training images, from Flickr under the licences given in each caption (CC BY 2.0,
<a href="http://creativecommons.org/licenses/by/2.0/">creativecommons.org/licenses/by/2.0</a>; no known copyright restrictions), resized to 400 px.</p>`;
  return { id: 'photos', title: 'Real photographs', html };
}
