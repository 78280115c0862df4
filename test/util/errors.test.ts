import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DetsegInputError, oneLine } from '../../src/util/errors.js';

test('DetsegInputError: file and field prefixed, always one line (quoted line breaks and raw bytes become spaces)', () => {
  assert.equal(new DetsegInputError('is missing', { file: 'a.xml', field: 'size.width' }).message, 'a.xml: size.width: is missing');
  assert.equal(new DetsegInputError('bad header (Unexpected token \'L\', ..."set":18},\nLgroup"...)', { file: 'f.ckpt' }).message, 'f.ckpt: bad header (Unexpected token \'L\', ..."set":18}, Lgroup"...)');
  assert.equal(new DetsegInputError('vips: error\r\n\u0000\u0001png: bad\n').message, 'vips: error png: bad');
  assert.equal(oneLine('a\n\n  b\tc\u001b[31m'), 'a b c [31m');
  assert.equal(oneLine('x'.repeat(10), 5), 'xxxx…');
});
