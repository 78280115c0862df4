/** A function that throws: the stand-in for a Node-only function in the browser model test's import map. */
export function unavailable(module: string, name: string): () => never {
  return () => {
    throw new Error(`${module} ${name} is not available in the browser`);
  };
}
