import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { cocoToDataset, parseCoco } from '../../src/data/coco.js';
import { ClassIndex, validateDataset } from '../../src/data/dataset.js';
import { decodeDicom } from '../../src/data/dicom.js';
import { parseJsonText } from '../../src/data/json-text.js';
import { parseKittiLabels } from '../../src/data/kitti.js';
import { parseVocXml } from '../../src/data/voc.js';
import { parseDetectionText, parseGroundTruthText } from '../../src/data/voc-eval-io.js';
import { parseYoloLabels } from '../../src/data/yolo.js';
import { formatYoloYaml, parseYoloYaml } from '../../src/data/yolo-yaml.js';
import { decodeCheckpoint, encodeCheckpoint } from '../../src/engine/checkpoint-format.js';
import { evaluateCocoJson } from '../../src/eval/coco.js';
import { evaluateVoc } from '../../src/eval/voc.js';
import { parseVocXmlObjects } from '../../src/eval/voc-io.js';
import { assetsDir, packageRoot } from '../../src/util/paths.js';

/**
 * The fuzz targets: every reader of the project (COCO, VOC XML, YOLO labels and data.yaml, KITTI,
 * DICOM, checkpoints) and the two evaluations (COCO from JSON, VOC from text files), each with seed
 * inputs taken from the test fixtures. A target's `run` may return or throw a DetsegInputError; any
 * other exception is a bug.
 */

/** How inputs of a target are mutated: as bytes, as text, or as JSON structure then text. */
export type FuzzKind = 'bytes' | 'text' | 'json';

/** One fuzz target. */
export interface FuzzTarget {
  name: string;
  kind: FuzzKind;
  /** Seed inputs (valid files). */
  seeds: () => Uint8Array[];
  /** Reads one input (throws on bad input). */
  run: (input: Uint8Array) => void;
}

const root = packageRoot();
const fixture = (...parts: string[]) => join(root, 'test', 'fixtures', ...parts);
const utf8 = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const bytesOf = (text: string) => new TextEncoder().encode(text);
const readBytes = (path: string) => new Uint8Array(readFileSync(path));
const filesOf = (dir: string, ext: string) => readdirSync(dir).filter((f) => f.endsWith(ext)).sort().map((f) => join(dir, f));

/** A small COCO ground truth with polygons and an RLE, and detections for it (bbox and segm). */
function smallCocoCase(): { gt: unknown; dt: unknown[] } {
  return {
    gt: {
      images: [{ id: 1, width: 20, height: 10, file_name: '1.jpg' }, { id: 2, width: 8, height: 8, file_name: '2.jpg' }],
      categories: [{ id: 1, name: 'a' }, { id: 2, name: 'b' }],
      annotations: [
        { id: 1, image_id: 1, category_id: 1, bbox: [0, 0, 5, 5], area: 25, iscrowd: 0, segmentation: [[0, 0, 0, 5, 5, 5, 5, 0]] },
        { id: 2, image_id: 1, category_id: 2, bbox: [8, 2, 6, 6], area: 30, iscrowd: 1, segmentation: { size: [10, 20], counts: [82, 6, 4, 6, 4, 6, 4, 6, 4, 6, 4, 6, 62] } },
        { id: 3, image_id: 2, category_id: 1, bbox: [1, 1, 4, 3], area: 12, iscrowd: 0, segmentation: [[1, 1, 5, 1, 5, 4, 1, 4]] },
      ],
    },
    dt: [
      { image_id: 1, category_id: 1, bbox: [0, 0, 5, 4], score: 0.9, segmentation: [[0, 0, 0, 4, 5, 4, 5, 0]] },
      { image_id: 1, category_id: 2, bbox: [9, 2, 5, 6], score: 0.6 },
      { image_id: 2, category_id: 1, bbox: [1, 1, 4, 4], score: 0.3, segmentation: [[1, 1, 5, 1, 5, 5, 1, 5]] },
    ],
  };
}

/** A small checkpoint (model and optimizer tensors, metadata). */
function smallCheckpoint(): Uint8Array {
  return encodeCheckpoint({
    epoch: 2,
    step: 10,
    rng: { seed: 1, state: 4 },
    optimizerName: 'adam',
    meta: { format: 'unet', options: { depth: 2 } },
    model: [{ name: 'conv/kernel', shape: [3, 3, 1, 2], values: Float32Array.from({ length: 18 }, (_, i) => i / 9 - 1) }, { name: 'conv/bias', shape: [2], values: Float32Array.of(0.5, -0.5) }],
    optimizer: [{ name: 'conv/kernel/m', shape: [3, 3, 1, 2], values: new Float32Array(18) }],
  });
}

/** Ground truth and detections of one image as text, separated by a line `----`. */
function vocTextCase(gtFile: string, dtFile: string): Uint8Array {
  return bytesOf(`${readFileSync(gtFile, 'utf8')}\n----\n${readFileSync(dtFile, 'utf8')}`);
}

