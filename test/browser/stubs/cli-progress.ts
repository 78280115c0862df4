/** Stand-in for `cli-progress` (training progress bars) in the browser model test's import map (see `node-fs.ts`). */
export default {};
