import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { escapeXml } from '../viz/svg.js';

/** One section of an HTML report: a title and its HTML body (figures referenced by file name). */
export interface ReportSection {
  id: string;
  title: string;
  html: string;
}

/**
 * Where a report is being written: sections add figure files (SVG, PNG) into `dir` through
 * {@link ReportContext.figure}, which returns the relative name to use in `<img src>`.
 */
export class ReportContext {
  readonly figures: string[] = [];
  /** Checkpoints trained in this run (`--retrain`), by name (e.g. 'faster-rcnn'); sections fall back to the shipped ones. */
  readonly checkpoints = new Map<string, string>();

  constructor(
    /** Folder being filled (a temporary folder, renamed into place when the report is complete). */
    readonly dir: string,
    /** Options of the practical run, e.g. whether to retrain from scratch. */
    readonly options: { retrain: boolean; quick: boolean; log: (line: string) => void },
  ) {}

  /** Writes a figure file and returns its relative name. */
  figure(name: string, content: string | Uint8Array): string {
    if (!/^[A-Za-z0-9._-]+$/.test(name)) throw new Error(`bad figure name: ${name}`);
    writeFileSync(join(this.dir, name), content);
    this.figures.push(name);
    return name;
  }
}

/** An `<img>` with a caption, for a figure written through {@link ReportContext.figure}. */
export function figureHtml(src: string, caption: string, width?: number): string {
  return `<figure><img src="${escapeXml(src)}"${width ? ` width="${width}"` : ''} alt="${escapeXml(caption)}"><figcaption>${escapeXml(caption)}</figcaption></figure>`;
}

const STYLE = `body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222;line-height:1.45}
h1{border-bottom:2px solid #0072B2}h2{margin-top:2em;border-bottom:1px solid #ccc}
figure{display:inline-block;margin:.5em 1em .5em 0;vertical-align:top}figcaption{font-size:.85em;color:#555;max-width:520px}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:.25em .6em;text-align:right}th{background:#f3f6fa}
code{background:#f4f4f4;padding:0 .2em}nav a{margin-right:1em}.note{color:#555;font-size:.9em}`;

/** The whole HTML page of a report. */
export function renderReport(title: string, intro: string, sections: ReportSection[]): string {
  const nav = sections.map((s) => `<a href="#${escapeXml(s.id)}">${escapeXml(s.title)}</a>`).join('');
  const body = sections.map((s) => `<section id="${escapeXml(s.id)}"><h2>${escapeXml(s.title)}</h2>\n${s.html}\n</section>`).join('\n');
  return `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>${escapeXml(title)}</title><style>${STYLE}</style></head>\n<body><h1>${escapeXml(title)}</h1>\n<p>${intro}</p>\n<nav>${nav}</nav>\n${body}\n</body></html>\n`;
}
