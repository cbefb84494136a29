import http from 'node:http';
import https from 'node:https';

/**
 * One POST, no redirects followed, no keep-alive (so nothing lingers after close). Resolves with the
 * status code; rejects on network errors, on `timeoutMs` without a response, or when `signal` aborts.
 */
export function postOnce(
  url: string,
  headers: Record<string, string>,
  body: string,
  options: { timeoutMs: number; signal: AbortSignal },
): Promise<number> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const transport = target.protocol === 'https:' ? https : http;
    const request = transport.request(target, {
      method: 'POST',
      agent: false,
      headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      signal: options.signal,
      timeout: options.timeoutMs,
    });
    request.on('timeout', () => request.destroy(new Error(`no response within ${options.timeoutMs} ms`)));
    request.on('error', reject);
    request.on('response', (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
      response.on('error', reject);
    });
    request.end(body);
  });
}
