import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { App } from '../../src/server/types.js';

/** A response read off the wire. */
export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  /** The JSON body, or null when the body is not JSON. */
  json: unknown;
}

/** Makes an already built test app listen on a loopback port; returns its port. */
export async function listenOnLoopback(app: App): Promise<number> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  return (app.server.address() as AddressInfo).port;
}

/**
 * One real HTTP request whose path goes out byte for byte as given (no URL normalisation, unlike
 * fetch or inject), optionally from another loopback address (`from`, e.g. 127.0.0.2) so a test
 * can play clients at different IP addresses.
 */
export function rawRequest(port: number, method: string, path: string, opts: { headers?: Record<string, string>; body?: unknown; from?: string } = {}): Promise<RawResponse> {
  const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
  const headers: Record<string, string> = { ...opts.headers };
  if (payload !== undefined) headers['content-type'] = 'application/json';
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, headers, localAddress: opts.from, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown = null;
        if (String(res.headers['content-type'] ?? '').includes('application/json') && text) json = JSON.parse(text);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** The stable error code of a JSON error body, or null. */
export function errorCode(res: RawResponse): string | null {
  return (res.json as { error?: { code?: string } } | null)?.error?.code ?? null;
}
