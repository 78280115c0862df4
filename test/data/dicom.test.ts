import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { decodeDicom, percentileWindow } from '../../src/data/dicom.js';
import { DetsegInputError } from '../../src/util/errors.js';
import { assetsDir } from '../../src/util/paths.js';
import { mulberry32 } from '../../src/util/random.js';
import { sharedData } from '../helpers/shared.js';

/** One data element for the tiny DICOM writer below: tag (group, element), VR, value bytes. */
interface El {
  group: number;
  element: number;
  vr: string;
  value: Uint8Array;
}

const ascii = (s: string) => new Uint8Array([...(s.length % 2 ? `${s} ` : s)].map((c) => c.charCodeAt(0)));
const us = (v: number, le = true) => {
  const b = new Uint8Array(2);
  new DataView(b.buffer).setUint16(0, v, le);
  return b;
};

/**
 * Writes a minimal DICOM Part-10 file in explicit VR (little or big endian): preamble, "DICM", the
 * meta group (transfer syntax), then the data elements in the order given. Hand-rolled from PS3.5 §7.1
 * so the decoder is tested against bytes it did not produce.
 */
function writeDicom(elements: El[], syntax = '1.2.840.10008.1.2.1'): Uint8Array {
  const le = syntax !== '1.2.840.10008.1.2.2';
  const chunks: number[] = [];
  const push = (bytes: Uint8Array) => chunks.push(...bytes);
  const encode = (e: El, littleEndian: boolean) => {
    const head = new Uint8Array(12);
    const v = new DataView(head.buffer);
    v.setUint16(0, e.group, littleEndian);
    v.setUint16(2, e.element, littleEndian);
    head[4] = e.vr.charCodeAt(0);
    head[5] = e.vr.charCodeAt(1);
    if (['OB', 'OW', 'SQ', 'UN', 'UT'].includes(e.vr)) {
      v.setUint32(8, e.value.length, littleEndian);
      push(head);
    } else {
      v.setUint16(6, e.value.length, littleEndian);
      push(head.subarray(0, 8));
    }
    push(e.value);
  };
  push(new Uint8Array(128));
  push(ascii('DICM'));
  const ts = ascii(syntax.length % 2 ? `${syntax}\0` : syntax); // UI values pad with NUL
  const meta: El = { group: 0x0002, element: 0x0010, vr: 'UI', value: ts };
  const groupLength = new Uint8Array(4);
  new DataView(groupLength.buffer).setUint32(0, 8 + ts.length, true);
  encode({ group: 0x0002, element: 0x0000, vr: 'UL', value: groupLength }, true);
  encode(meta, true);
  for (const e of elements) encode(e, le);
  return new Uint8Array(chunks);
}

/** Image elements of a rows×cols 16-bit image with the given stored values. */
function imageElements(rows: number, cols: number, stored: number[], opts: { signed?: boolean; bitsStored?: number; slope?: string; intercept?: string; le?: boolean; pixelData?: boolean } = {}): El[] {
  const le = opts.le ?? true;
  const els: El[] = [
    { group: 0x0020, element: 0x0013, vr: 'IS', value: ascii('7') },
    { group: 0x0028, element: 0x0002, vr: 'US', value: us(1, le) },
    { group: 0x0028, element: 0x0004, vr: 'CS', value: ascii('MONOCHROME2') },
    { group: 0x0028, element: 0x0010, vr: 'US', value: us(rows, le) },
    { group: 0x0028, element: 0x0011, vr: 'US', value: us(cols, le) },
    { group: 0x0028, element: 0x0030, vr: 'DS', value: ascii('0.5\\0.75') },
    { group: 0x0028, element: 0x0100, vr: 'US', value: us(16, le) },
    { group: 0x0028, element: 0x0101, vr: 'US', value: us(opts.bitsStored ?? 16, le) },
    { group: 0x0028, element: 0x0102, vr: 'US', value: us((opts.bitsStored ?? 16) - 1, le) },
    { group: 0x0028, element: 0x0103, vr: 'US', value: us(opts.signed ? 1 : 0, le) },
  ];
  if (opts.intercept !== undefined) els.push({ group: 0x0028, element: 0x1052, vr: 'DS', value: ascii(opts.intercept) });
  if (opts.slope !== undefined) els.push({ group: 0x0028, element: 0x1053, vr: 'DS', value: ascii(opts.slope) });
  if (opts.pixelData !== false) {
    const px = new Uint8Array(2 * stored.length);
    const v = new DataView(px.buffer);
    stored.forEach((s, i) => v.setUint16(2 * i, s & 0xffff, le));
    els.push({ group: 0x7fe0, element: 0x0010, vr: 'OW', value: px });
  }
  return els;
}

