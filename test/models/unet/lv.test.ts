import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { centreCropOrigin, cropInto } from '../../../src/data/crop.js';
import { loadSunnybrook, leaveOnePatientOut } from '../../../src/data/sunnybrook.js';
import { loadCheckpoint, saveCheckpoint } from '../../../src/engine/checkpoint.js';
import { tf } from '../../../src/engine/setup.js';
import {
  DEFAULT_LV_CONFIG,
  evaluateLvFold,
  loadLvCheckpoint,
  lvCheckpointPath,
  lvInputImage,
  makeBatch,
  meanOverPatients,
  predictMasks,
  saveLvCheckpoint,
  trainFold,
  type LvConfig,
} from '../../../src/models/unet/lv.js';
import { lvSection, maskOutlinePath } from '../../../src/report/sections/lv.js';
import { ReportContext } from '../../../src/report/report.js';
import { DetsegInputError } from '../../../src/util/errors.js';
import { mulberry32 } from '../../../src/util/random.js';

const data = loadSunnybrook();
const tmpRoot = mkdtempSync(join(tmpdir(), 'detseg-lv-'));
after(() => rmSync(tmpRoot, { recursive: true, force: true }));

/** A tiny configuration: 64×64 crop, U-Net of depth 2 and width 4, 2 epochs — seconds, not minutes. */
const TINY: LvConfig = { ...DEFAULT_LV_CONFIG, crop: 64, baseWidth: 4, depth: 2, epochs: 2, batchSize: 8 };

describe('crops and batches', () => {
  test('lvInputImage: the centre window\'s 1% and 99% percentiles map to 0 and 1, linearly in between', () => {
    const s = data.slices[30];
    const input = lvInputImage(s, 96);
    const window: number[] = [];
    for (let r = 80; r < 176; r++) for (let c = 80; c < 176; c++) window.push(s.image[r * 256 + c]);
    const sorted = window.slice().sort((a, b) => a - b);
    const lo = sorted[Math.round(0.01 * (sorted.length - 1))];
    const hi = sorted[Math.round(0.99 * (sorted.length - 1))];
    assert.ok(hi > lo);
    for (let i = 0; i < s.image.length; i += 97) {
      const expected = Math.min(1, Math.max(0, (s.image[i] - lo) / (hi - lo)));
      assert.ok(Math.abs(input[i] - expected) < 1e-6, `pixel ${i}`);
    }
    assert.equal(lvInputImage(s, 96), input, 'cached');
  });

  test('makeBatch: random gamma — each sample is its window raised to one power γ with |ln γ| ≤ gammaJitter', () => {
    const config = { ...DEFAULT_LV_CONFIG, crop: 32, maxShift: 0, flip: false, gammaJitter: 0.4 };
    const ids = [3, 50, 77];
    const { images } = makeBatch(data, ids, config, mulberry32(9));
    const gammas = ids.map((index, b) => {
      const input = lvInputImage(data.slices[index], 32);
      const src = (r: number, c: number) => input[(112 + r) * 256 + 112 + c];
      let gamma = NaN;
      for (let i = 0; i < 1024 && Number.isNaN(gamma); i++) {
        const v = src(i >> 5, i & 31);
        if (v > 0.2 && v < 0.8) gamma = Math.log(images[b * 1024 + i]) / Math.log(v);
      }
      assert.ok(Math.abs(Math.log(gamma)) <= 0.4 + 1e-6, `γ = ${gamma}`);
      for (let i = 0; i < 1024; i++) assert.ok(Math.abs(images[b * 1024 + i] - Math.pow(src(i >> 5, i & 31), gamma)) < 1e-4, `sample ${b} pixel ${i}`);
      return gamma;
    });
    assert.ok(new Set(gammas.map((g) => g.toFixed(4))).size === 3, 'each sample draws its own gamma');
  });

  test('makeBatch: each sample is the slice window at a shift within ±maxShift, image and mask aligned', () => {
    const config = { ...DEFAULT_LV_CONFIG, crop: 32, maxShift: 5, flip: true, gammaJitter: 0 };
    const ids = [0, 17, 40, 95];
    const { images, masks } = makeBatch(data, ids, config, mulberry32(5));
    ids.forEach((index, b) => {
      const s = data.slices[index];
      const input = lvInputImage(s, 32);
      const img = images.subarray(b * 1024, (b + 1) * 1024);
      const msk = masks.subarray(b * 1024, (b + 1) * 1024);
      // find the (shift, flip) that reproduces the sample exactly
      let found = 0;
      for (let dy = -5; dy <= 5; dy++) {
        for (let dx = -5; dx <= 5; dx++) {
          for (const flip of [false, true]) {
            let same = true;
            for (let r = 0; r < 32 && same; r++) {
              for (let c = 0; c < 32 && same; c++) {
                const src = (112 + dy + r) * 256 + 112 + dx + (flip ? 31 - c : c);
                if (img[r * 32 + c] !== input[src] || msk[r * 32 + c] !== s.mask[src]) same = false;
              }
            }
            if (same) found++;
          }
        }
      }
      assert.ok(found >= 1, `sample ${b} is not a shifted/flipped window of slice ${index}`);
    });
  });
});

