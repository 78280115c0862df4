import { join } from 'node:path';
import { imageLabel, type PanopticCategory } from '../data/coco-panoptic-format.js';
import { checkFolder, imageInfoById, readCocoPanopticJson, readPanopticCategories, readPanopticImage } from '../data/coco-panoptic.js';
import { DetsegInputError } from '../util/errors.js';
import { addPanopticCounts, panopticImageCounts, summarizePanoptic, type PanopticCategoryCounts, type PanopticResult } from './panoptic.js';

/** Files of a panoptic evaluation: the two JSONs, their PNG folders, and optionally a categories file. */
export interface PanopticEvalFiles {
  gtJson: string;
  gtDir: string;
  predJson: string;
  predDir: string;
  /** A JSON list of categories (or an object with `categories`); default: the ground truth's list. */
  categories?: string;
}

/**
 * Panoptic Quality from COCO panoptic files (`pq_compute(gt_json, pred_json, gt_folder, pred_folder)`
 * of panopticapi), reading one image pair at a time. Refuses what panopticapi refuses (a ground-truth
 * image without a prediction, a PNG id missing from `segments_info` or the reverse, an unknown
 * category, a missing folder or PNG), and also duplicate ids, a PNG whose size differs from the
 * ground truth's, and malformed JSON; each error names the file, the image and the segment.
 */
export async function evaluatePanopticFiles(files: PanopticEvalFiles): Promise<PanopticResult> {
  const given = files.categories !== undefined ? readPanopticCategories(files.categories) : undefined;
  const gt = readCocoPanopticJson(files.gtJson, given);
  const categories: PanopticCategory[] | undefined = given ?? gt.categories;
  if (categories === undefined) throw new DetsegInputError('no categories list: give --categories or a ground truth with "categories"', { file: files.gtJson, field: 'categories' });
  const pred = readCocoPanopticJson(files.predJson, categories);
  checkFolder(files.gtDir, 'ground-truth segmentation');
  checkFolder(files.predDir, 'predicted segmentation');
  const predIndex = new Map(pred.annotations.map((a, i) => [a.image_id, i]));
  const gtInfo = imageInfoById(gt);
  const known = new Map(categories.map((c) => [c.id, c]));
  const total = new Map<number, PanopticCategoryCounts>();
  // Every prediction is looked up before any PNG is read: a missing one fails fast.
  gt.annotations.forEach((a, i) => {
    if (!predIndex.has(a.image_id)) throw new DetsegInputError(`${imageLabel(a.image_id)}: no prediction for this image (ground truth annotations[${i}])`, { file: files.predJson, field: 'annotations' });
  });
  for (let i = 0; i < gt.annotations.length; i++) {
    const imageId = gt.annotations[i].image_id;
    const info = gtInfo.get(imageId);
    const g = await readPanopticImage(gt, i, files.gtDir, files.gtJson, info && { width: info.width, height: info.height, from: `${files.gtJson} images` });
    const p = await readPanopticImage(pred, predIndex.get(imageId)!, files.predDir, files.predJson, { width: g.width, height: g.height, from: 'the ground-truth PNG' });
    addPanopticCounts(total, panopticImageCounts({ ...g, source: join(files.gtDir, g.fileName) }, { ...p, source: join(files.predDir, p.fileName) }, known));
  }
  return summarizePanoptic(total, categories);
}
