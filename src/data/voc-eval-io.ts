import { DetsegInputError } from '../util/errors.js';

/**
 * Readers for the plain-text box files of VOC-style evaluation tools (Padilla's Object-Detection-Metrics,
 * Cartucho's mAP), one file per image:
 * - ground truth: `<class> <left> <top> <width> <height> [<difficult>]`, where the optional difficult
 *   flag is `0`, `1` or the word `difficult`;
 * - detections: `<class> <confidence> <left> <top> <width> <height>`, or `<… right> <bottom>` in xyxy.
 * Fields are separated by spaces or tabs; blank lines are skipped. Coordinates are absolute pixels.
 * The class is a name, or an integer id mapped through a names list when one is given.
 */

/** Layout of the last four numbers of a line: `xywh` (left, top, width, height) or `xyxy` (left, top, right, bottom). */
export type TextBoxFormat = 'xywh' | 'xyxy';

/** Boxes read from one text file. Arrays have one entry per box, `[N]` (boxes `[N,4]`). */
export interface TextBoxes {
  /** Class name of each box. */
  classNames: string[];
  /** `Float64Array [N,4]` xyxy pixels (xywh input is converted: x2 = x + w, y2 = y + h). */
  boxes: Float64Array;
  /** `Float64Array [N]` confidences (detections only; empty for ground truth). */
  scores: Float64Array;
  /** `Uint8Array [N]` difficult flags (ground truth only; zeros for detections). */
  difficult: Uint8Array;
}

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Parses a finite decimal number (`12`, `-3.5`, `.88`, `1e3`; not `NaN`, `inf`, `0x10` or an empty text),
 * or throws a {@link DetsegInputError} at `where` (file and field).
 */
export function parseFiniteDecimal(token: string, where: { file?: string; field?: string }): number {
  const v = DECIMAL.test(token.trim()) ? Number(token.trim()) : Number.NaN;
  if (!Number.isFinite(v)) throw new DetsegInputError(`'${token}' is not a finite number`, where);
  return v;
}

function parseNumber(token: string, file: string, line: number, field: string): number {
  return parseFiniteDecimal(token, { file: `${file}:${line}`, field });
}

/** Maps a class token through `names` when it is an integer id and names are given. */
function className(token: string, names: readonly string[] | undefined, file: string, line: number): string {
  if (names && /^\d+$/.test(token)) {
    const id = Number(token);
    if (id >= names.length) throw new DetsegInputError(`class id ${id} is outside the names list (${names.length} names)`, { file: `${file}:${line}`, field: 'class' });
    return names[id];
  }
  return token;
}

function parseLines(text: string, file: string, kind: 'gt' | 'dt', format: TextBoxFormat, names?: readonly string[]): TextBoxes {
  if (format !== 'xywh' && format !== 'xyxy') throw new DetsegInputError(`unknown box format '${format}' (expected xywh or xyxy)`, { field: 'format' });
  const classNames: string[] = [];
  const coords: number[] = [];
  const scores: number[] = [];
  const difficult: number[] = [];
  const lines = text.split(/\r?\n/);
  const layout = kind === 'gt' ? '<class> <left> <top> <width> <height> [<difficult>]' : `<class> <confidence> <left> <top> ${format === 'xywh' ? '<width> <height>' : '<right> <bottom>'}`;
  for (let i = 0; i < lines.length; i++) {
    const tokens = lines[i].trim().split(/\s+/).filter((t) => t !== '');
    if (tokens.length === 0) continue;
    const ln = i + 1;
    const expected = kind === 'gt' ? tokens.length === 5 || tokens.length === 6 : tokens.length === 6;
    if (!expected) throw new DetsegInputError(`expected '${layout}', got ${tokens.length} fields: '${lines[i].trim()}'`, { file: `${file}:${ln}` });
    classNames.push(className(tokens[0], names, file, ln));
    let k = 1;
    if (kind === 'dt') {
      scores.push(parseNumber(tokens[1], file, ln, 'confidence'));
      k = 2;
    }
    const [f3, f4] = format === 'xywh' ? ['width', 'height'] : ['right', 'bottom'];
    const x = parseNumber(tokens[k], file, ln, 'left');
    const y = parseNumber(tokens[k + 1], file, ln, 'top');
    const c = parseNumber(tokens[k + 2], file, ln, f3);
    const d = parseNumber(tokens[k + 3], file, ln, f4);
    if (format === 'xywh') {
      if (c < 0 || d < 0) throw new DetsegInputError(`negative width or height (${c} × ${d})`, { file: `${file}:${ln}`, field: 'width/height' });
      coords.push(x, y, x + c, y + d);
    } else {
      if (c < x || d < y) throw new DetsegInputError(`right/bottom (${c}, ${d}) before left/top (${x}, ${y})`, { file: `${file}:${ln}`, field: 'right/bottom' });
      coords.push(x, y, c, d);
    }
    if (kind === 'gt') {
      const flag = tokens[5];
      if (flag === undefined || flag === '0') difficult.push(0);
      else if (flag === '1' || flag.toLowerCase() === 'difficult') difficult.push(1);
      else throw new DetsegInputError(`expected 0, 1 or 'difficult', got '${flag}'`, { file: `${file}:${ln}`, field: 'difficult' });
    }
  }
  const n = classNames.length;
  return {
    classNames,
    boxes: Float64Array.from(coords),
    scores: Float64Array.from(scores),
    difficult: kind === 'gt' ? Uint8Array.from(difficult) : new Uint8Array(n),
  };
}

/**
 * Parses a ground-truth text file (see the file comment). `file` names the source in error messages;
 * `format` is the layout of the 4 numbers (default xywh); `names` maps integer class ids to names.
 */
export function parseGroundTruthText(text: string, file: string, format: TextBoxFormat = 'xywh', names?: readonly string[]): TextBoxes {
  return parseLines(text, file, 'gt', format, names);
}

/**
 * Parses a detection text file (see the file comment). `file` names the source in error messages;
 * `format` is the layout of the 4 numbers (default xywh); `names` maps integer class ids to names.
 */
export function parseDetectionText(text: string, file: string, format: TextBoxFormat = 'xywh', names?: readonly string[]): TextBoxes {
  return parseLines(text, file, 'dt', format, names);
}

/** Parses a names file (`voc.names`, `obj.names`): one class name per non-blank line, in id order. */
export function parseNamesText(text: string, file: string): string[] {
  const names = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '');
  if (names.length === 0) throw new DetsegInputError('holds no class name', { file });
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n)) throw new DetsegInputError(`class name '${n}' appears twice`, { file });
    seen.add(n);
  }
  return names;
}
