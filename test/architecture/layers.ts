/**
 * The layers of `src/`, bottom-up: a file may import from its own layer and from layers below it,
 * never from one above. `docs/architecture.md` shows the same order (a test checks it).
 *
 * An entry names a folder (`nms`: every file below `src/nms/`), a file (`index.ts`), or, under
 * `models/`, a pattern: `models/*` is every sub-folder not named on its own (the model families) and
 * `models/*.ts` every file directly in `src/models/` not named on its own (what loads or trains several
 * families). The most specific entry decides: a named folder or file before a pattern.
 */
export const LAYERS: readonly string[] = [
  'util',
  'ops',
  'viz',
  'boxes',
  'matching',
  'masks',
  'nms',
  'anchors',
  'roi',
  'data',
  'proposals',
  'eval',
  'engine',
  'models/losses.ts',
  'models/backbone',
  'models/detection',
  'models/*',
  'models/panoptic',
  'models/*.ts',
  'onnx',
  'pipeline',
  'benchmarks',
  'report',
  'cli',
  'browser',
  'index.ts',
];
