import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateCocoJson } from '../../src/eval/coco.js';
import { DetsegInputError } from '../../src/util/errors.js';

const gt = () => ({
  images: [{ id: 1, width: 20, height: 10, file_name: '1.jpg' }],
  categories: [{ id: 1, name: 'a' }],
  annotations: [{ id: 1, image_id: 1, category_id: 1, bbox: [0, 0, 5, 5], area: 25, iscrowd: 0, segmentation: [[0, 0, 0, 5, 5, 5, 5, 0]] }],
});
const good = () => ({ image_id: 1, category_id: 1, bbox: [0, 0, 5, 5], score: 0.5 });

/** Expects a DetsegInputError whose message names the file and every given fragment. */
function rejects(gtData: unknown, dtData: unknown, fragments: RegExp[], iouType: 'bbox' | 'segm' = 'bbox'): void {
  assert.throws(
    () => evaluateCocoJson(gtData, dtData, { iouType, gtFile: 'gt.json', dtFile: 'dt.json' }),
    (e: unknown) => {
      assert.ok(e instanceof DetsegInputError, `not a DetsegInputError: ${e}`);
      for (const f of fragments) assert.match(e.message, f);
      return true;
    },
  );
}

test('results naming an image or a category the ground truth lacks', () => {
  rejects(gt(), [good(), { ...good(), image_id: 7 }], [/^dt\.json: results\[1\]\.image_id: image 7 is not in the ground truth/]);
  rejects(gt(), [{ ...good(), category_id: 3 }], [/dt\.json: results\[0\]\.category_id: category 3/]);
});

test('results with missing fields, a bbox of the wrong length, non-finite numbers', () => {
  rejects(gt(), [good(), { image_id: 1, category_id: 1, bbox: [0, 0, 5, 5] }], [/results\[1\]\.score: missing field "score"/]);
  rejects(gt(), [good(), { ...good(), bbox: [0, 0, 5] }], [/results\[1\]\.bbox: must hold 4 numbers/]);
  rejects(gt(), [good(), { ...good(), bbox: undefined }], [/results\[1\]\.bbox: missing field "bbox"/]);
  rejects(gt(), [{ ...good(), score: Number.NaN }], [/results\[0\]\.score: must be a finite number/]);
  rejects(gt(), [{ ...good(), bbox: [0, 0, Infinity, 5] }], [/results\[0\]\.bbox: value 2 is not a finite number/]);
  rejects(gt(), [{ ...good(), image_id: '1' }], [/results\[0\]\.image_id: must be a finite number, got "1"/]);
  rejects(gt(), { not: 'a list' }, [/dt\.json: expected a JSON list of results/]);
  rejects(gt(), [good(), 42], [/results\[1\]: expected an object/]);
});

