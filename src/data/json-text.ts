import { readFileSync } from 'node:fs';
import { DetsegInputError, oneLine } from '../util/errors.js';

/** Line and column (1-based) of a character offset in `text`. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/**
 * Parses JSON text; malformed or truncated text throws a {@link DetsegInputError} naming `file`, with the
 * line and column where parsing stopped when the parser tells it (it does not for every error: then no
 * position is given rather than a guessed one). Only text that really ends early is called truncated.
 */
export function parseJsonText(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const message = oneLine(err instanceof Error ? err.message : String(err));
    if (text.trim() === '') throw new DetsegInputError('malformed JSON: the file is empty', { file });
    if (text.charCodeAt(0) === 0xfeff) throw new DetsegInputError('malformed JSON: the text starts with a byte-order mark (U+FEFF), which JSON does not allow', { file });
    if (text.includes('\u0000')) throw new DetsegInputError('malformed JSON: the text holds NUL characters (UTF-16 or binary data? JSON is UTF-8 text)', { file });
    const pos = /position (\d+)/.exec(message);
    if (pos) {
      const offset = Number(pos[1]);
      const { line, column } = lineColumn(text, offset);
      const truncated = offset >= text.trimEnd().length ? ' (the text ends early: truncated?)' : '';
      throw new DetsegInputError(`malformed JSON at line ${line}, column ${column}${truncated}: ${message}`, { file });
    }
    if (/end of JSON input/i.test(message)) throw new DetsegInputError('malformed JSON: the text ends early (truncated?)', { file });
    // the parser quotes the text around the error instead of giving a position: keep the token, drop the quote
    const token = /^Unexpected token '(.*?)',/.exec(message);
    const what = token ? `unexpected '${token[1]}'` : message.replace(/,? ".*" is not valid JSON$/, '').replace(/^".*" is not valid JSON$/, 'not valid JSON');
    throw new DetsegInputError(`malformed JSON: ${what}${/NaN|Infinity/.test(text) && /'[NI]'|not valid JSON/.test(message) ? ' (NaN and Infinity are not JSON numbers)' : ''}`, { file });
  }
}

/** Reads a UTF-8 text file; a missing or unreadable file throws a {@link DetsegInputError} naming it. */
export function readTextFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new DetsegInputError(`cannot read: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { file });
  }
}

/** Reads and parses a JSON file; a missing file or bad JSON throws a {@link DetsegInputError} naming it. */
export function readJsonFile(file: string): unknown {
  return parseJsonText(readTextFile(file), file);
}
