import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveRequestPath, serveStatic } from '../../scripts/serve.js';

/** The static server of the browser example and test (`scripts/serve.ts`; tested here beside its users). */

test('resolveRequestPath maps URL paths into the mounts (longest prefix first) and refuses paths out of them', () => {
  const mounts = [{ prefix: '/', dir: '/srv/root' }, { prefix: '/dist/', dir: '/tmp/build' }];
  assert.equal(resolveRequestPath(mounts, '/examples/browser/index.html'), '/srv/root/examples/browser/index.html');
  assert.equal(resolveRequestPath(mounts, '/dist/src/browser/index.js'), '/tmp/build/src/browser/index.js');
  assert.equal(resolveRequestPath(mounts, '/a%20b.txt'), '/srv/root/a b.txt');
  assert.equal(resolveRequestPath(mounts, '/'), '/srv/root');
  assert.equal(resolveRequestPath(mounts, '/../etc/passwd'), undefined);
  assert.equal(resolveRequestPath(mounts, '/dist/%2e%2e/%2e%2e/etc/passwd'), undefined);
  assert.equal(resolveRequestPath(mounts, '/%E0%A4%A'), undefined); // malformed escape
  assert.equal(resolveRequestPath([{ prefix: '/only/', dir: '/x' }], '/elsewhere'), undefined);
});

test('serveStatic serves files with the MIME types a browser needs for modules and wasm, index.html for folders, 404 otherwise', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'detseg-serve-'));
  const server = await serveStatic([{ prefix: '/', dir }]);
  try {
    mkdirSync(join(dir, 'page'));
    writeFileSync(join(dir, 'page', 'index.html'), '<p>hi</p>');
    writeFileSync(join(dir, 'm.js'), 'export const x = 1;');
    writeFileSync(join(dir, 'k.wasm'), new Uint8Array([0, 97, 115, 109]));
    const get = (path: string, method = 'GET') => fetch(server.url + path, { method });

    const page = await get('/page/');
    assert.equal(page.status, 200);
    assert.equal(page.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal(await page.text(), '<p>hi</p>');
    const module = await get('/m.js');
    assert.equal(module.headers.get('content-type'), 'text/javascript; charset=utf-8');
    assert.equal(await module.text(), 'export const x = 1;');
    const wasm = await get('/k.wasm');
    assert.equal(wasm.headers.get('content-type'), 'application/wasm');
    assert.deepEqual(new Uint8Array(await wasm.arrayBuffer()), new Uint8Array([0, 97, 115, 109]));
    const head = await get('/m.js', 'HEAD');
    assert.equal(head.headers.get('content-length'), '19');
    assert.equal((await get('/missing.js')).status, 404);
    assert.equal((await get('/')).status, 404); // a folder without index.html: no listing
    assert.equal((await get('/m.js', 'POST')).status, 405);
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