test('segm results: an RLE whose size disagrees with the image, a malformed RLE, a missing segmentation', () => {
  const rle = { size: [10, 20], counts: [200] };
  rejects(gt(), [{ image_id: 1, category_id: 1, score: 1, segmentation: { size: [20, 10], counts: [200] } }], [/results\[0\]\.segmentation\.size: RLE size \[20,10\] disagrees with the image's \[height, width\] = \[10, 20\]/], 'segm');
  rejects(gt(), [{ image_id: 1, category_id: 1, score: 1, segmentation: { size: [10, 20], counts: 'a b' } }], [/results\[0\]\.segmentation\.counts: compressed RLE string has an invalid character/], 'segm');
  rejects(gt(), [{ image_id: 1, category_id: 1, score: 1, segmentation: rle }, { image_id: 1, category_id: 1, score: 1 }], [/results\[1\]\.segmentation: missing field "segmentation"/], 'segm');
  rejects(gt(), [{ image_id: 1, category_id: 1, score: 1, segmentation: { size: [10, 20], counts: [150] } }], [/counts sum to 150, expected height\*width = 200/], 'segm');
});

test('ground truth with missing or wrong fields, named with the file and the annotation index', () => {
  const noArea = gt();
  delete (noArea.annotations[0] as Record<string, unknown>).area;
  rejects(noArea, [good()], [/^gt\.json: annotations\[0\]\.area: missing field "area"/]);
  const badImage = gt();
  badImage.annotations[0].image_id = 5;
  rejects(badImage, [good()], [/gt\.json: annotations\[0\]\.image_id: image 5 is not listed in "images"/]);
  const noSeg = gt();
  delete (noSeg.annotations[0] as Record<string, unknown>).segmentation;
  rejects(noSeg, [good()], [/annotations\[0\]\.segmentation: missing field "segmentation"/], 'segm');
  const badPoly = gt();
  badPoly.annotations[0].segmentation = [[0, 0, 1]];
  rejects(badPoly, [good()], [/gt\.json: annotations\[0\]\.segmentation\[0\]: a polygon needs at least 3 points/], 'segm');
  rejects({ images: [], categories: [] }, [], [/gt\.json: annotations: missing or not a list/]);
  const crowdRle = gt();
  (crowdRle.annotations[0] as Record<string, unknown>).segmentation = { size: [10, 10], counts: [100] };
  rejects(crowdRle, [good()], [/annotations\[0\]\.segmentation\.size: RLE size \[10,10\] disagrees/], 'segm');
});

test('ground truth and results that used to be accepted silently: sizes ≤ 0, negative boxes and areas, short or huge polygons', () => {
  const with_ = (edit: (d: ReturnType<typeof gt>) => void) => {
    const d = gt();
    edit(d);
    return d;
  };
  rejects(with_((d) => (d.images[0].width = 0)), [good()], [/^gt\.json: images\[0\]\.width: must be a positive number, got 0/]);
  rejects(with_((d) => (d.images[0].height = -4)), [good()], [/^gt\.json: images\[0\]\.height: must be a positive number, got -4/], 'segm');
  rejects(with_((d) => (d.annotations[0].bbox = [0, 0, -5, 5])), [good()], [/^gt\.json: annotations\[0\]\.bbox: width and height must be ≥ 0/]);
  rejects(with_((d) => (d.annotations[0].area = -1)), [good()], [/^gt\.json: annotations\[0\]\.area: must be ≥ 0, got -1/]);
  rejects(with_((d) => (d.annotations[0].segmentation = [[0, 0, 5, 0, 5, 5], [1, 1, 2, 2]])), [good()], [/^gt\.json: annotations\[0\]\.segmentation\[1\]: a polygon needs at least 3 points/], 'segm');
  rejects(with_((d) => (d.annotations[0].segmentation = [[0, 0, 1e300, 0, 1e300, 5]])), [good()], [/^gt\.json: annotations\[0\]\.segmentation\[0\]: coordinate 2 \(1e\+300\) is beyond/], 'segm');
  rejects(with_((d) => (d.annotations[0].segmentation = [[0, 0, 3e8, 0, 3e8, 5]])), [{ ...good(), segmentation: [[0, 0, 5e8, 0, 5e8, 5]] }], [/^dt\.json: results\[0\]\.segmentation\[0\]: coordinate 2/], 'segm');
  rejects(gt(), [{ ...good(), bbox: [0, 0, 5, -1] }], [/^dt\.json: results\[0\]\.bbox: width and height must be ≥ 0/]);
  rejects(gt(), [{ ...good(), segmentation: [[1, 1]] }], [/^dt\.json: results\[0\]\.segmentation\[0\]: a polygon needs at least 3 points/], 'segm');
  // a coordinate of 2.2e8 is rasterized (the mask is the part inside the image), not an allocation failure
  const dets = [{ ...good(), segmentation: [[0, 0, 20, 0, 20, 5, 0, 5]] }, { ...good(), score: 0.2, segmentation: [[0, 0, 9, 0, 9, 5, 0, 5]] }];
  const far = evaluateCocoJson(with_((d) => (d.annotations[0].segmentation = [[0, 0, 2.2e8, 0, 2.2e8, 5, 0, 5]])), dets, { iouType: 'segm' });
  const near = evaluateCocoJson(with_((d) => (d.annotations[0].segmentation = [[0, 0, 30, 0, 30, 5, 0, 5]])), dets, { iouType: 'segm' });
  assert.deepEqual(far.stats, near.stats);
  assert.ok(near.stats[1] > 0.99);
});

test('options: maxDets of 0 and image ids the ground truth lacks are errors naming the option', () => {
  assert.throws(() => evaluateCocoJson(gt(), [good()], { maxDets: [0, 0, 0] }), /maxDets: value 0 must be a whole number ≥ 1, got 0/);
  assert.throws(() => evaluateCocoJson(gt(), [good()], { imgIds: [1, 7], gtFile: 'gt.json' }), /imgIds: image ids 7 are not in the ground truth gt\.json/);
});

test('valid input evaluates: an empty results list gives AP 0 where there is ground truth', () => {
  const r = evaluateCocoJson(gt(), []);
  assert.equal(r.stats[0], 0);
  assert.equal(r.stats[8], 0);
  // one TP: precision = 1 / (1 + np.spacing(1)) = 0.9999999999999998, as pycocotools computes it
  assert.equal(evaluateCocoJson(gt(), [good()]).stats[0], 1 / (1 + 2.220446049250313e-16));
});

test('segm results whose first bbox is empty are read as masks (pycocotools\' loadRes branch), the box from the mask', () => {
  // mask: rows 0..4 of columns 0..4 of the 10×20 image (a 5×5 square) → area 25, box [0, 0, 5, 5] = the GT
  const counts = [0, 5, 5, 5, 5, 5, 5, 5, 5, 5, 155];
  const r = evaluateCocoJson(gt(), [{ image_id: 1, category_id: 1, score: 1, bbox: [], segmentation: { size: [10, 20], counts } }], { iouType: 'bbox' });
  // AP over IoU .50:.95 is 1 (to rounding) only if the box read from the mask is exactly the GT's box
  assert.ok(Math.abs(r.stats[0] - 1) < 1e-12, `AP ${r.stats[0]}`);
});
