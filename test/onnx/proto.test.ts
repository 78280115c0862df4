import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initEngine } from '../../src/engine/setup.js';
import { loadUNetCheckpoint } from '../../src/models/unet/checkpoint-meta.js';
import { GraphBuilder, attr } from '../../src/onnx/graph-builder.js';
import { modelOf } from '../../src/onnx/model-file.js';
import { decodeModel, encodeModel, metadataOf, ONNX_FLOAT } from '../../src/onnx/proto.js';
import { partModel } from '../../src/onnx/runtime.js';
import { resolveUNetWeights, segmenterOnnxBytes } from '../../src/pipeline/onnx.js';
import { DetsegInputError } from '../../src/util/errors.js';

test('onnx proto: hand-worked bytes of a ModelProto carry ONNX\'s field numbers', () => {
  // ir_version = 8: field 1, varint → 0x08 0x08; opset_import {domain '', version 17}: field 8,
  // length 2 → 0x42 0x02 (version: field 2 varint 0x10 0x11); producer_name 'd': field 2 → 0x12 0x01 'd';
  // metadata_props {key 'k', value 'v'}: field 14 → 0x72 0x06 (0x0a 0x01 'k' 0x12 0x01 'v').
  const bytes = encodeModel({ irVersion: 8, opsetImport: [{ domain: '', version: 17 }], producerName: 'd', producerVersion: '', graph: undefined as never, metadataProps: [{ key: 'k', value: 'v' }] });
  const hex = Buffer.from(bytes).toString('hex');
  for (const part of ['0808', '42021011', '120164', '72060a016b120176']) assert.ok(hex.includes(part), `${part} in ${hex}`);
  // a graph with one node: GraphProto is field 7 of the model, NodeProto field 1 of the graph, op_type field 4
  const g = new GraphBuilder();
  g.input('x', [1]);
  g.output('y', g.node('Relu', ['x'], [attr.i('k', 3)]), [1]);
  const withGraph = Buffer.from(encodeModel(modelOf(g, 'g', 17, {}, '0'))).toString('hex');
  assert.ok(withGraph.includes(Buffer.from('Relu').toString('hex')));
  assert.ok(withGraph.includes('2204' + Buffer.from('Relu').toString('hex')), 'op_type is field 4 (tag 0x22)');
  // attribute {name 'k', type INT (2, field 20 → tag 0xa0 0x01), i 3 (field 3 → 0x18 0x03)}
  assert.ok(withGraph.includes('0a016b') && withGraph.includes('1803') && withGraph.includes('a00102'), withGraph);
});

test('onnx proto: an exported U-Net reads back — operator set, metadata, nodes, and every weight as its layer holds it', async () => {
  await initEngine();
  const path = resolveUNetWeights('unet-lv-fold0');
  const { bytes } = segmenterOnnxBytes('unet', path, { opset: 13 });
  const model = decodeModel(bytes);
  assert.equal(model.irVersion, 7);
  assert.deepEqual(model.opsetImport.map((o) => [o.domain ?? '', o.version]), [['', 13]]);
  assert.equal(model.producerName, 'detseg');
  const meta = metadataOf(model);
  assert.equal(meta.get('detseg.kind'), 'unet');
  assert.equal(meta.get('detseg.multiple'), '8');
  assert.deepEqual(JSON.parse(meta.get('detseg.parts')!), [{ name: 'image', inputs: ['image'], outputs: ['logits'] }]);
  assert.deepEqual(model.graph.input.map((v) => [v.name, v.type.tensorType.shape!.dim.map((d) => d.dimValue ?? d.dimParam)]), [['image', ['batch', 'height', 'width', 1]]]);
  assert.equal(model.graph.output[0].name, 'logits');
  const { model: tfModel } = loadUNetCheckpoint(path);
  try {
    const convs = tfModel.layers.filter((l) => l.getClassName() === 'Conv2D');
    const deconvs = tfModel.layers.filter((l) => l.getClassName() === 'Conv2DTranspose');
    const count = (op: string) => model.graph.node.filter((n) => n.opType === op).length;
    assert.equal(count('Conv'), convs.length);
    assert.equal(count('ConvTranspose'), deconvs.length);
    assert.equal(count('MaxPool'), tfModel.layers.filter((l) => l.getClassName() === 'MaxPooling2D').length);
    for (const layer of [...convs, ...deconvs]) {
      const kernel = layer.weights.find((w) => w.originalName.endsWith('/kernel'))!.read();
      const [kh, kw, a, b] = kernel.shape; // conv: [kh, kw, in, out]; transposed: [kh, kw, out, in]
      const values = kernel.dataSync();
      const init = model.graph.initializer.find((t) => t.name === `${layer.name}/W`)!;
      assert.equal(init.dataType, ONNX_FLOAT);
      assert.deepEqual(init.dims, [b, a, kh, kw]);
      const view = new DataView(init.rawData.buffer, init.rawData.byteOffset, init.rawData.byteLength);
      for (let q = 0; q < values.length; q += 7) {
        // the kernel index (y, x, i, o) sits at [o, i, y, x]
        const o: number = q % b, i: number = Math.floor(q / b) % a, x: number = Math.floor(q / (a * b)) % kw, y: number = Math.floor(q / (a * b * kw));
        assert.equal(view.getFloat32(4 * (((o * a + i) * kh + y) * kw + x), true), values[q], `${layer.name}[${y},${x},${i},${o}]`);
      }
    }
  } finally {
    tfModel.dispose();
  }
  // decode → encode gives the same bytes
  assert.deepEqual(Buffer.from(encodeModel(model)), Buffer.from(bytes));
});

test('onnx proto: bad bytes and a part naming a value nothing produces are one-line DetsegInputErrors', () => {
  assert.throws(() => decodeModel(Uint8Array.of(0x0a, 0xff, 0xff, 0xff), 'bad.onnx'), (err: unknown) => err instanceof DetsegInputError && /^bad\.onnx: ModelProto: not an ONNX model \(/.test(err.message) && !err.message.includes('\n'));
  assert.throws(() => decodeModel(encodeModel({ irVersion: 8, opsetImport: [], producerName: '', producerVersion: '', graph: undefined as never, metadataProps: [] }), 'empty.onnx'), /empty\.onnx: ModelProto\.graph: has no graph/);
  const g = new GraphBuilder();
  g.input('x', [1]);
  g.output('y', g.node('Relu', ['x']), [1]);
  const model = modelOf(g, 'g', 17, {}, '0');
  assert.throws(() => partModel(model, { name: 'p', inputs: ['x'], outputs: ['z'] }), (err: unknown) => err instanceof DetsegInputError && /value 'z' of part 'p' has no producer/.test(err.message));
  assert.throws(() => partModel(model, { name: 'p', inputs: [], outputs: ['y'] }), /value 'x' of part 'p' has no producer/);
});