export const FUZZ_TARGETS: FuzzTarget[] = [
  {
    name: 'coco-reader',
    kind: 'json',
    seeds: () => [bytesOf(JSON.stringify(smallCocoCase().gt)), readBytes(fixture('data', 'coco128', 'instances_subset.json'))],
    run: (input) => validateDataset(cocoToDataset(parseCoco(utf8(input), 'f.json'))),
  },
  {
    name: 'coco-eval',
    kind: 'json',
    seeds: () => {
      const small = smallCocoCase();
      const toy = { gt: JSON.parse(readFileSync(fixture('coco', 'toy_cats_gt.json'), 'utf8')), dt: JSON.parse(readFileSync(fixture('coco', 'toy_cats_dets.json'), 'utf8')) };
      return [bytesOf(JSON.stringify({ ...small, iouType: 'segm' })), bytesOf(JSON.stringify({ ...small, iouType: 'bbox' })), bytesOf(JSON.stringify({ ...toy, iouType: 'bbox' }))];
    },
    run: (input) => {
      const doc = parseJsonText(utf8(input), 'case.json') as { gt?: unknown; dt?: unknown; iouType?: unknown } | null;
      const iouType = doc?.iouType === 'segm' ? 'segm' : 'bbox';
      evaluateCocoJson(doc?.gt, doc?.dt, { iouType, gtFile: 'gt.json', dtFile: 'dt.json' });
    },
  },
  {
    name: 'voc-xml',
    kind: 'text',
    seeds: () => [...filesOf(fixture('data', 'voc'), '.xml'), ...filesOf(fixture('voc', 'voc_toy_cats', 'gts_vocpascal_format'), '.xml').slice(0, 3)].map(readBytes),
    run: (input) => {
      const text = utf8(input);
      // both readers: the same file must mean the same to convert and to eval voc
      let a: unknown, b: unknown;
      try {
        a = parseVocXml(text, 'a.xml', new ClassIndex(), 0).labels.length;
      } catch (err) {
        a = err;
      }
      try {
        b = parseVocXmlObjects(text, 'a.xml').classNames.length;
      } catch (err) {
        b = err;
      }
      for (const r of [a, b]) if (r instanceof Error) throw r;
    },
  },
  {
    name: 'voc-eval',
    kind: 'text',
    seeds: () => {
      const dir = fixture('voc', 'padilla_voc_sample');
      const gts = filesOf(join(dir, 'groundtruths'), '.txt');
      return gts.slice(0, 4).map((g) => vocTextCase(g, join(dir, 'detections', g.slice(g.lastIndexOf('/') + 1))));
    },
    run: (input) => {
      const [gtText, dtText = ''] = utf8(input).split('\n----\n');
      const gt = parseGroundTruthText(gtText, 'gt.txt');
      const dt = parseDetectionText(dtText, 'dt.txt');
      const names = [...new Set([...gt.classNames, ...dt.classNames])].sort();
      const id = new Map(names.map((n, i) => [n, i]));
      const image = { name: 'a', gtBoxes: gt.boxes, gtClasses: Int32Array.from(gt.classNames, (c) => id.get(c)!), gtDifficult: gt.difficult, dtBoxes: dt.boxes, dtClasses: Int32Array.from(dt.classNames, (c) => id.get(c)!), dtScores: dt.scores };
      evaluateVoc({ classNames: names, images: [image] }, { iouThreshold: 0.5, interp: 'all' });
      evaluateVoc({ classNames: names, images: [image] }, { iouThreshold: 0.3, interp: '11', plusOne: true });
    },
  },
  {
    name: 'yolo-labels',
    kind: 'text',
    seeds: () => filesOf(fixture('data', 'coco128', 'labels'), '.txt').map(readBytes),
    run: (input) => void parseYoloLabels(utf8(input), 'l.txt', 640, 480, 80),
  },
  {
    name: 'yolo-yaml',
    kind: 'text',
    seeds: () => [readBytes(fixture('data', 'coco128', 'labels', 'coco128_yolo_names.yaml')), bytesOf("path: .\ntrain: images\nnames: [cat, 'dog: big', \"x # y\"]\n"), bytesOf('names:\n  - a\n  - b\nnc: 2\n')],
    run: (input) => {
      const parsed = parseYoloYaml(utf8(input), 'data.yaml');
      // what is read can be written, and reads back the same
      const again = parseYoloYaml(formatYoloYaml({ names: parsed.names }), 'written.yaml');
      if (JSON.stringify(again.names) !== JSON.stringify(parsed.names)) throw new Error(`data.yaml round trip changed the names: ${JSON.stringify(parsed.names)} → ${JSON.stringify(again.names)}`);
    },
  },
  {
    name: 'kitti',
    kind: 'text',
    seeds: () => filesOf(fixture('data', 'kitti'), '.txt').map(readBytes),
    run: (input) => void parseKittiLabels(utf8(input), 'k.txt', 1242, 375),
  },
  {
    name: 'dicom',
    kind: 'bytes',
    seeds: () => {
      const raw = gunzipSync(readFileSync(join(assetsDir('sunnybrook'), 'dicoms', 'SCD0000301', '127.dcm.gz')));
      return [new Uint8Array(raw), new Uint8Array(readFileSync(join(assetsDir('sunnybrook'), 'dicoms', 'SCD0000301', '127.dcm.gz')))];
    },
    run: (input) => void decodeDicom(input, 'f.dcm', { maxInflatedBytes: 4 << 20 }),
  },
  {
    name: 'checkpoint',
    kind: 'bytes',
    seeds: () => [smallCheckpoint()],
    run: (input) => void decodeCheckpoint(input, 'f.ckpt'),
  },
];
