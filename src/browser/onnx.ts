/**
 * detseg's ONNX export and its detectors on ONNX Runtime in the browser: `onnxruntime-web` (wasm; WebGPU
 * where the browser has it) runs the same `.onnx` file as `detseg export` writes, behind the same
 * TypeScript post-processing as in Node. The page passes its `onnxruntime-web` module to
 * {@link webOrtBinding}; this entry imports no ONNX Runtime itself. Its npm imports are `@tensorflow/tfjs`
 * (the detector settings are rebuilt from the model options in the file) and `protobufjs` (the
 * ModelProto), which a page maps with an import map; protobufjs ships a script build that sets
 * `globalThis.protobuf`, so a one-line module (`export default globalThis.protobuf;`) can stand for it.
 *
 * `test/browser/onnx.test.ts` runs an exported Faster R-CNN, Mask R-CNN, YOLOv1 and SSD in headless Chromium and
 * compares the detections with Node's (onnxruntime-node).
 */

import type { OrtBinding, OrtSessionLike, OrtTensorLike } from '../onnx/runtime.js';

export { OnnxDetector } from '../onnx/detector.js';
export { PartSessions, partModel, partsOf, type OrtBinding, type OrtSessionLike, type OrtTensorLike } from '../onnx/runtime.js';
export { exportDetector, exportSegmenter, modelBytes, ONNX_EXPORT_FORMAT, type OnnxPart } from '../onnx/export.js';
export { decodeModel, encodeModel, metadataOf, type OnnxModel } from '../onnx/proto.js';
export { detectorFromCheckpointBytes } from '../models/registry.js';
export { DetsegInputError } from '../util/errors.js';

/** What {@link webOrtBinding} needs of the `onnxruntime-web` module. */
export interface OrtWebModule {
  InferenceSession: { create(model: Uint8Array, options?: Record<string, unknown>): Promise<OrtSessionLike> };
  Tensor: new (type: 'float32', data: Float32Array, dims: readonly number[]) => OrtTensorLike;
}

/**
 * An {@link OrtBinding} over the page's `onnxruntime-web` module: sessions on `executionProviders`
 * (default `['wasm']`; e.g. `['webgpu', 'wasm']` where `navigator.gpu` exists).
 */
export function webOrtBinding(ort: OrtWebModule, executionProviders: string[] = ['wasm']): OrtBinding {
  return {
    createSession: (bytes) => ort.InferenceSession.create(bytes, { executionProviders }),
    tensor: (data, dims) => new ort.Tensor('float32', data, dims),
  };
}
