import { DetsegInputError } from '../util/errors.js';

/**
 * The ultralytics YOLO data YAML, as a flat subset of YAML that this module reads and writes itself
 * (no YAML dependency): `key: scalar` lines (`path`, `train`, `val`, `test`, `nc`, …), `#` comments,
 * single- or double-quoted scalars, and `names` given as an indented map (`  0: person`), an indented
 * list (`  - person`) or a flow list (`names: [person, bicycle]`). Anything else (anchors, nested maps
 * other than `names`, multi-line scalars) is rejected with the line number.
 */
export interface YoloDataYaml {
  path?: string;
  train?: string;
  val?: string;
  test?: string;
  /** Class names, index = YOLO class id. */
  names: string[];
  /** Other scalar keys, as text. */
  extra: Record<string, string>;
}

function stripComment(line: string): string {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(line[i - 1]))) return line.slice(0, i);
  }
  return line;
}

function unquote(text: string, file: string, lineNo: number): string {
  const t = text.trim();
  if (t.length >= 2 && ((t[0] === '"' && t.at(-1) === '"') || (t[0] === "'" && t.at(-1) === "'"))) {
    const inner = t.slice(1, -1);
    return t[0] === "'" ? inner.replace(/''/g, "'") : inner.replace(/\\"/g, '"').replace(/\\\\/g, '\\');
  }
  if (/^[&*!|>]/.test(t)) throw new DetsegInputError(`line ${lineNo}: YAML feature not supported in a data file: ${JSON.stringify(t)}`, { file });
  return t;
}

function splitFlowList(body: string, file: string, lineNo: number): string[] {
  const items: string[] = [];
  let cur = '';
  let quote: string | undefined;
  for (const c of body) {
    if (quote) {
      cur += c;
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") {
      cur += c;
      quote = c;
    } else if (c === ',') {
      items.push(cur);
      cur = '';
    } else cur += c;
  }
  if (quote) throw new DetsegInputError(`line ${lineNo}: unterminated quote in a list`, { file });
  if (cur.trim() !== '' || items.length > 0) items.push(cur);
  return items.map((s) => unquote(s, file, lineNo));
}

/** Parses YOLO data YAML text (see {@link YoloDataYaml}); errors name `file` and the line. */
export function parseYoloYaml(text: string, file = '<data yaml>'): YoloDataYaml {
  const out: YoloDataYaml = { names: [], extra: {} };
  const lines = text.split(/\r?\n/);
  let namesBlock = false;
  const mapNames = new Map<number, string>();
  const listNames: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const line = stripComment(lines[i]).replace(/\s+$/, '');
    if (line.trim() === '') continue;
    const indented = /^\s/.test(line);
    if (indented) {
      if (!namesBlock) throw new DetsegInputError(`line ${lineNo}: unexpected indented line (only \`names\` may have a block)`, { file });
      const item = line.trim();
      if (item.startsWith('- ') || item === '-') {
        listNames.push(unquote(item.slice(1), file, lineNo));
        continue;
      }
      const m = /^(\d+)\s*:\s*(.*)$/.exec(item);
      if (!m) throw new DetsegInputError(`line ${lineNo}: expected \`<index>: <name>\` or \`- <name>\` under names, got ${JSON.stringify(item)}`, { file });
      const idx = Number(m[1]);
      if (mapNames.has(idx)) throw new DetsegInputError(`line ${lineNo}: class index ${idx} given twice`, { file });
      mapNames.set(idx, unquote(m[2], file, lineNo));
      continue;
    }
    namesBlock = false;
    const m = /^([A-Za-z_][\w-]*)\s*:(.*)$/.exec(line);
    if (!m) throw new DetsegInputError(`line ${lineNo}: expected \`key: value\`, got ${JSON.stringify(line)}`, { file });
    const [, key, rest] = m;
    const value = rest.trim();
    if (key === 'names') {
      if (value === '') namesBlock = true;
      else if (value.startsWith('[') && value.endsWith(']')) listNames.push(...splitFlowList(value.slice(1, -1), file, lineNo));
      else throw new DetsegInputError(`line ${lineNo}: names must be a block or a [flow, list]`, { file });
      continue;
    }
    const scalar = unquote(value, file, lineNo);
    if (key === 'path' || key === 'train' || key === 'val' || key === 'test') out[key] = scalar;
    else out.extra[key] = scalar;
  }
  if (listNames.length > 0 && mapNames.size > 0) throw new DetsegInputError('names mixes a list and a map', { file, field: 'names' });
  if (mapNames.size > 0) {
    for (let k = 0; k < mapNames.size; k++) {
      if (!mapNames.has(k)) throw new DetsegInputError(`class indices must be 0..${mapNames.size - 1}; ${k} is missing`, { file, field: 'names' });
      out.names.push(mapNames.get(k)!);
    }
  } else out.names = listNames;
  if (out.names.length === 0) throw new DetsegInputError('no class names', { file, field: 'names' });
  if (out.extra.nc !== undefined && Number(out.extra.nc) !== out.names.length) {
    throw new DetsegInputError(`nc is ${out.extra.nc} but ${out.names.length} names are given`, { file, field: 'nc' });
  }
  return out;
}

function quoteIfNeeded(s: string): string {
  return /^[\w./ -]+$/.test(s) && s.trim() === s && !/^[-\d.]/.test(s) && !/: /.test(s) ? s : `'${s.replace(/'/g, "''")}'`;
}

/**
 * YOLO data YAML text: scalar keys, then `names` as an indented `index: name` map. A value holding a
 * line break or another control character cannot be written as a one-line scalar (the file would not
 * read back): it throws a {@link DetsegInputError} naming the field (`names[3]`).
 */
export function formatYoloYaml(data: Omit<YoloDataYaml, 'extra'> & { extra?: Record<string, string> }): string {
  const check = (value: string, field: string) => {
    if (/[\u0000-\u001f\u007f]/.test(value)) throw new DetsegInputError(`${JSON.stringify(value)} holds a line break or control character, which a data.yaml value cannot hold`, { field });
    if (value.trim() === '') throw new DetsegInputError('is empty', { field });
  };
  data.names.forEach((n, i) => check(n, `names[${i}]`));
  for (const key of ['path', 'train', 'val', 'test'] as const) if (data[key] !== undefined) check(data[key]!, key);
  for (const [k, v] of Object.entries(data.extra ?? {})) check(v, k);
  const lines: string[] = ['# YOLO data file written by detseg'];
  for (const key of ['path', 'train', 'val', 'test'] as const) if (data[key] !== undefined) lines.push(`${key}: ${quoteIfNeeded(data[key]!)}`);
  for (const [k, v] of Object.entries(data.extra ?? {})) if (k !== 'nc') lines.push(`${k}: ${quoteIfNeeded(v)}`);
  lines.push(`nc: ${data.names.length}`, 'names:');
  data.names.forEach((n, i) => lines.push(`  ${i}: ${quoteIfNeeded(n)}`));
  return `${lines.join('\n')}\n`;
}
