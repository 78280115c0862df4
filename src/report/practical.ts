import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { checkReplaceableDir } from '../data/output-dir.js';
import { join } from 'node:path';
import { initEngine } from '../engine/setup.js';
import { trainShippedDetectors } from '../pipeline/shipped-chain.js';
import { trainShippedRuns } from '../pipeline/shipped-runs.js';
import { trainShippedSegmentation } from '../pipeline/shipped-segmentation.js';
import { writeDirAtomic } from '../util/atomic.js';
import { ReportContext, renderReport, type ReportSection } from './report.js';
import { anchorsSection } from './sections/anchors.js';
import { classlocSection } from './sections/classloc.js';
import { dataSection } from './sections/data.js';
import { detectorsSection } from './sections/detectors.js';
import { evaluationSection } from './sections/evaluation.js';
import { iouSection } from './sections/iou.js';
import { nmsSection } from './sections/nms.js';
import { lvSection } from './sections/lv.js';
import { segmentationFamiliesSection } from './sections/segmentation-families.js';
import { photosSection } from './sections/photos.js';
import { panopticSection } from './sections/panoptic.js';
import { singleStageSection } from './sections/single-stage.js';
import { detrSection } from './sections/detr.js';

/** A section builder of the practical report. */
export type SectionBuilder = (ctx: ReportContext) => Promise<ReportSection>;

/**
 * The sections of the practical session, in lecture order. Each lives in `src/report/sections/`.
 */
export async function practicalSections(): Promise<SectionBuilder[]> {
  return [iouSection, classlocSection, nmsSection, anchorsSection, evaluationSection, detectorsSection, singleStageSection, detrSection, panopticSection, photosSection, dataSection, lvSection, segmentationFamiliesSection];
}

/** Options of {@link runPractical}. */
export interface PracticalOptions {
  /** Output folder (replaced atomically). */
  out: string;
  /** Train every model from scratch instead of loading the shipped checkpoints (the detectors' chain into `out/checkpoints/`). */
  retrain?: boolean;
  /** Smaller workloads (for tests). */
  quick?: boolean;
  log?: (line: string) => void;
  /** Replace `out` even when it holds files an earlier report did not write. */
  overwrite?: boolean;
  /** The sections to run (default {@link practicalSections}). */
  sections?: SectionBuilder[];
}

/**
 * Marker file of a report folder: it lists the entries the report wrote, so a later run replaces the
 * folder only when it holds nothing else (a user's notes in it are not deleted).
 */
export const REPORT_MARKER = '.detseg-report';

/**
 * Checks that `out` may be replaced by a new report: absent, empty, or an earlier report (its
 * {@link REPORT_MARKER} lists every entry it holds). Anything else needs `overwrite`; otherwise a
 * {@link DetsegInputError} names the folder and the first foreign entries.
 */
export function checkReportFolder(out: string, overwrite = false): void {
  let written = new Set<string>();
  try {
    written = new Set(readFileSync(join(out, REPORT_MARKER), 'utf8').split('\n').filter((l) => l !== ''));
  } catch {
    /* no marker: not a report folder */
  }
  checkReplaceableDir(out, (name) => name === REPORT_MARKER || written.has(name), overwrite);
}

/** Runs the practical session and writes `out/index.html` with its figures. Returns the section titles. */
export async function runPractical(opts: PracticalOptions): Promise<string[]> {
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  checkReportFolder(opts.out, opts.overwrite);
  const builders = opts.sections ?? (await practicalSections());
  const titles: string[] = [];
  await writeDirAtomic(opts.out, async (dir) => {
    const ctx = new ReportContext(dir, { retrain: !!opts.retrain, quick: !!opts.quick, log });
    if (opts.retrain) {
      // every detector from scratch, the shipped chain (hours; --quick: a few steps per stage), into the report's checkpoints/
      const t0 = performance.now();
      await initEngine();
      const trained = trainShippedDetectors(join(dir, 'checkpoints'), { quick: !!opts.quick, log });
      for (const [which, path] of Object.entries(trained)) ctx.checkpoints.set(which, path);
      for (const [which, path] of Object.entries(await trainShippedRuns(join(dir, 'checkpoints'), { quick: !!opts.quick, log }))) ctx.checkpoints.set(which, path);
      log(`practical: detectors trained (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
      for (const [which, path] of Object.entries(await trainShippedSegmentation(join(dir, 'checkpoints'), { quick: !!opts.quick, log }))) ctx.checkpoints.set(which, path);
    }
    const sections: ReportSection[] = [];
    for (const build of builders) {
      const t0 = performance.now();
      const section = await build(ctx);
      log(`practical: ${section.title} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
      sections.push(section);
      titles.push(section.title);
    }
    const intro = 'The practical session of the object detection and segmentation lecture, run end to end by <code>detseg practical</code>.';
    writeFileSync(join(dir, 'index.html'), renderReport('detseg — practical session', intro, sections));
    writeFileSync(join(dir, REPORT_MARKER), `${readdirSync(dir).filter((n) => n !== REPORT_MARKER).sort().join('\n')}\n`);
  }, '--out');
  return titles;
}
