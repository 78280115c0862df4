import { mulberry32 } from '../../src/util/random.js';

/**
 * Seeded mutators shared by every fuzz target: byte-level edits (flip, overwrite, insert, delete,
 * duplicate, splice of another seed, truncate) and text-level edits that plant the values readers meet
 * in hostile files (huge, negative, non-finite and hexadecimal numbers, empty fields, line breaks,
 * control characters, XML declarations and deep nesting, JSON of the wrong type).
 */

/** A seeded source of choices. */
export class Chooser {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  /** A float in [0, 1). */
  float(): number {
    return this.next();
  }
  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  /** One element of `items`. */
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }
}

/** Tokens planted by the text mutators. */
export const HOSTILE_TOKENS = [
  '0', '-1', '-0', '1e300', '-1e300', '2.2e8', '4294967296', '9007199254740993', '1e-320', 'NaN', 'Infinity', '-Infinity', 'nan', 'inf',
  '0x1F4', '0b11', '1_000', '', ' ', '\t', '\n', '\r\n', '\u0000', '\ufeff', '\u202e', 'é', '"', "'", '\\', ',', ':', '#', '-', '[', ']', '{', '}',
  'null', 'true', '[]', '{}', '<', '>', '&', '&amp;', '&x;', '<!DOCTYPE a>', '<!ENTITY x SYSTEM "file:///etc/passwd">', '<![CDATA[x]]>', '<?xml?>',
  '<object>', '</object>', '<a><b><c>', '%', '*', '&anchor', '!tag',
];

