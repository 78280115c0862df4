import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DetsegInputError } from '../../src/util/errors.js';
import { parseDetectionText, parseGroundTruthText, parseNamesText } from '../../src/data/voc-eval-io.js';
import { loadVocEvalFolders, parseVocXmlObjects } from '../../src/eval/voc-io.js';

function folders(gt: Record<string, string>, dt: Record<string, string>): { gtDir: string; dtDir: string } {
  const root = mkdtempSync(join(tmpdir(), 'detseg-voc-'));
  const gtDir = join(root, 'gt');
  const dtDir = join(root, 'dt');
  mkdirSync(gtDir);
  mkdirSync(dtDir);
  for (const [f, text] of Object.entries(gt)) writeFileSync(join(gtDir, f), text);
  for (const [f, text] of Object.entries(dt)) writeFileSync(join(dtDir, f), text);
  return { gtDir, dtDir };
}

test('text readers: xywh → xyxy, xyxy kept, difficult flags, tabs and blank lines, names mapping', () => {
  const gt = parseGroundTruthText('person 25 16 38 56\n\ncat\t1 2 3 4 difficult\ndog 0 0 1 1 1\n', 'g.txt');
  assert.deepEqual(gt.classNames, ['person', 'cat', 'dog']);
  assert.deepEqual(Array.from(gt.boxes), [25, 16, 63, 72, 1, 2, 4, 6, 0, 0, 1, 1]);
  assert.deepEqual(Array.from(gt.difficult), [0, 1, 1]);
  const dt = parseDetectionText('14 .88 5 67 31 78\n', 'd.txt', 'xyxy', ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'person']);
  assert.deepEqual(dt.classNames, ['person']);
  assert.deepEqual(Array.from(dt.scores), [0.88]);
  assert.deepEqual(Array.from(dt.boxes), [5, 67, 31, 78]);
});

test('text readers: malformed lines name the file, line and field', () => {
  const is = (re: RegExp) => (e: unknown) => e instanceof DetsegInputError && re.test(e.message);
  assert.throws(() => parseDetectionText('cat 0.9 1 2 3 4\ncat 0.8 1 2 3\n', 'd/x.txt'), is(/^d\/x\.txt:2: expected '<class> <confidence> <left> <top> <width> <height>', got 5 fields/));
  assert.throws(() => parseDetectionText('cat NaN 1 2 3 4', 'x.txt'), is(/^x\.txt:1: confidence: 'NaN' is not a finite number/));
  assert.throws(() => parseDetectionText('cat 0.5 1 2 inf 4', 'x.txt'), is(/x\.txt:1: width: 'inf'/));
  assert.throws(() => parseDetectionText('cat 0.5 1 2 -3 4', 'x.txt'), is(/x\.txt:1: width\/height: negative width/));
  assert.throws(() => parseDetectionText('cat 0.5 10 2 3 4', 'x.txt', 'xyxy'), is(/x\.txt:1: right\/bottom/));
  assert.throws(() => parseGroundTruthText('\n\ncat 1 2 3 4 maybe', 'g.txt'), is(/g\.txt:3: difficult: expected 0, 1 or 'difficult'/));
  assert.throws(() => parseDetectionText('7 0.5 1 2 3 4', 'x.txt', 'xywh', ['a']), is(/x\.txt:1: class: class id 7 is outside the names list/));
  assert.throws(() => parseNamesText('a\nb\na\n', 'n.names'), is(/n\.names: class name 'a' appears twice/));
});

test('XML reader: objects in any element order, difficult optional, parts ignored; malformed XML is named', () => {
  const xml = `<annotation><filename>x.jpg</filename>
    <object><name>cat</name><bndbox><xmax>248</xmax><xmin>1</xmin><ymax>300.5</ymax><ymin>39</ymin></bndbox><difficult>1</difficult>
      <part><name>head</name><bndbox><xmin>5</xmin><ymin>5</ymin><xmax>6</xmax><ymax>6</ymax></bndbox></part></object>
    <object><name>dog</name><bndbox><xmin>0</xmin><ymin>0</ymin><xmax>10</xmax><ymax>10</ymax></bndbox></object></annotation>`;
  const r = parseVocXmlObjects(xml, 'a.xml');
  assert.deepEqual(r.classNames, ['cat', 'dog']);
  assert.deepEqual(Array.from(r.boxes), [1, 39, 248, 300.5, 0, 0, 10, 10]);
  assert.deepEqual(Array.from(r.difficult), [1, 0]);
  assert.equal(parseVocXmlObjects('<annotation><filename>e.jpg</filename></annotation>', 'e.xml').classNames.length, 0);
  assert.throws(() => parseVocXmlObjects('<annotation><object></annotation>', 'm.xml'), /: m\.xml: malformed XML at line 1/);
  assert.throws(() => parseVocXmlObjects('<annotation><object><name>a</name><bndbox><xmin>x</xmin><ymin>0</ymin><xmax>1</xmax><ymax>1</ymax></bndbox></object></annotation>', 'b.xml'), /b\.xml: object\[0\]\.bndbox\.xmin: 'x' is not a finite number/);
  assert.throws(() => parseVocXmlObjects('<annotation><object><name>a</name></object></annotation>', 'c.xml'), /c\.xml: object\[0\]\.bndbox: is missing/);
});

test('loadVocEvalFolders: image order, classes, detections without ground truth, missing detection files', () => {
  const { gtDir, dtDir } = folders({ 'b.txt': 'cat 0 0 10 10\n', 'a.txt': 'dog 0 0 10 10\n' }, { 'b.txt': 'cat 0.9 0 0 10 10\nbird 0.5 0 0 1 1\n' });
  const set = loadVocEvalFolders(gtDir, dtDir);
  assert.deepEqual(set.dataset.images.map((i) => i.name), ['a', 'b']);
  assert.deepEqual(set.dataset.classNames, ['bird', 'cat', 'dog']);
  assert.deepEqual(Array.from(set.dataset.images[1].dtClasses), [1, 0]);
  assert.equal(set.warnings.length, 1);
  const orphan = folders({ 'a.txt': 'dog 0 0 10 10\n' }, { 'z.txt': 'dog 0.9 0 0 10 10\n' });
  assert.throws(() => loadVocEvalFolders(orphan.gtDir, orphan.dtDir), /z\.txt: detections for image 'z', which has no ground-truth file/);
  assert.throws(() => loadVocEvalFolders(join(orphan.gtDir, 'nope'), orphan.dtDir), /nope: ground truth: is not a folder/);
});
