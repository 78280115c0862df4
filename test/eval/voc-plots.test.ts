import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DetectionConfusionMatrix } from '../../src/eval/confusion.js';
import { apBarsSvg, classPrCurveSvg, confusionMatrixSvg, f1ConfidenceSvg, vocConfidenceCurves } from '../../src/eval/plots.js';
import { evaluateVoc, type VocDataset } from '../../src/eval/voc.js';

const data: VocDataset = {
  classNames: ['cat', 'dog'],
  images: [
    {
      name: 'im',
      gtBoxes: Float64Array.of(0, 0, 10, 10, 20, 0, 30, 10),
      gtClasses: Int32Array.of(0, 1),
      gtDifficult: new Uint8Array(2),
      dtBoxes: Float64Array.of(0, 0, 10, 10, 50, 50, 60, 60, 20, 0, 30, 10),
      dtClasses: Int32Array.of(0, 0, 1),
      dtScores: Float64Array.of(0.9, 0.8, 0.7),
    },
  ],
};

test('PR figure: the raw curve through its points, the envelope as steps, AP in legend and title', () => {
  const r = evaluateVoc(data);
  const cat = r.classes[0]; // TP then FP: precision 1, 1/2 at recall 1
  assert.equal(cat.ap, 1);
  const svg = classPrCurveSvg(cat, r);
  assert.match(svg, /<text[^>]*>cat AP 100\.0 %<\/text>/);
  assert.match(svg, /cat: AP@0\.5 = 100\.0 % \(all-point\)/);
  assert.equal((svg.match(/<polyline/g) ?? []).length, 2);
  // envelope steps: (0,1) → (1,1) → (1,½) → (1,½) → drop to (1,0)
  const env = svg.match(/<polyline[^>]*stroke-dasharray[^>]*>/)![0];
  const pts = env.match(/points="([^"]*)"/)![1].split(' ');
  assert.equal(pts.length, 5);
});

test('confusion heatmap shows every non-zero count in its cell; AP bars and F1 figure name the classes', () => {
  const m = new DetectionConfusionMatrix(2);
  for (const im of data.images) m.addImage(im.gtBoxes, im.gtClasses, im.dtBoxes, im.dtClasses, im.dtScores);
  assert.equal(m.at(0, 0), 1);
  assert.equal(m.at(1, 1), 1);
  assert.equal(m.at(0, 2), 1);
  const svg = confusionMatrixSvg(m, data.classNames);
  const counts = [...svg.matchAll(/<text[^>]*font-size="\d+"[^>]*>(\d+)<\/text>/g)].map((x) => Number(x[1]));
  assert.deepEqual(counts, [1, 1, 1]);
  assert.match(svg, />background<\/text>/);
  const r = evaluateVoc(data);
  assert.match(apBarsSvg(r), />dog<\/text>/);
  assert.match(f1ConfidenceSvg(vocConfidenceCurves(r)), /F1 vs confidence \(2 classes\)/);
});