/** One random byte-level edit of `bytes` (a new array). `others` may be spliced in. */
export function mutateBytes(bytes: Uint8Array, c: Chooser, others: readonly Uint8Array[] = []): Uint8Array {
  const n = bytes.length;
  const at = n === 0 ? 0 : c.int(n);
  const interesting = [0x00, 0x01, 0x7f, 0x80, 0xff, 0x20, 0x0a, 0x22, 0x2d, 0x30, 0x39, 0x3c, 0x3e, 0x5c];
  switch (c.int(8)) {
    case 0: { // flip one bit
      const out = bytes.slice();
      if (n) out[at] ^= 1 << c.int(8);
      return out;
    }
    case 1: { // overwrite with an interesting byte (or a run of them)
      const out = bytes.slice();
      const len = 1 + c.int(4);
      const b = c.pick(interesting);
      for (let i = at; i < Math.min(n, at + len); i++) out[i] = c.chance(0.5) ? b : c.int(256);
      return out;
    }
    case 2: { // insert bytes
      const len = 1 + c.int(8);
      const ins = Uint8Array.from({ length: len }, () => (c.chance(0.5) ? c.pick(interesting) : c.int(256)));
      return concat(bytes.subarray(0, at), ins, bytes.subarray(at));
    }
    case 3: { // delete a range
      const len = 1 + c.int(Math.max(1, Math.min(64, n >> 2)));
      return concat(bytes.subarray(0, at), bytes.subarray(Math.min(n, at + len)));
    }
    case 4: { // duplicate a chunk
      const len = 1 + c.int(Math.max(1, Math.min(256, n - at)));
      const chunk = bytes.subarray(at, at + len);
      return concat(bytes.subarray(0, at), chunk, chunk, bytes.subarray(at + len));
    }
    case 5: { // splice part of another seed
      if (others.length === 0) return mutateBytes(bytes, c);
      const o = c.pick(others);
      const from = o.length ? c.int(o.length) : 0;
      return concat(bytes.subarray(0, at), o.subarray(from, from + 1 + c.int(256)), bytes.subarray(at));
    }
    case 6: // truncate
      return bytes.slice(0, at);
    default: { // write a 16/32-bit extreme value (lengths, sizes, offsets in binary headers)
      const out = bytes.slice();
      const v = c.pick([0, 1, 0xffff, 0x7fff, 0x8000, 0xffffffff, 0x7fffffff, 0x80000000, 2 + c.int(100)]);
      const view = new DataView(out.buffer);
      if (at + 4 <= n) c.chance(0.5) ? view.setUint32(at, v >>> 0, c.chance(0.5)) : view.setUint16(at, v & 0xffff, c.chance(0.5));
      return out;
    }
  }
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Spans of `text` that are numbers, words or single punctuation marks. */
const TOKEN = /-?\d+(\.\d+)?([eE][-+]?\d+)?|[A-Za-z_]+|[^\sA-Za-z0-9_]/g;

/** A token of `text` at or after a random position (a number with probability `numberBias` when one follows), or none. */
function tokenNear(text: string, c: Chooser, numberBias = 0): RegExpExecArray | null {
  const re = new RegExp(c.chance(numberBias) ? /-?\d+(\.\d+)?([eE][-+]?\d+)?/g : TOKEN);
  re.lastIndex = c.int(text.length + 1);
  return re.exec(text) ?? ((re.lastIndex = 0), re.exec(text));
}

/** One random text-level edit of `text`: replace, insert, delete or duplicate a token or a line, or nest. */
export function mutateText(text: string, c: Chooser): string {
  switch (c.int(6)) {
    case 0:
    case 1: { // replace a token (numbers most often) with a hostile one
      const t = tokenNear(text, c, 0.7);
      if (!t) return text + c.pick(HOSTILE_TOKENS);
      return text.slice(0, t.index) + c.pick(HOSTILE_TOKENS) + text.slice(t.index + t[0].length);
    }
    case 2: { // insert a hostile token anywhere
      const at = c.int(text.length + 1);
      return text.slice(0, at) + c.pick(HOSTILE_TOKENS) + text.slice(at);
    }
    case 3: { // delete or duplicate a line
      const start = text.lastIndexOf('\n', c.int(text.length + 1)) + 1;
      const stop = text.indexOf('\n', start);
      const end = stop < 0 ? text.length : stop + 1;
      return c.chance(0.5) ? text.slice(0, start) + text.slice(end) : text.slice(0, end) + text.slice(start, end) + text.slice(end);
    }
    case 4: { // delete a token
      const t = tokenNear(text, c);
      return t ? text.slice(0, t.index) + text.slice(t.index + t[0].length) : text;
    }
    default: { // deep nesting or a long run (resource use)
      const at = c.int(text.length + 1);
      const depth = c.chance(0.1) ? 20000 : c.pick([40, 1000]);
      const open = c.pick(['<a>', '[', '{"a":', '- ']);
      const close = open === '<a>' ? '</a>' : open === '[' ? ']' : open === '- ' ? '' : '}';
      return text.slice(0, at) + open.repeat(depth) + close.repeat(depth) + text.slice(at);
    }
  }
}

/** Interesting replacement values for a JSON mutation. */
const JSON_VALUES: unknown[] = [0, -1, -0.5, 1e300, -1e300, 2.2e8, 4e8 + 1, 2 ** 32, 0.5, 1.5, '', '1', 'a b', null, true, [], {}, [[]], [0, 0], [1, 2, 3], [0, 0, 1e9, 0, 1e9, 1e9], { size: [2, 2], counts: '0;' }, { size: [1e5, 1e5], counts: [1e10] }];

/**
 * One random structural edit of parsed JSON `value` (a deep copy is changed): a value replaced, a key
 * removed, a list entry duplicated or removed, or a key's value swapped for another's.
 */
export function mutateJson(value: unknown, c: Chooser): unknown {
  const copy = JSON.parse(JSON.stringify(value)) as unknown;
  const slots: { parent: Record<string, unknown> | unknown[]; key: string | number }[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach((x, i) => (slots.push({ parent: v, key: i }), walk(x)));
    else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) (slots.push({ parent: v as Record<string, unknown>, key: k }), walk(x));
  };
  walk(copy);
  if (slots.length === 0) return c.pick(JSON_VALUES);
  const s = c.pick(slots);
  const parent = s.parent as Record<string | number, unknown>;
  switch (c.int(5)) {
    case 0:
    case 1:
      parent[s.key] = c.pick(JSON_VALUES);
      break;
    case 2:
      if (Array.isArray(s.parent)) s.parent.splice(s.key as number, 1);
      else delete parent[s.key];
      break;
    case 3:
      if (Array.isArray(s.parent)) s.parent.splice(s.key as number, 0, JSON.parse(JSON.stringify(s.parent[s.key as number] ?? null)));
      else parent[s.key] = typeof parent[s.key] === 'number' ? -(parent[s.key] as number) : String(parent[s.key]);
      break;
    default: {
      const other = c.pick(slots);
      parent[s.key] = JSON.parse(JSON.stringify((other.parent as Record<string | number, unknown>)[other.key] ?? null));
    }
  }
  return copy;
}
