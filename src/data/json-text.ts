import { readFileSync } from 'node:fs';
import { DetsegInputError } from '../util/errors.js';

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
 * Parses JSON text; malformed or truncated text throws a {@link DetsegInputError} naming `file` and the
 * line and column where parsing stopped.
 */
export function parseJsonText(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const pos = /position (\d+)/.exec(message);
    const offset = pos ? Number(pos[1]) : text.length;
    const { line, column } = lineColumn(text, offset);
    const truncated = offset >= text.trimEnd().length ? ' (the text ends early: truncated?)' : '';
    throw new DetsegInputError(`malformed JSON at line ${line}, column ${column}${truncated}: ${message}`, { file });
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
