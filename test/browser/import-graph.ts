import { existsSync, readFileSync } from 'node:fs';
import { dirname, extname, resolve } from 'node:path';

/**
 * A static import-graph walker for ES modules written in TypeScript or JavaScript: from an entry file it
 * follows every relative import and export (`import … from`, `export … from`, `import '…'`, literal
 * `import('…')`) and records, per file, what a browser could not load: `node:` imports, bare specifiers
 * (npm packages or Node built-ins without the prefix), dynamic imports it cannot follow, and uses of
 * Node's globals (`process`, `Buffer`, `require`, `__dirname`, `__filename`). Type-only imports and
 * exports (`import type`, `export type`) are skipped: `tsc` erases them.
 *
 * It reads the text with a small lexer (comments, strings, template literals, regular-expression
 * literals), not a full parser; that is enough for this package's code, whose imports sit at the top of
 * each file.
 */

/** One thing a browser could not load, with the file it is in. */
export interface GraphProblem {
  file: string;
  problem: string;
}

/** The files reached from the entry, the problems found in them, and every non-relative specifier imported. */
export interface ImportGraph {
  files: string[];
  problems: GraphProblem[];
  /** `node:` and bare specifiers (allowed or not), sorted, each once. */
  external: string[];
}

/**
 * Splits source text into `code` (comments and string contents blanked, lengths kept) and a list of
 * string literals with their start offsets, so that specifiers and identifiers can be found without
 * matching text inside comments or strings.
 */
