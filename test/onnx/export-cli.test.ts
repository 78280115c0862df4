import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeModel, metadataOf } from '../../src/onnx/proto.js';
import { runCli } from '../helpers/cli.js';
import { initEngine } from '../../src/engine/setup.js';
import { resolveUNetWeights, segmenterOnnxBytes } from '../../src/pipeline/onnx.js';
import { saveDetectorCheckpoint } from '../../src/models/detection/checkpoint.js';
import { detrFamily } from '../../src/models/detr/family.js';

type CocoDetection = { bbox: number[]; score: number; category_id: number };

/** The same detections within float tolerance: categories in order, boxes within 1e-3 px, scores within 1e-4. */
function assertSameResults(onnx: CocoDetection[], tfjs: CocoDetection[], where: string): void {
  assert.ok(tfjs.length > 0, `${where}: some detections`);
  assert.equal(onnx.length, tfjs.length, `${where}: detection count`);
  tfjs.forEach((d, j) => {
    assert.equal(onnx[j].category_id, d.category_id, `${where}: category ${j}`);
    assert.ok(Math.abs(onnx[j].score - d.score) <= 1e-4, `${where}: score ${j}`);
    d.bbox.forEach((v, q) => assert.ok(Math.abs(onnx[j].bbox[q] - v) <= 1e-3, `${where}: box ${j}`));
  });
}

