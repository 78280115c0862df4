/**
 * Errors raised on bad input. Every message names where the problem is: the file (when there is one),
 * the field, and the index of the record, so that a user can find and fix it.
 */
export class DetsegInputError extends Error {
  /** File the bad input came from, when known. */
  readonly file?: string;
  /** Field (JSON path, XML element, argument name) that is wrong. */
  readonly field?: string;

  constructor(message: string, where: { file?: string; field?: string } = {}) {
    const prefix = [where.file, where.field].filter((s) => s !== undefined && s !== '').join(': ');
    // one line always: parts quoted from a file or a library may hold line breaks or raw bytes
    super(oneLine(prefix ? `${prefix}: ${message}` : message, Infinity));
    this.name = 'DetsegInputError';
    this.file = where.file;
    this.field = where.field;
  }
}

/** Throws a {@link DetsegInputError} unless `condition` holds. */
export function check(condition: unknown, message: string, where: { file?: string; field?: string } = {}): asserts condition {
  if (!condition) throw new DetsegInputError(message, where);
}

/**
 * `text` as one clean line for an error message: control characters and line breaks (libraries pass on
 * multi-line messages and raw bytes) become single spaces, and very long text is cut at `max` characters.
 */
export function oneLine(text: string, max = 300): string {
  const clean = text.replace(/[\u0000-\u001f\u007f-\u009f\ufffd]+/g, ' ').replace(/\s+/g, ' ').trim();
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}
