/**
 * The local cluster's git server: serves one repository over git's smart HTTP protocol on
 * 127.0.0.1, read-only, so a Flux GitRepository in the local cluster can clone it as it clones
 * GitHub. Run as its own process by `biomage dev cluster up`:
 *
 *   node git-http-server.js --repo <dir> --name <name>.git --port <port> --ready-file <file>
 *
 * Each request is handed to `git http-backend` (CGI); git does the protocol, this file only maps
 * HTTP to CGI and back. Pushes are refused (http-backend refuses receive-pack without REMOTE_USER).
 */
import { realpathSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { basename, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { spawnHttpBackend } from '../../tools/git.js';

export interface GitServerOptions {
  /** The repository (a working tree or a bare repository). */
  repo: string;
  /** The first path segment clients use, e.g. `iac.git`. */
  name: string;
}

/** Answer one HTTP request through `git http-backend`. */
export function handle(options: GitServerOptions, request: IncomingMessage, response: ServerResponse): void {
  const url = new URL(request.url ?? '/', 'http://127.0.0.1');
  const prefix = `/${options.name}`;
  if (url.pathname !== prefix && !url.pathname.startsWith(`${prefix}/`)) {
    response.writeHead(404, { 'content-type': 'text/plain' }).end(`only ${prefix} is served here\n`);
    return;
  }
  const repo = resolve(options.repo);
  let backend: ReturnType<typeof spawnHttpBackend>;
  try {
    backend = spawnBackend(repo, url.pathname.slice(prefix.length), url, request);
  } catch (error) {
    // No git on this machine: answer, rather than let one request take the server down.
    response.writeHead(500, { 'content-type': 'text/plain' }).end(`${(error as Error).message}\n`);
    return;
  }
  pipeThrough(backend, request, response);
}

/** `git http-backend` for one request; `path` is the request path below the served name. */
function spawnBackend(repo: string, path: string, url: URL, request: IncomingMessage): ReturnType<typeof spawnHttpBackend> {
  return spawnHttpBackend({
    // http-backend looks the repository up as GIT_PROJECT_ROOT + PATH_INFO (trying <dir>/.git too).
    GIT_PROJECT_ROOT: dirname(repo),
    GIT_HTTP_EXPORT_ALL: '1',
    PATH_INFO: `/${basename(repo)}${path}`,
    QUERY_STRING: url.search.slice(1),
    REQUEST_METHOD: request.method ?? 'GET',
    CONTENT_TYPE: request.headers['content-type'] ?? '',
    REMOTE_ADDR: request.socket.remoteAddress ?? '127.0.0.1',
    // Protocol v2 is negotiated through this header; compressed request bodies through the other.
    ...(request.headers['git-protocol'] ? { GIT_PROTOCOL: String(request.headers['git-protocol']) } : {}),
    ...(request.headers['content-encoding'] ? { HTTP_CONTENT_ENCODING: request.headers['content-encoding'] } : {}),
  });
}

/** The request body into the CGI program; its response (headers, blank line, body) back out. */
function pipeThrough(backend: ReturnType<typeof spawnHttpBackend>, request: IncomingMessage, response: ServerResponse): void {
  request.pipe(backend.stdin);
  backend.stdin.on('error', () => undefined);
  let stderr = '';
  backend.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));

  // The CGI response: header lines up to a blank line, then the body, streamed through.
  let head = Buffer.alloc(0);
  let headersSent = false;
  backend.stdout.on('data', (chunk: Buffer) => {
    if (headersSent) {
      response.write(chunk);
      return;
    }
    head = Buffer.concat([head, chunk]);
    const end = headerEnd(head);
    if (!end) return;
    const { status, headers } = parseCgiHeaders(head.subarray(0, end.at).toString('latin1'));
    response.writeHead(status, headers);
    headersSent = true;
    const body = head.subarray(end.at + end.length);
    if (body.length) response.write(body);
  });
  backend.on('close', (code) => {
    if (!headersSent) {
      response.writeHead(500, { 'content-type': 'text/plain' }).end(`git http-backend failed (${code}): ${stderr.trim()}\n`);
      return;
    }
    response.end();
  });
  backend.on('error', (error) => {
    if (!headersSent) response.writeHead(500, { 'content-type': 'text/plain' });
    response.end(`git http-backend could not run: ${error.message}\n`);
  });
}

function headerEnd(buffer: Buffer): { at: number; length: number } | undefined {
  const crlf = buffer.indexOf('\r\n\r\n');
  const lf = buffer.indexOf('\n\n');
  if (crlf >= 0 && (lf < 0 || crlf < lf)) return { at: crlf, length: 4 };
  if (lf >= 0) return { at: lf, length: 2 };
  return undefined;
}

/** CGI headers: `Status: 404 Not Found` sets the status, every other line is an HTTP header. */
export function parseCgiHeaders(text: string): { status: number; headers: Record<string, string> } {
  let status = 200;
  const headers: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10) || 500;
    else headers[name] = value;
  }
  return { status, headers };
}

function main(): void {
  const { values } = parseArgs({
    options: {
      repo: { type: 'string' },
      name: { type: 'string' },
      port: { type: 'string', default: '0' },
      'ready-file': { type: 'string' },
    },
  });
  if (!values.repo || !values.name || !values['ready-file']) {
    process.stderr.write('usage: git-http-server --repo <dir> --name <name>.git --port <port> --ready-file <file>\n');
    process.exit(2);
  }
  const options = { repo: values.repo, name: values.name };
  const readyFile = values['ready-file'];
  const server = createServer((request, response) => handle(options, request, response));
  server.listen(Number(values.port), '127.0.0.1', () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    // Written once listening, so whoever started us knows the port and that requests will be answered.
    writeFileSync(readyFile, JSON.stringify({ port, pid: process.pid }));
    process.stderr.write(`serving ${resolve(options.repo)} at http://127.0.0.1:${port}/${options.name}\n`);
  });
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => server.close(() => process.exit(0)));
}

// Run as a program (not imported by a test): compared as real paths, so spaces and symlinks in
// the checkout's path do not stop the server from starting.
if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) main();