describe('LV practical, tiny configuration end to end (1 fold, 2 epochs)', async () => {
  const fold = 2;
  const trained = await trainFold(data, fold, TINY);
  const result = await evaluateLvFold(trained.model, data, fold, TINY);

  test('trains on the 4 other patients and records 2 epochs of finite loss', () => {
    assert.equal(trained.testPatient, 'SCD0000301');
    assert.deepEqual(trained.trainPatients, ['SCD0000101', 'SCD0000201', 'SCD0000401', 'SCD0000501']);
    assert.equal(trained.history.length, 2);
    assert.ok(trained.history.every((h) => Number.isFinite(h.loss) && h.loss > 0));
    assert.equal(trained.steps, 2 * Math.ceil(76 / 8));
  });

  test('predictions are the thresholded logits of the centre crop, zero outside it', async () => {
    const [r0, c0] = centreCropOrigin(256, 256, TINY.crop);
    const k = 3;
    const s = data.slices[result.sliceIndices[k]];
    const crop = new Float32Array(64 * 64);
    cropInto(lvInputImage(s, 64), 256, r0, c0, 64, false, crop, 0);
    const logits = tf.tidy(() => (trained.model.predict(tf.tensor4d(crop, [1, 64, 64, 1])) as tf.Tensor).dataSync());
    const pred = result.predictions[k];
    for (let r = 0; r < 256; r++) {
      for (let c = 0; c < 256; c++) {
        const inside = r >= r0 && r < r0 + 64 && c >= c0 && c < c0 + 64;
        const expected = inside ? (logits[(r - r0) * 64 + c - c0] > 0 ? 1 : 0) : 0;
        assert.equal(pred[r * 256 + c], expected, `pixel (${r}, ${c})`);
      }
    }
  });

  test('Dice, IoU and pixel accuracy equal pooled pixel counts against the contour masks', () => {
    // naive reference: count TP/FP/FN/TN over every held-out slice at full resolution
    const split = leaveOnePatientOut(data, fold);
    assert.deepEqual(result.sliceIndices, split.testIndices);
    let tp = 0, fp = 0, fn = 0, tn = 0;
    result.sliceIndices.forEach((index, k) => {
      const gt = data.slices[index].mask;
      const pred = result.predictions[k];
      let stp = 0, sfp = 0, sfn = 0;
      for (let i = 0; i < gt.length; i++) {
        if (pred[i] && gt[i]) stp++;
        else if (pred[i]) sfp++;
        else if (gt[i]) sfn++;
        else tn++;
      }
      tp += stp; fp += sfp; fn += sfn;
      const sliceDice = stp + sfp + sfn === 0 ? 1 : (2 * stp) / (2 * stp + sfp + sfn);
      assert.ok(Math.abs(result.sliceDice[k] - sliceDice) < 1e-12, `slice ${k}`);
    });
    assert.ok(tp + fn > 20000, 'the held-out patient has LV pixels');
    assert.ok(Math.abs(result.dice - (2 * tp) / (2 * tp + fp + fn)) < 1e-12);
    assert.ok(Math.abs(result.iou - tp / (tp + fp + fn)) < 1e-12);
    assert.ok(Math.abs(result.pixelAccuracy - (tp + tn) / (tp + tn + fp + fn)) < 1e-12);
    const mean = meanOverPatients([result, { ...result, dice: 0, iou: 0, pixelAccuracy: 1 }]);
    assert.ok(Math.abs(mean.dice - result.dice / 2) < 1e-15);
    assert.ok(Math.abs(mean.pixelAccuracy - (result.pixelAccuracy + 1) / 2) < 1e-15);
  });

  test('a saved checkpoint reloads to the same predictions; a foreign checkpoint is refused', async () => {
    const path = join(tmpRoot, 'fold2.ckpt');
    saveLvCheckpoint(path, trained, TINY);
    const { meta, model } = await loadLvCheckpoint(path);
    assert.equal(meta.testPatient, 'SCD0000301');
    assert.deepEqual(meta.lvConfig, TINY);
    const again = await predictMasks(model, data, result.sliceIndices, TINY);
    assert.deepEqual(again, result.predictions);
    const ckpt = loadCheckpoint(path);
    const foreign = join(tmpRoot, 'foreign.ckpt');
    saveCheckpoint(foreign, { ...ckpt, meta: { something: 'else' } });
    await assert.rejects(loadLvCheckpoint(foreign), (e: unknown) => e instanceof DetsegInputError && /foreign\.ckpt: meta\.format: not an LV U-Net checkpoint/.test(e.message));
    writeFileSync(join(tmpRoot, 'junk.ckpt'), 'junk');
    await assert.rejects(loadLvCheckpoint(join(tmpRoot, 'junk.ckpt')), DetsegInputError);
    model.dispose();
  });

  test('maskOutlinePath: a 2×1 mask has the 6 unit edges of its outline', () => {
    const mask = new Uint8Array(16);
    mask[1 * 4 + 1] = 1;
    mask[1 * 4 + 2] = 1;
    // window = rows/cols 1..3 (size 3): the two pixels sit at window (0,0) and (0,1)
    assert.equal(maskOutlinePath(mask, 4, 1, 1, 3), 'M0 0h1M0 1h1M0 0v1M1 0h1M1 1h1M2 0v1');
  });
});

