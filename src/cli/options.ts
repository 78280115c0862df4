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