test('detseg export: faster-rcnn to a file with its metadata; predict --runtime onnx on that file and on the checkpoint give the same results', () => {
  const dir = mkdtempSync(join(tmpdir(), 'detseg-export-'));
  try {
    const out = join(dir, 'fr.onnx');
    const r = runCli(['export', 'faster-rcnn', '--weights', 'faster-rcnn-small', '-o', out, '--opset', '15']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /faster-rcnn .* → .*fr\.onnx: [\d.]+ MB, opset 15, parts image, box_head, input 128²/);
    const model = decodeModel(readFileSync(out));
    const meta = metadataOf(model);
    assert.equal(model.opsetImport[0].version, 15);
    assert.equal(meta.get('detseg.kind'), 'faster-rcnn');
    assert.deepEqual(JSON.parse(meta.get('detseg.classes')!), ['circle', 'square', 'triangle']);
    assert.equal(meta.get('detseg.imgsz'), '128');
    assert.equal(JSON.parse(meta.get('detseg.normalization')!).mean, 127.5);
    assert.equal(JSON.parse(meta.get('detseg.postprocess')!).roiHeads.pooler, 'align');
    assert.deepEqual(JSON.parse(meta.get('detseg.options')!).rpn, { preNmsTopNTrain: 600, postNmsTopNTrain: 300, preNmsTopNTest: 600, postNmsTopNTest: 300 });
    assert.deepEqual(JSON.parse(meta.get('detseg.postprocess')!).rpn, { preNmsTopN: 600, postNmsTopN: 300, nmsThreshold: 0.7, minSize: 1e-3 });
    assert.deepEqual(readdirSync(dir), ['fr.onnx'], 'no temporary left');
    const synth = join(dir, 'synth');
    assert.equal(runCli(['synth', '--out', synth, '--count', '2', '--seed', '9']).code, 0);
    const runs = [['--weights', out], ['--weights', 'faster-rcnn-small'], []].map((weights, k) => {
      const json = join(dir, `d${k}.json`);
      const p = runCli(['predict', 'faster-rcnn', '--source', join(synth, 'images'), '--runtime', k < 2 ? 'onnx' : 'tfjs', '-o', json, ...(k < 2 ? weights : ['--weights', 'faster-rcnn-small'])]);
      assert.equal(p.code, 0, p.stderr);
      return JSON.parse(readFileSync(json, 'utf8')) as Array<{ bbox: number[]; score: number; category_id: number }>;
    });
    assert.deepEqual(runs[0], runs[1], 'the file and the in-memory export run alike');
    assert.ok(runs[2].length > 0);
    assert.equal(runs[0].length, runs[2].length);
    runs[2].forEach((d, j) => {
      assert.equal(runs[0][j].category_id, d.category_id);
      assert.ok(Math.abs(runs[0][j].score - d.score) <= 1e-4);
      d.bbox.forEach((v, q) => assert.ok(Math.abs(runs[0][j].bbox[q] - v) <= 1e-3));
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('detseg export: yolov1 and ssd at --imgsz 160 (a 20×20 map on YOLOv1\'s 8×8 grid), detr from a checkpoint at operator set 13; predict --runtime onnx on the files gives the TF.js results', async () => {
  await initEngine();
  const dir = mkdtempSync(join(tmpdir(), 'detseg-export-graph-'));
  try {
    const synth = join(dir, 'synth');
    assert.equal(runCli(['synth', '--out', synth, '--count', '2', '--seed', '9']).code, 0);
    const detr = join(dir, 'detr.ckpt');
    const options = { ...detrFamily.defaultOptions, seed: 3 };
    const model = detrFamily.build(options);
    saveDetectorCheckpoint(detr, model.models(), { format: detrFamily.format, options, imgsz: 128 });
    model.dispose();
    const cases: Array<[string, string[], string[]]> = [
      ['yolov1', ['--imgsz', '160'], []],
      ['ssd', ['--imgsz', '160'], []],
      ['detr', ['--opset', '13'], ['--weights', detr]],
    ];
    for (const [kind, exportArgs, weights] of cases) {
      const out = join(dir, `${kind}.onnx`);
      const r = runCli(['export', kind, ...weights, ...exportArgs, '-o', out]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`${kind} .* → .*${kind}\\.onnx: [\\d.]+ MB, opset ${kind === 'detr' ? 13 : 17}, parts image, input ${kind === 'detr' ? 128 : 160}²`));
      const meta = metadataOf(decodeModel(readFileSync(out)));
      assert.equal(meta.get('detseg.kind'), kind);
      assert.ok(kind in JSON.parse(meta.get('detseg.postprocess')!), `${kind}: its post-processing settings`);
      const size = kind === 'detr' ? [] : ['--imgsz', '160'];
      const runs = [['--runtime', 'onnx', '--weights', out], ['--runtime', 'tfjs', ...weights, ...size]].map((args, k) => {
        const json = join(dir, `${kind}${k}.json`);
        const p = runCli(['predict', kind, '--source', join(synth, 'images'), '--conf', '0', '-o', json, ...args]);
        assert.equal(p.code, 0, p.stderr);
        return JSON.parse(readFileSync(json, 'utf8')) as CocoDetection[];
      });
      assertSameResults(runs[0], runs[1], kind);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('detseg export / --runtime: bad input is one line naming the option or file, exit code 1, nothing written', async () => {
  await initEngine();
  const dir = mkdtempSync(join(tmpdir(), 'detseg-export-bad-'));
  try {
    const out = join(dir, 'x.onnx');
    const cases: Array<[string[], RegExp]> = [
      [['export', 'yolo9', '-o', out], /model: unknown model 'yolo9' \(expected classloc, .*unet, fcn\)/],
      [['export', 'faster-rcnn', '--format', 'tflite', '-o', out], /--format: must be onnx, got 'tflite'/],
      [['export', 'faster-rcnn', '--opset', '9', '-o', out], /--opset: must be an integer operator set in 13\.\.21, got 9/],
      [['export', 'faster-rcnn', '--imgsz', '100', '-o', out], /--imgsz: must be a positive multiple of the detector's stride 8, got 100/],
      [['export', 'classloc', '--imgsz', '128', '-o', out], /--imgsz: classification \+ localization takes 64² images only, got 128/],
      [['export', 'unet', '--weights', 'nope', '-o', out], /--weights: is neither a file nor a shipped U-Net checkpoint/],
      [['predict', 'faster-rcnn', '--source', dir, '--runtime', 'tvm'], /--runtime: must be tfjs or onnx, got 'tvm'/],
    ];
    for (const [args, message] of cases) {
      const r = runCli(args);
      assert.equal(r.code, 1, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message, args.join(' '));
      assert.equal(r.stderr.trim().split('\n').length, 1, `${args.join(' ')}: one line`);
      assert.equal(existsSync(out), false, `${args.join(' ')}: nothing written`);
    }
    // an ONNX file that is not a detector's, on the detector runtime; and a U-Net model as a detector
    const unet = join(dir, 'unet.onnx');
    writeFileSync(unet, segmenterOnnxBytes('unet', resolveUNetWeights('unet-lv-fold0')).bytes);
    const r1 = runCli(['val', 'faster-rcnn', '--runtime', 'tfjs', '--weights', unet, '--count', '1']);
    assert.equal(r1.code, 1);
    assert.match(r1.stderr, /unet\.onnx: --weights: is an ONNX model: run it with --runtime onnx/);
    const r2 = runCli(['val', 'faster-rcnn', '--runtime', 'onnx', '--weights', unet, '--count', '1']);
    assert.equal(r2.code, 1);
    assert.match(r2.stderr, /unet\.onnx: metadata_props.detseg.kind: unknown detector 'unet'/);
    const junk = join(dir, 'junk.onnx');
    writeFileSync(junk, Uint8Array.of(0x0a, 0xff, 0xff));
    const r3 = runCli(['val', 'faster-rcnn', '--runtime', 'onnx', '--weights', junk, '--count', '1']);
    assert.equal(r3.code, 1);
    assert.match(r3.stderr, /junk\.onnx: ModelProto: not an ONNX model/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
