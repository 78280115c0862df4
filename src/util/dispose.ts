/**
 * Runs `work`, then `dispose` (freeing models, tensors). When `work` fails, that failure is the one
 * reported: a clean-up after a failed run (wasm memory exhausted) may fail too, and in a `finally` its
 * error would replace the first one.
 */
export async function runThenDispose<T>(work: () => Promise<T> | T, dispose: () => unknown): Promise<T> {
  let result: T;
  try {
    result = await work();
  } catch (err) {
    try {
      dispose();
    } catch {
      /* the run already failed: its own error is the one to report */
    }
    throw err;
  }
  dispose();
  return result;
}
