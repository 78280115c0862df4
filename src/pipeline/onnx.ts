import * as ort from 'onnxruntime-node';
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { OnnxDetector } from '../onnx/detector.js';
import { exportDetector, modelBytes } from '../onnx/export.js';
import type { OrtBinding } from '../onnx/runtime.js';
import { DetsegInputError } from '../util/errors.js';
import { checkpointClasses, checkpointImageSize, loadDetector, resolveWeights } from './weights.js';

/**
 * The detectors on ONNX Runtime in Node (onnxruntime-node, CPU): `--runtime onnx` of predict, val and
 * the detector benchmark. A `.onnx` file given as weights is run as it is; a checkpoint is exported in
 * memory first (the graph `detseg export` writes).
 */

/** Which engine runs the network: TF.js (wasm) or ONNX Runtime. */
export type Runtime = 'tfjs' | 'onnx';

/** Checks a `--runtime` value. */
export function runtimeOption(value: string | undefined, field = '--runtime'): Runtime {
  const v = value ?? 'tfjs';
  if (v !== 'tfjs' && v !== 'onnx') throw new DetsegInputError(`must be tfjs or onnx, got '${v}'`, { field });
  return v;
}

/** Intra-op threads of the sessions: `$DETSEG_THREADS`, else 2 on a machine with 2 or more cores, else 1. */
export function ortThreads(): number {
  const env = Number(process.env.DETSEG_THREADS);
  return Number.isInteger(env) && env >= 1 ? env : Math.min(2, availableParallelism());
}

/** The onnxruntime-node binding (CPU, sequential execution, `threads` intra-op threads). */
export function nodeOrtBinding(threads = ortThreads()): OrtBinding {
  return {
    createSession: (bytes) => ort.InferenceSession.create(bytes, { intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' }),
    tensor: (data, dims) => new ort.Tensor('float32', data, dims),
  };
}

/** Whether `--weights` names an ONNX file. */
export function isOnnxFile(weights: string | undefined): boolean {
  return weights !== undefined && weights.toLowerCase().endsWith('.onnx');
}

/**
 * The ONNX model bytes of a detector checkpoint of `kind` (default: its shipped one), as `detseg export`
 * writes them, at letterbox side `imgsz` (default: the checkpoint's).
 */
export function detectorOnnxBytes(kind: string, weights?: string, options: { imgsz?: number; opset?: number } = {}): { bytes: Uint8Array; imgsz: number; path: string } {
  const path = resolveWeights(kind, weights);
  const detector = loadDetector(kind, path);
  try {
    const imgsz = options.imgsz ?? checkpointImageSize(detector.meta);
    const model = exportDetector(detector.family, detector.model, detector.meta, checkpointClasses(detector.meta), { imgsz, opset: options.opset, producerVersion: '0.1.0' });
    return { bytes: modelBytes(model), imgsz, path };
  } finally {
    detector.dispose();
  }
}

/**
 * A detector of `kind` on ONNX Runtime: `weights` an exported `.onnx` file (its kind must be `kind`), or
 * a checkpoint (name or file; default the shipped one) exported in memory at `imgsz`.
 */
export async function openOnnxDetector(kind: string, weights?: string, options: { imgsz?: number; field?: string } = {}): Promise<OnnxDetector> {
  const field = options.field ?? '--weights';
  if (isOnnxFile(weights)) {
    const path = resolve(weights!);
    if (!existsSync(path)) throw new DetsegInputError('does not exist', { file: path, field });
    const detector = await OnnxDetector.open(readFileSync(path), nodeOrtBinding(), path);
    if (detector.kind !== kind) {
      await detector.dispose();
      throw new DetsegInputError(`is a ${detector.kind} model, not ${kind}`, { file: path, field });
    }
    if (options.imgsz !== undefined && options.imgsz !== detector.imgsz) {
      await detector.dispose();
      throw new DetsegInputError(`the ONNX model takes ${detector.imgsz}² images, got ${options.imgsz} (export it again with --imgsz)`, { file: path, field: '--imgsz' });
    }
    return detector;
  }
  const { bytes, path } = detectorOnnxBytes(kind, weights, { imgsz: options.imgsz });
  return OnnxDetector.open(bytes, nodeOrtBinding(), path);
}
