import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseJsonText } from '../../src/data/json-text.js';
import { DetsegInputError } from '../../src/util/errors.js';

/** The message of the input error `parseJsonText(text)` throws. */
function message(text: string): string {
  try {
    parseJsonText(text, 'f.json');
  } catch (err) {
    assert.ok(err instanceof DetsegInputError, String(err));
    assert.ok(!err.message.includes('\n'), err.message);
    return err.message;
  }
  assert.fail(`parsed: ${JSON.stringify(text)}`);
}

test('JSON syntax errors: the position where the parser gives one, none otherwise; "truncated" only for text that ends early', () => {
  // hand-counted: `{"a" 1}` stops at the 1 (offset 5 → column 6)
  assert.match(message('{"a" 1}'), /^f\.json: malformed JSON at line 1, column 6: Expected ':'/);
  assert.match(message('{"a":\n  [1,\n  2 x]}'), /^f\.json: malformed JSON at line 3, column 5: /);
  assert.match(message('{"a":1'), /at line 1, column 7 \(the text ends early: truncated\?\)/);
  assert.match(message('[1, 2'), /truncated\?/);
  assert.equal(message('   '), 'f.json: malformed JSON: the file is empty');
  // no position from the parser: no position and no "truncated" in the message
  for (const [text, expected] of [
    ['NaN', /^f\.json: malformed JSON: not valid JSON \(NaN and Infinity are not JSON numbers\)$/],
    ['{"a": NaN}', /^f\.json: malformed JSON: unexpected 'N' \(NaN and Infinity/],
    ['\ufeff{"a": 1}', /^f\.json: malformed JSON: the text starts with a byte-order mark/],
    ['{\u0000"\u0000a\u0000"\u0000', /^f\.json: malformed JSON: the text holds NUL characters \(UTF-16 or binary/],
    ['{"a":\n tru}', /^f\.json: malformed JSON: unexpected '}'$/],
    ['\u0089PNG\r\n\u001a\n', /^f\.json: malformed JSON: unexpected/],
  ] as const) {
    const m = message(text);
    assert.match(m, expected);
    assert.doesNotMatch(m, /truncated|at line/);
  }
});
