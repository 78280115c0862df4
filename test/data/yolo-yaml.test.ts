import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatYoloYaml, parseYoloYaml } from '../../src/data/yolo-yaml.js';
import { packageRoot } from '../../src/util/paths.js';

test('YOLO YAML: reads the ultralytics coco128 data file (80 names, index map, comments)', () => {
  const file = join(packageRoot(), 'test', 'fixtures', 'data', 'coco128', 'labels', 'coco128_yolo_names.yaml');
  const y = parseYoloYaml(readFileSync(file, 'utf8'), file);
  assert.equal(y.path, '.');
  assert.equal(y.train, 'images/train2017');
  assert.equal(y.val, 'images/val2017');
  assert.equal(y.names.length, 80);
  assert.equal(y.names[0], 'person');
  assert.equal(y.names[9], 'traffic light');
  assert.equal(y.names[79], 'toothbrush');
});

test('YOLO YAML: list and flow names, quotes, and write → read identity', () => {
  assert.deepEqual(parseYoloYaml('names:\n  - cat\n  - "hot dog"  # a comment\n').names, ['cat', 'hot dog']);
  assert.deepEqual(parseYoloYaml("nc: 3\nnames: [a, 'b, c', \"d#e\"]\n").names, ['a', 'b, c', 'd#e']);
  const names = ['person', 'traffic light', "it's", '3d', 'a: b', 'x#y'];
  const text = formatYoloYaml({ path: '../data', train: 'images/train', val: 'images/val', names });
  const back = parseYoloYaml(text);
  assert.deepEqual(back.names, names);
  assert.equal(back.path, '../data');
  assert.equal(back.extra.nc, '6');
});

test('YOLO YAML bad input names the file and line', () => {
  assert.throws(() => parseYoloYaml('names:\n  0: a\n  2: c\n', 'd.yaml'), /d\.yaml: names: class indices must be 0\.\.1; 1 is missing/);
  assert.throws(() => parseYoloYaml('train: x\n  oops: 1\n', 'd.yaml'), /d\.yaml: line 2: unexpected indented line/);
  assert.throws(() => parseYoloYaml('names:\n  zero: a\n', 'd.yaml'), /d\.yaml: line 2: expected `<index>: <name>`/);
  assert.throws(() => parseYoloYaml('nc: 2\nnames: [a]\n', 'd.yaml'), /d\.yaml: nc: nc is 2 but 1 names/);
  assert.throws(() => parseYoloYaml('train: x\n', 'd.yaml'), /d\.yaml: names: no class names/);
  assert.throws(() => parseYoloYaml('base: &anchor x\nnames: [a]\n', 'd.yaml'), /line 1: YAML feature not supported/);
});

test('YOLO YAML write: names with a line break or control character are refused (the file would not read back); awkward but legal names round-trip', () => {
  assert.throws(() => formatYoloYaml({ names: ['cat', 'traffic\nlight'] }), (e: unknown) => e instanceof Error && e.name === 'DetsegInputError' && e.message === 'names[1]: "traffic\\nlight" holds a line break or control character, which a data.yaml value cannot hold');
  assert.throws(() => formatYoloYaml({ names: ['a\tb'] }), /names\[0\]: .*control character/);
  assert.throws(() => formatYoloYaml({ names: ['  '] }), /names\[0\]: is empty/);
  const awkward = ["it's", 'a: b', '# not a comment', '- dash', '0', 'x #y', '"q"', '[list]', '{map}', 'tail ', ' lead', 'ünï cødé', '&anchor', '*alias', '!tag', '%x', '@at', '`tick`', '|', '>'];
  assert.deepEqual(parseYoloYaml(formatYoloYaml({ names: awkward })).names, awkward);
});