describe('decodeDicom', () => {
  test('signed 16-bit with rescale: hand-worked values (stored·slope + intercept)', () => {
    // stored int16 values -5, 0, 3, 32767, -32768, 100; slope 2, intercept -1
    const bytes = writeDicom(imageElements(2, 3, [-5, 0, 3, 32767, -32768, 100], { signed: true, slope: '2', intercept: '-1' }));
    const img = decodeDicom(bytes, 'a.dcm');
    assert.equal(img.height, 2);
    assert.equal(img.width, 3);
    assert.deepEqual(Array.from(img.pixels), [-11, -1, 5, 65533, -65537, 199]);
    assert.deepEqual(img.pixelSpacingMm, [0.5, 0.75]);
    assert.equal(img.instanceNumber, 7);
  });

  test('the same bytes read unsigned when PixelRepresentation is 0', () => {
    const img = decodeDicom(writeDicom(imageElements(1, 3, [-5, 0, 65535])), 'u.dcm');
    assert.deepEqual(Array.from(img.pixels), [65531, 0, 65535]);
  });

  test('12 bits stored, signed: sign-extended from bit 11, high bits ignored', () => {
    // 0x0FFF = -1 in 12-bit two's complement; 0x07FF = 2047; 0xF800 has garbage in the top 4 bits → 0x800 = -2048
    const img = decodeDicom(writeDicom(imageElements(1, 3, [0x0fff, 0x07ff, 0xf800], { signed: true, bitsStored: 12 })), 'b12.dcm');
    assert.deepEqual(Array.from(img.pixels), [-1, 2047, -2048]);
  });

  test('explicit VR big endian', () => {
    const bytes = writeDicom(imageElements(1, 2, [-2, 513], { signed: true, le: false }), '1.2.840.10008.1.2.2');
    assert.deepEqual(Array.from(decodeDicom(bytes, 'be.dcm').pixels), [-2, 513]);
  });

  test('gzip-compressed files decode to the same pixels', () => {
    const bytes = writeDicom(imageElements(2, 2, [1, 2, 3, 4]));
    assert.deepEqual(decodeDicom(gzipSync(bytes), 'x.dcm.gz'), decodeDicom(bytes, 'x.dcm'));
  });

  test('bad input: clear errors naming the file and the field', () => {
    const check = (fn: () => unknown, pattern: RegExp) =>
      assert.throws(fn, (e: unknown) => e instanceof DetsegInputError && pattern.test(e.message), String(pattern));
    check(() => decodeDicom(new TextEncoder().encode('hello, not a dicom'), 'notes.txt'), /^notes\.txt: not a DICOM/);
    const random = mulberry32(3);
    const noise = Uint8Array.from({ length: 4096 }, () => Math.floor(random() * 256));
    check(() => decodeDicom(noise, 'noise.dcm'), /^noise\.dcm: not a DICOM/);
    check(() => decodeDicom(writeDicom(imageElements(2, 2, [1, 2, 3, 4], { pixelData: false })), 'nopix.dcm'), /^nopix\.dcm: PixelData \(7FE0,0010\): no PixelData/);
    // wrong size: header says 4×4 but only 4 pixels are stored
    check(() => decodeDicom(writeDicom(imageElements(4, 4, [1, 2, 3, 4])), 'small.dcm'), /^small\.dcm: PixelData.*holds 8 bytes, expected 32/);
    const good = writeDicom(imageElements(4, 4, Array.from({ length: 16 }, (_, i) => i)));
    check(() => decodeDicom(good.subarray(0, good.length - 10), 'cut.dcm'), /^cut\.dcm: malformed or truncated DICOM \(.*buffer overrun\)$/);
    check(() => decodeDicom(gzipSync(good).subarray(0, 40), 'cut.dcm.gz'), /^cut\.dcm\.gz: truncated or corrupt gzip/);
    check(() => decodeDicom(writeDicom(imageElements(2, 2, [1, 2, 3, 4]), '1.2.840.10008.1.2.4.50'), 'jpeg.dcm'), /^jpeg\.dcm: TransferSyntaxUID.*not supported/);
  });

  test('hostile input: a gzip bomb stops at the inflation limit, unreadable pixel spacing is an error, mutated headers stay input errors', () => {
    const check = (fn: () => unknown, pattern: RegExp) =>
      assert.throws(fn, (e: unknown) => e instanceof DetsegInputError && pattern.test(e.message) && !e.message.includes('\n'), String(pattern));
    // 64 MiB of zeros after a valid header gzip to ~64 KB; with a 1 MiB limit inflation stops early
    const good = writeDicom(imageElements(2, 2, [1, 2, 3, 4]));
    const bomb = gzipSync(Buffer.concat([Buffer.from(good), Buffer.alloc(64 * 1024 * 1024)]));
    assert.ok(bomb.length < 200_000);
    check(() => decodeDicom(bomb, 'bomb.dcm.gz', { maxInflatedBytes: 1 << 20 }), /^bomb\.dcm\.gz: gzip data inflates past 1048576 bytes/);
    assert.deepEqual(Array.from(decodeDicom(gzipSync(good), 'ok.dcm.gz', { maxInflatedBytes: good.length }).pixels), [1, 2, 3, 4]);
    const spacing = (value: string) => imageElements(2, 2, [1, 2, 3, 4]).map((e) => (e.element === 0x0030 && e.group === 0x0028 ? { ...e, value: ascii(value) } : e));
    check(() => decodeDicom(writeDicom(spacing('abc\\0.5')), 'sp.dcm'), /^sp\.dcm: PixelSpacing \(0028,0030\): must be two positive numbers/);
    check(() => decodeDicom(writeDicom(spacing('0.5')), 'sp1.dcm'), /^sp1\.dcm: PixelSpacing/);
    assert.deepEqual(decodeDicom(writeDicom(spacing('0.5\\2')), 'ok.dcm').pixelSpacingMm, [0.5, 2]);
    // every single-byte change of the header keeps the failure an input error (the parser's own errors included)
    const header = good.length - 8;
    for (let i = 128; i < header; i++) {
      for (const b of [0x00, 0xff, 0x41]) {
        const bytes = good.slice();
        bytes[i] = b;
        try {
          decodeDicom(bytes, 'm.dcm');
        } catch (err) {
          assert.ok(err instanceof DetsegInputError, `byte ${i} = ${b}: ${err}`);
        }
      }
    }
  });

  test('a real Sunnybrook slice: header fields, and pixels equal to the raw int16 tail of the file', (t) => {
    const dir = sharedData(t, 'sunnybrook_lv_subset', 'dicoms', 'SCD0000101');
    if (!dir) return;
    const bytes = new Uint8Array(readFileSync(join(dir, '48.dcm')));
    const img = decodeDicom(bytes, '48.dcm');
    assert.equal(img.height, 256);
    assert.equal(img.width, 256);
    assert.equal(img.instanceNumber, 48);
    assert.deepEqual(img.pixelSpacingMm, [1.367188, 1.367188]);
    // Reference independent of dicom-parser: PixelData is the file's last element, so its 256·256
    // little-endian int16 values are the last 131072 bytes (PixelRepresentation 1, no rescale).
    const tail = bytes.slice(bytes.length - 2 * 256 * 256);
    const expected = new Int16Array(tail.buffer);
    assert.deepEqual(img.pixels, Float32Array.from(expected));
    // the embedded copy is gzip-compressed and must decode to the same pixels
    const embedded = decodeDicom(new Uint8Array(readFileSync(assetsDir('sunnybrook', 'dicoms', 'SCD0000101', '48.dcm.gz'))), '48.dcm.gz');
    assert.deepEqual(embedded.pixels, img.pixels);
  });
});