describe('LV report section', () => {
  test('--quick --retrain: writes the table, overlay figure and training curve', async (t) => {
    const ctx = new ReportContext(mkdtempSync(join(tmpRoot, 'report-')), { retrain: true, quick: true, log: () => {} });
    const section = await lvSection(ctx);
    assert.equal(section.id, 'lv-segmentation');
    assert.match(section.html, /<td>SCD0000101<\/td>/);
    assert.deepEqual(ctx.figures, ['lv-overlays.svg', 'lv-training.svg', 'upsampling.svg']);
    const svg = readFileSync(join(ctx.dir, 'lv-overlays.svg'), 'utf8');
    assert.equal((svg.match(/data:image\/png;base64,/g) ?? []).length, 3);
    t.diagnostic(`shipped checkpoint of fold 0 present: ${existsSync(lvCheckpointPath(0))}`);
  });

  test('--quick from the shipped checkpoint of fold 0: loads, predicts the held-out patient, Dice above 0.8', async () => {
    const { meta, model } = await loadLvCheckpoint(lvCheckpointPath(0));
    assert.equal(meta.testPatient, 'SCD0000101');
    assert.equal(meta.history.length, meta.lvConfig.epochs);
    const result = await evaluateLvFold(model, data, 0, meta.lvConfig);
    model.dispose();
    // a floor, not the number: the shipped model must segment the held-out patient (0.873 when trained)
    assert.ok(result.dice > 0.8, `Dice ${result.dice}`);
    const ctx = new ReportContext(mkdtempSync(join(tmpRoot, 'report-')), { retrain: false, quick: true, log: () => {} });
    const section = await lvSection(ctx);
    assert.ok(section.html.includes(`<td>${result.dice.toFixed(4)}</td>`), 'the table shows the evaluated Dice');
  });
});