function lex(text: string): { code: string; strings: { start: number; value: string }[] } {
  const out: string[] = [];
  const strings: { start: number; value: string }[] = [];
  // Template literals: stack of brace depths at which a `${` opened (to know where the literal resumes).
  const templateStack: number[] = [];
  let braceDepth = 0;
  let lastSignificant = ''; // last non-space code character, to tell a regex literal from a division
  let lastWord = ''; // the identifier or keyword that ends the code so far ('' after any other character)
  let i = 0;
  const blank = (s: string): string => s.replace(/[^\n]/g, ' ');
  const readTemplate = (from: number): number => {
    // From just after a ` (or a `}` closing `${`) to the closing ` or an opening `${`.
    let j = from;
    while (j < text.length) {
      if (text[j] === '\\') j += 2;
      else if (text[j] === '`') return j + 1;
      else if (text[j] === '$' && text[j + 1] === '{') return j + 2;
      else j++;
    }
    return j;
  };
  while (i < text.length) {
    const c = text[i];
    const next = text[i + 1];
    if (c === '/' && next === '/') {
      const end = text.indexOf('\n', i);
      const stop = end < 0 ? text.length : end;
      out.push(blank(text.slice(i, stop)));
      i = stop;
    } else if (c === '/' && next === '*') {
      const end = text.indexOf('*/', i + 2);
      const stop = end < 0 ? text.length : end + 2;
      out.push(blank(text.slice(i, stop)));
      i = stop;
    } else if (c === "'" || c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== c && text[j] !== '\n') j += text[j] === '\\' ? 2 : 1;
      strings.push({ start: i, value: text.slice(i + 1, j) });
      out.push(c + blank(text.slice(i + 1, j)) + (text[j] ?? ''));
      i = j + 1;
      lastSignificant = c;
    } else if (c === '`' || (c === '}' && templateStack.length > 0 && templateStack[templateStack.length - 1] === braceDepth)) {
      if (c === '}') templateStack.pop();
      const j = readTemplate(i + 1);
      if (text[j - 1] === '{' && text[j - 2] === '$') templateStack.push(braceDepth);
      out.push(c + blank(text.slice(i + 1, j)));
      i = j;
      lastSignificant = '`';
    } else if (c === '/' && (lastSignificant === '' || /[(,=:[!&|?{};+\-*%<>~^]/.test(lastSignificant) || /^(return|typeof|case|do|else|in|of|void|yield|await)$/.test(lastWord))) {
      // A regular-expression literal: to the closing / outside a character class, then its flags.
      let j = i + 1;
      let inClass = false;
      while (j < text.length && text[j] !== '\n') {
        if (text[j] === '\\') j++;
        else if (text[j] === '[') inClass = true;
        else if (text[j] === ']') inClass = false;
        else if (text[j] === '/' && !inClass) break;
        j++;
      }
      j++;
      while (j < text.length && /[a-z]/i.test(text[j])) j++;
      out.push('/' + blank(text.slice(i + 1, j)));
      i = j;
      lastSignificant = 'a';
    } else {
      if (c === '{') braceDepth++;
      else if (c === '}') braceDepth--;
      if (!/\s/.test(c)) {
        const wordChar = /[\w$]/.test(c);
        lastWord = wordChar ? (lastSignificant === 'a' && /[\w$]/.test(text[i - 1] ?? '') ? lastWord + c : c) : '';
        lastSignificant = wordChar ? 'a' : c;
      }
      out.push(c);
      i++;
    }
  }
  return { code: out.join(''), strings };
}

/** The string literal starting at `offset` of the lexed text (the specifier of an import). */
function stringAt(strings: { start: number; value: string }[], offset: number): string | undefined {
  return strings.find((s) => s.start === offset)?.value;
}

/** 1-based line number of an offset. */
function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/**
 * Static and dynamic module specifiers of one file (type-only ones left out unless `keepTypeOnly`, for
 * a graph of what the code depends on rather than what runs), and its problems.
 */
export function scanModule(text: string, keepTypeOnly = false): { specifiers: string[]; problems: string[] } {
  const { code, strings } = lex(text);
  const specifiers: string[] = [];
  const problems: string[] = [];
  // `import … from '…'` / `export … from '…'` (no `;` or string between the keyword and `from`), and
  // side-effect `import '…'`. Statements start a line or follow `;`.
  const fromRe = /(^|[;\n])\s*(import|export)(\s+type\b)?([^;'"`]*?)\bfrom\s*(['"])/g;
  for (let m = fromRe.exec(code); m; m = fromRe.exec(code)) {
    const quote = m.index + m[0].length - 1;
    const spec = stringAt(strings, quote);
    // `import type {…}` and `export type {…}` are erased; so is `import { type A, type B }` (all type-only).
    const names = m[4].trim();
    const allTypes = /^\{[\s\S]*\}$/.test(names) && names.slice(1, -1).split(',').filter((n) => n.trim() !== '').every((n) => /^\s*type\s/.test(n));
    if (spec !== undefined && (keepTypeOnly || (!m[3] && !(allTypes && names !== '{}')))) specifiers.push(spec);
  }
  const bareRe = /(^|[;\n])\s*import\s*(['"])/g;
  for (let m = bareRe.exec(code); m; m = bareRe.exec(code)) {
    const spec = stringAt(strings, m.index + m[0].length - 1);
    if (spec !== undefined) specifiers.push(spec);
  }
  const dynamicRe = /(?<![\w$.])import\s*\(\s*(['"`]?)/g;
  for (let m = dynamicRe.exec(code); m; m = dynamicRe.exec(code)) {
    const spec = m[1] === "'" || m[1] === '"' ? stringAt(strings, m.index + m[0].length - 1) : undefined;
    if (spec !== undefined) specifiers.push(spec);
    else problems.push(`dynamic import( ) of a computed specifier (line ${lineAt(code, m.index)})`);
  }
  const globalsRe = /(?<![\w$.])(process|Buffer|require|__dirname|__filename)(?![\w$])/g;
  for (let m = globalsRe.exec(code); m; m = globalsRe.exec(code)) {
    problems.push(`uses Node's global \`${m[1]}\` (line ${lineAt(code, m.index)})`);
  }
  return { specifiers, problems };
}

/**
 * Walks the import graph from `entry` (an absolute `.ts` or `.js` path). Relative specifiers are
 * resolved from the importing file; in TypeScript sources a `.js` specifier names the `.ts` file beside
 * it, as under `NodeNext`. Every `node:` import and every bare specifier not in `allowedBare` is a
 * problem, as is a relative import whose file does not exist.
 */
export function walkImportGraph(entry: string, allowedBare: readonly string[] = []): ImportGraph {
  const seen = new Set<string>();
  const problems: GraphProblem[] = [];
  const external = new Set<string>();
  const queue = [resolve(entry)];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const scan = scanModule(readFileSync(file, 'utf8'));
    for (const problem of scan.problems) problems.push({ file, problem });
    for (const spec of scan.specifiers) {
      const relative = spec.startsWith('./') || spec.startsWith('../') || spec.startsWith('/');
      if (!relative) external.add(spec);
      if (spec.startsWith('node:')) {
        problems.push({ file, problem: `imports '${spec}' (Node only)` });
      } else if (relative) {
        let target = resolve(dirname(file), spec);
        if (extname(file) === '.ts' && extname(target) === '.js') target = target.slice(0, -3) + '.ts';
        if (existsSync(target)) queue.push(target);
        else problems.push({ file, problem: `imports '${spec}', which does not exist` });
      } else if (!allowedBare.includes(spec)) {
        problems.push({ file, problem: `imports the bare specifier '${spec}' (a browser cannot resolve it without an import map)` });
      }
    }
  }
  return { files: [...seen].sort(), problems, external: [...external].sort() };
}