describe('percentileWindow', () => {
  test('hand-worked: 0..100 with the 1%–99% window maps v to (v − 1) / 98, clamped', () => {
    const px = Float32Array.from({ length: 101 }, (_, i) => 100 - i); // unsorted on purpose
    const out = percentileWindow(px);
    for (let i = 0; i < 101; i++) {
      const v = 100 - i;
      const expected = Math.min(1, Math.max(0, (v - 1) / 98));
      assert.ok(Math.abs(out[i] - expected) < 1e-6, `v=${v}: ${out[i]} vs ${expected}`);
    }
  });

  test('matches a naive sort-based window on random data, and a constant image maps to 0', () => {
    const random = mulberry32(11);
    const px = Float32Array.from({ length: 1000 }, () => Math.round(random() * 900 - 50));
    const sorted = Array.from(px).sort((a, b) => a - b);
    const lo = sorted[Math.round(0.05 * 999)];
    const hi = sorted[Math.round(0.9 * 999)];
    const out = percentileWindow(px, 0.05, 0.9);
    for (let i = 0; i < px.length; i++) {
      const expected = Math.min(1, Math.max(0, (px[i] - lo) / (hi - lo)));
      assert.ok(Math.abs(out[i] - expected) < 1e-6);
    }
    assert.deepEqual(percentileWindow(new Float32Array(5).fill(3)), new Float32Array(5));
    assert.throws(() => percentileWindow(px, 0.9, 0.1), DetsegInputError);
  });
});
