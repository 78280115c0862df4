import { DetsegInputError } from '../util/errors.js';

/**
 * Parses a command-line option that must be a whole number in `min..max` (digits only: no sign, no
 * exponent, no fraction). Throws a {@link DetsegInputError} naming the option otherwise.
 */
export function wholeNumber(value: string, option: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n) || n < min || n > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `in ${min}..${max}`;
    throw new DetsegInputError(`must be a whole number ${range}, got '${value}'`, { field: option });
  }
  return n;
}

/** Parses a command-line option that must be a finite number > 0. */
export function positiveNumber(value: string, option: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) throw new DetsegInputError(`must be a positive number, got '${value}'`, { field: option });
  return n;
}

/** Parses a command-line option that must be a number in [0, 1] (a threshold, a score); empty is an error, not 0. */
export function unitInterval(value: string, option: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1) throw new DetsegInputError(`must be a number in [0, 1], got '${value}'`, { field: option });
  return n;
}

/** Parses a command-line option that must be a JSON object (model options); absent is `{}`. */
export function jsonObjectOption(value: string | undefined, option: string): Record<string, unknown> {
  if (value === undefined) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new DetsegInputError(`must be a JSON object of model options, got '${value}'`, { field: option });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new DetsegInputError(`must be a JSON object of model options, got '${value}'`, { field: option });
  return parsed as Record<string, unknown>;
}
