import type { Command } from 'commander';
import { resolve } from 'node:path';
import { initEngine } from '../../engine/setup.js';
import { detectorKinds } from '../../models/registry.js';
import { DEFAULT_OPSET, OPSET_RANGE, checkOpset } from '../../onnx/model-file.js';
import { decodeModel, metadataOf } from '../../onnx/proto.js';
import { SEGMENTER_KINDS, detectorOnnxBytes, segmenterOnnxBytes } from '../../pipeline/onnx.js';
import { writeFileAtomic } from '../../util/atomic.js';
import { DetsegInputError } from '../../util/errors.js';
import { wholeNumber } from '../options.js';

/**
 * `detseg export <model> [--weights W] [--format onnx] [-o model.onnx] [--imgsz S] [--opset N]`: a
 * detector checkpoint, the U-Net or the FCN as an ONNX model (see docs/onnx.md), written atomically.
 */
export function registerExport(program: Command): void {
  const models = [...detectorKinds(), ...SEGMENTER_KINDS];
  program
    .command('export')
    .description('export a model to ONNX (the network; post-processing settings in its metadata)')
    .argument('<model>', `one of ${models.join(', ')}`)
    .option('--weights <file|name>', 'checkpoint file or shipped name (default: the shipped one; fcn: its initial weights)')
    .option('--format <format>', 'output format (onnx)', 'onnx')
    .option('-o, --out <file>', 'output file (default: <model>.onnx)')
    .option('--imgsz <pixels>', 'letterboxed input side fixed in the graph (detectors: default the checkpoint\'s; unet, fcn: default any size)')
    .option('--opset <n>', `ONNX operator set, ${OPSET_RANGE[0]}..${OPSET_RANGE[1]}`, String(DEFAULT_OPSET))
    .option('--model-options <json>', 'fcn without --weights: options of the FCN, e.g. \'{"stages":3}\'')
    .action(async (model: string, opts: { weights?: string; format: string; out?: string; imgsz?: string; opset: string; modelOptions?: string }) => {
      if (!models.includes(model)) throw new DetsegInputError(`unknown model '${model}' (expected ${models.join(', ')})`, { field: 'model' });
      if (opts.format !== 'onnx') throw new DetsegInputError(`must be onnx, got '${opts.format}'`, { field: '--format' });
      const opset = checkOpset(wholeNumber(opts.opset, '--opset', 1));
      const imgsz = opts.imgsz === undefined ? undefined : wholeNumber(opts.imgsz, '--imgsz', 1);
      let modelOptions: Record<string, unknown> | undefined;
      if (opts.modelOptions !== undefined) {
        if (model !== 'fcn') throw new DetsegInputError('applies to fcn only', { field: '--model-options' });
        try {
          modelOptions = JSON.parse(opts.modelOptions) as Record<string, unknown>;
        } catch {
          modelOptions = undefined;
        }
        if (typeof modelOptions !== 'object' || modelOptions === null || Array.isArray(modelOptions)) throw new DetsegInputError(`must be a JSON object of FCN options, got '${opts.modelOptions}'`, { field: '--model-options' });
      }
      const out = resolve(opts.out ?? `${model}.onnx`);
      await initEngine();
      const { bytes, path } = (SEGMENTER_KINDS as readonly string[]).includes(model)
        ? segmenterOnnxBytes(model as 'unet' | 'fcn', opts.weights, { imgsz, opset, modelOptions })
        : detectorOnnxBytes(model, opts.weights, { imgsz, opset });
      const meta = metadataOf(decodeModel(bytes, out)); // what was written reads back
      writeFileAtomic(out, bytes, '--out');
      process.stdout.write(`${model}${path ? ` (${path})` : ''} → ${out}: ${(bytes.length / 1e6).toFixed(2)} MB, opset ${opset}, parts ${JSON.parse(meta.get('detseg.parts') ?? '[]').map((p: { name: string }) => p.name).join(', ')}${meta.has('detseg.imgsz') ? `, input ${meta.get('detseg.imgsz')}²` : ''}\n`);
    });
}
