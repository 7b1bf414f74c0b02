import type { KubeConfig } from '@kubernetes/client-node';
import { request as httpRequest, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';

/** What the API server answered: its status and the body as JSON (undefined when empty or not JSON). */
export interface RawResponse {
  status: number;
  body: unknown;
}

/**
 * One request to the API server with the kubeconfig's credentials, bodies as plain JSON. The
 * typed client maps objects onto its generated classes (NetworkPolicy's `from` becomes `_from`,
 * timestamps become Dates, unknown fields are dropped), which is wrong for a comparison that
 * must see an object exactly as the server stores it.
 */
export async function rawRequest(
  kc: KubeConfig,
  method: 'GET' | 'PATCH',
  path: string,
  options: { query?: Record<string, string>; body?: unknown; contentType?: string } = {},
): Promise<RawResponse> {
  const server = kc.getCurrentCluster()?.server;
  if (!server) throw new Error('the kubeconfig context names no cluster server');
  const url = new URL(path.replace(/^\//, ''), server.endsWith('/') ? server : `${server}/`);
  for (const [key, value] of Object.entries(options.query ?? {})) url.searchParams.set(key, value);
  const body = options.body === undefined ? undefined : JSON.stringify(options.body);
  const request: RequestOptions = {
    method,
    hostname: url.hostname,
    port: url.port,
    path: `${url.pathname}${url.search}`,
    headers: {
      Accept: 'application/json',
      ...(body !== undefined ? { 'Content-Type': options.contentType ?? 'application/json', 'Content-Length': Buffer.byteLength(body) } : {}),
    },
  };
  // Certificates, tokens and exec credential plugins, exactly as the client library would use them.
  await kc.applyToHTTPSOptions(request);
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const call = send(request, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown;
        try {
          parsed = text ? (JSON.parse(text) as unknown) : undefined;
        } catch {
          parsed = text;
        }
        resolve({ status: response.statusCode ?? 0, body: parsed });
      });
      response.on('error', reject);
    });
    call.on('error', reject);
    if (body !== undefined) call.write(body);
    call.end();
  });
}

/** The API server's message in a failed response (a Status object), else the status code. */
export function rawMessage(response: RawResponse): string {
  const body = response.body;
  if (typeof body === 'object' && body !== null && typeof (body as { message?: unknown }).message === 'string') return (body as { message: string }).message;
  return `HTTP ${response.status}`;
}
