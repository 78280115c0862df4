// Shared by the example pages: a module that fails to load (no build yet) fires `error` at its script
// element, not at window. Says so in #status and sets data-status="error" on <body> (the browser tests
// wait for data-status). Load as a classic script before the page's module, with data-entry naming the
// module the page imports.
{
  const entry = document.currentScript?.dataset.entry ?? 'the compiled package';
  addEventListener('error', (event) => {
    if (!(event.target instanceof HTMLScriptElement)) return;
    document.getElementById('status').textContent =
      `Could not load ${entry}: build the package first (npm run build) and serve the package root (node dist/scripts/serve.js).`;
    document.body.dataset.status = 'error';
  }, true);
}
