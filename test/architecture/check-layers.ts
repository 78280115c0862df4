import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { scanModule } from '../browser/import-graph.js';

/**
 * The import graph of a source folder and the two rules of its layering: no import from a lower layer
 * to a higher one, no loop of imports between files. Every import counts: static `import` and
 * `export … from` (type-only ones too: they tie the files together as much as any other) and
 * `import()` of a string literal.
 */

/** Relative paths (with `/`) of the `.ts` files below `root`, sorted. */
export function sourceFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) out.push(relative(root, path).split(sep).join('/'));
    }
  };
  walk(root);
  return out.sort();
}

/** File → the files it imports (relative paths below `root`; imports leaving `root` keep their `../` path). */
export function importGraph(root: string, files = sourceFiles(root)): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const targets: string[] = [];
    for (const spec of scanModule(readFileSync(join(root, file), 'utf8'), true).specifiers) {
      if (!spec.startsWith('./') && !spec.startsWith('../')) continue;
      let target = resolve(root, dirname(file), spec);
      if (target.endsWith('.js') && !existsSync(target)) target = target.slice(0, -3) + '.ts';
      targets.push(relative(root, target).split(sep).join('/'));
    }
    graph.set(file, [...new Set(targets)].sort());
  }
  return graph;
}

/**
 * The index in `layers` of the entry that holds `file` (see `layers.ts` for the entry forms), or -1
 * when none does. A named folder or file wins over a `models/*` or `models/*.ts` pattern.
 */
export function layerOf(file: string, layers: readonly string[]): number {
  let best = -1;
  let bestLength = -1;
  layers.forEach((entry, index) => {
    if (entry.endsWith('/*.ts')) {
      const folder = entry.slice(0, -4);
      if (file.startsWith(folder) && !file.slice(folder.length).includes('/') && bestLength < 0) best = index;
    } else if (entry.endsWith('/*')) {
      const folder = entry.slice(0, -1);
      if (file.startsWith(folder) && file.slice(folder.length).includes('/') && bestLength < 0) best = index;
    } else if ((file === entry || file.startsWith(entry + '/')) && entry.length > bestLength) {
      best = index;
      bestLength = entry.length;
    }
  });
  return best;
}

/** Every import that breaks the layering, and every file no layer holds, one line each. */
export function layerViolations(graph: Map<string, string[]>, layers: readonly string[]): string[] {
  const problems: string[] = [];
  for (const [file, targets] of graph) {
    const from = layerOf(file, layers);
    if (from < 0) {
      problems.push(`${file}: in no layer`);
      continue;
    }
    for (const target of targets) {
      if (target.startsWith('../')) {
        problems.push(`${file} imports ${target}, outside the source folder`);
        continue;
      }
      const to = layerOf(target, layers);
      if (to > from) problems.push(`${file} (layer ${layers[from]}) imports ${target} (layer ${layers[to]}, higher)`);
    }
  }
  return problems;
}

/** The import loops: each set of two or more files that reach each other (a strongly connected component), files sorted. */
export function importLoops(graph: Map<string, string[]>): string[][] {
  // Tarjan's algorithm, iterative (the graph may be deep)
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const loops: string[][] = [];
  let counter = 0;
  for (const start of graph.keys()) {
    if (index.has(start)) continue;
    const work: { file: string; next: number }[] = [{ file: start, next: 0 }];
    index.set(start, counter);
    low.set(start, counter++);
    stack.push(start);
    onStack.add(start);
    while (work.length > 0) {
      const top = work[work.length - 1];
      const targets = (graph.get(top.file) ?? []).filter((t) => graph.has(t));
      if (top.next < targets.length) {
        const t = targets[top.next++];
        if (!index.has(t)) {
          index.set(t, counter);
          low.set(t, counter++);
          stack.push(t);
          onStack.add(t);
          work.push({ file: t, next: 0 });
        } else if (onStack.has(t)) low.set(top.file, Math.min(low.get(top.file)!, index.get(t)!));
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1].file;
        low.set(parent, Math.min(low.get(parent)!, low.get(top.file)!));
      }
      if (low.get(top.file) === index.get(top.file)) {
        const component: string[] = [];
        let f: string;
        do {
          f = stack.pop()!;
          onStack.delete(f);
          component.push(f);
        } while (f !== top.file);
        if (component.length > 1) loops.push(component.sort());
      }
    }
  }
  return loops;
}
