/**
 * A tiny static file server for the browser example and the browser test: serves the package root (so
 * `/examples/browser/` and `/dist/src/browser/index.js`, the compiled browser entry) on localhost, with
 * the MIME types a browser needs to load ES modules (`text/javascript`) and WebAssembly. Read-only, GET
 * and HEAD only, no directory listings; paths that leave a served folder are refused.
 *
 *   npm run build                      # once: tsc writes dist/
 *   node dist/scripts/serve.js         # then open http://localhost:8080/examples/browser/
 *   node dist/scripts/serve.js --port 9000 --build /tmp/detseg-browser-build   # /dist/ from another tsc outDir
 */
import { createReadStream, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DetsegInputError } from '../src/util/errors.js';
import { packageRoot } from '../src/util/paths.js';

/** A URL prefix (starting and ending with `/`) served from a folder. */
export interface Mount {
  prefix: string;
  dir: string;
}

/** A running server: its base URL (`http://127.0.0.1:<port>`) and how to stop it. */
export interface StaticServer {
  url: string;
  close(): Promise<void>;
}

const MIME_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/plain; charset=utf-8',
};

/** The file a URL path names under the mounts (longest prefix first), or undefined when none does. */
export function resolveRequestPath(mounts: readonly Mount[], urlPath: string): string | undefined {
  let path: string;
  try {
    path = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (path.includes('\0')) return undefined;
  const mount = [...mounts].sort((a, b) => b.prefix.length - a.prefix.length).find((m) => path.startsWith(m.prefix));
  if (!mount) return undefined;
  const root = resolve(mount.dir);
  const file = resolve(root, '.' + sep + path.slice(mount.prefix.length));
  if (file !== root && !file.startsWith(root + sep)) return undefined; // `..` out of the folder
  return file;
}

/**
 * Serves `mounts` over HTTP on `host:port` (port 0: an ephemeral one). A folder's URL serves its
 * `index.html`. Unknown extensions are sent as `application/octet-stream`.
 */
export function serveStatic(mounts: readonly Mount[], port = 0, host = '127.0.0.1'): Promise<StaticServer> {
  const server = createServer((request, response) => {
    const method = request.method ?? 'GET';
    if (method !== 'GET' && method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    let file = resolveRequestPath(mounts, new URL(request.url ?? '/', 'http://localhost').pathname);
    let stat = file === undefined ? undefined : statSync(file, { throwIfNoEntry: false });
    if (file !== undefined && stat?.isDirectory()) {
      file = join(file, 'index.html');
      stat = statSync(file, { throwIfNoEntry: false });
    }
    if (file === undefined || !stat?.isFile()) {
      response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end(`not found: ${request.url}\n`);
      return;
    }
    response.writeHead(200, {
      'content-type': MIME_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
      'content-length': stat.size,
      'cache-control': 'no-store',
    });
    if (method === 'HEAD') response.end();
    else createReadStream(file).pipe(response);
  });
  return new Promise((done, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => {
      const address = server.address() as AddressInfo;
      done({
        url: `http://${host}:${address.port}`,
        close: () => new Promise<void>((closed) => {
          server.closeAllConnections();
          server.close(() => closed());
        }),
      });
    });
  });
}

/** Command line: `serve [--port 8080] [--host 127.0.0.1] [--build DIR]`. */
async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { port: { type: 'string', default: '8080' }, host: { type: 'string', default: '127.0.0.1' }, build: { type: 'string' } } });
  const port = Number(values.port);
  if (!(Number.isInteger(port) && port >= 0 && port < 65536)) throw new DetsegInputError(`must be an integer port in 0..65535, got '${values.port}'`, { field: '--port' });
  const root = packageRoot();
  const mounts: Mount[] = [{ prefix: '/', dir: root }];
  if (values.build !== undefined) mounts.push({ prefix: '/dist/', dir: resolve(values.build) });
  const server = await serveStatic(mounts, port, values.host);
  console.log(`serving ${root}${values.build ? ` (/dist/ from ${resolve(values.build)})` : ''} at ${server.url}/`);
  console.log(`example: ${server.url}/examples/browser/`);
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    console.error(err instanceof DetsegInputError ? `serve: ${err.message}` : err);
    process.exitCode = 1;
  });
}
