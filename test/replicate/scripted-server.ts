import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
}

export type ScriptedReply =
  | { status: number; json?: unknown; text?: string; headers?: Record<string, string> }
  /** Drop the connection without answering. */
  | { reset: true }
  /** Never answer. */
  | { hang: true };

export interface ScriptedServer {
  /** http://127.0.0.1:PORT/v1 */
  baseUrl: string;
  origin: string;
  requests: RecordedRequest[];
  /** Replace how requests are answered. */
  respond(handler: (request: RecordedRequest) => ScriptedReply): void;
  close(): Promise<void>;
}

/** A tiny HTTP server on an ephemeral 127.0.0.1 port that records every request and answers from a script. */
export async function startScriptedServer(
  handler: (request: RecordedRequest) => ScriptedReply = () => ({ status: 404, json: { detail: 'Not found.' } }),
): Promise<ScriptedServer> {
  let respond = handler;
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const recorded: RecordedRequest = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(recorded);
      const reply = respond(recorded);
      if ('reset' in reply) req.socket.destroy();
      else if (!('hang' in reply)) send(res, reply);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    baseUrl: `${origin}/v1`,
    origin,
    requests,
    respond: (next) => {
      respond = next;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function send(
  res: ServerResponse,
  reply: { status: number; json?: unknown; text?: string; headers?: Record<string, string> },
) {
  const body = reply.json !== undefined ? JSON.stringify(reply.json) : (reply.text ?? '');
  res.writeHead(reply.status, {
    'content-type': reply.json !== undefined ? 'application/json' : 'text/plain',
    ...reply.headers,
  });
  res.end(body);
}

/** A prediction as Replicate's API returns it (reference §1). */
export function predictionJson(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const id = (overrides.id as string | undefined) ?? 'ufawqhfynnddngldkgtslldrkq';
  return {
    id,
    model: 'stability-ai/stable-video-diffusion',
    version: '3f0457e4619daac51203dedb472816fd4af51f3149fa7a9e0b5ffcf1b8172438',
    input: { input_image: 'https://example.com/first.png' },
    logs: '',
    output: null,
    error: null,
    status: 'starting',
    source: 'api',
    data_removed: false,
    created_at: new Date().toISOString(),
    started_at: null,
    completed_at: null,
    urls: {
      get: `https://api.replicate.com/v1/predictions/${id}`,
      cancel: `https://api.replicate.com/v1/predictions/${id}/cancel`,
    },
    ...overrides,
  };
}
