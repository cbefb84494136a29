/** The webhook receiver: an HTTP listener that hands each message to the delivery handler; and as configured. */
import { Client, Connection } from '@temporalio/client';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { ClipgenConfig } from '../config';
import { WEBHOOK_PATH } from '../domain/webhook-url';
import { listen } from '../http/listen';
import { fetchWebhookSecret } from '../replicate/webhook-signature';
import { temporalConnectionOptions } from '../temporal/connection-options';
import {
  DELIVERY_STATUS,
  DeliveryHandler,
  emptyCounts,
  SeenWebhookIds,
  type DeliveryCounts,
  type DeliveryOutcome,
  type DeliveryResult,
} from './delivery';

export interface WebhookLogger {
  info(message: string, fields: Record<string, unknown>): void;
  warn(message: string, fields: Record<string, unknown>): void;
}

export interface WebhookReceiverOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1: put a TLS-terminating proxy or tunnel in front (Replicate needs an https URL). */
  host?: string;
  /** Replicate's `whsec_…` signing secret. Never logged. */
  secret: string;
  /** Signals go to this client's namespace. */
  client: Pick<Client, 'workflow' | 'withDeadline'>;
  /** Path prefix the receiver is mounted under behind a proxy, e.g. '/hooks'. Default ''. */
  pathPrefix?: string;
  /** Largest accepted body. Default 1 MiB (a prediction with long logs is a few tens of KB). */
  maxBodyBytes?: number;
  /** Accepted distance between webhook-timestamp and now. Default 300 s. */
  toleranceSeconds?: number;
  /** How long the signal may take before the request is answered 503 (Replicate retries). Default 4 s. */
  signalTimeoutMs?: number;
  /** webhook-ids remembered for replay detection. Default 100,000. */
  maxRememberedIds?: number;
  /** Clock, for the timestamp window and replay memory. Default Date.now. */
  now?: () => number;
  /** Default: warnings to stderr, nothing for accepted messages. */
  logger?: WebhookLogger;
}

export interface WebhookReceiver {
  /** http://host:port, plus the path prefix: the receiver's own origin (the public URL is the proxy's). */
  url: string;
  port: number;
  /** Requests so far, by outcome. */
  counts(): DeliveryCounts;
  close(): Promise<void>;
}

const BODY_TIMEOUT_MS = 10_000;

const stderrLogger: WebhookLogger = {
  info: () => undefined,
  warn: (message, fields) => console.warn(`clipgen webhooks: ${message} ${JSON.stringify(fields)}`),
};

/**
 * The HTTP endpoint Replicate posts prediction updates to (`POST {prefix}/replicate?workflowId=…&model=…`). Every
 * request is answered with a small JSON `{ outcome }`; see DELIVERY_STATUS for the statuses.
 */
export async function startWebhookReceiver(options: WebhookReceiverOptions): Promise<WebhookReceiver> {
  const now = options.now ?? Date.now;
  const toleranceSeconds = options.toleranceSeconds ?? 300;
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  const logger = options.logger ?? stderrLogger;
  const path = `${(options.pathPrefix ?? '').replace(/\/+$/, '')}${WEBHOOK_PATH}`;
  const counts = emptyCounts();
  const handler = new DeliveryHandler({
    secret: options.secret,
    client: options.client,
    toleranceSeconds,
    signalTimeoutMs: options.signalTimeoutMs ?? 4000,
    // A seen id matters only while its timestamp could still pass the window on either side.
    seen: new SeenWebhookIds(options.maxRememberedIds ?? 100_000, 2 * toleranceSeconds * 1000, now),
    now,
  });

  async function route(request: IncomingMessage): Promise<DeliveryResult> {
    const url = new URL(request.url ?? '/', 'http://receiver');
    if (url.pathname !== path) return { outcome: 'not-found' };
    if (request.method !== 'POST') return { outcome: 'method-not-allowed' };
    let rawBody: Buffer;
    try {
      rawBody = await readRawBody(request, maxBodyBytes, BODY_TIMEOUT_MS);
    } catch (error) {
      if (error instanceof BodyTooLargeError) return { outcome: 'too-large', reason: error.message };
      if (error instanceof BodyTimeoutError) return { outcome: 'malformed', reason: error.message };
      throw error;
    }
    return handler.handle({ query: url.searchParams, headers: request.headers, rawBody });
  }

  const server = http.createServer((request, response) => {
    route(request).then(
      (result) => answer(request, response, result),
      (error: unknown) => answer(request, response, { outcome: 'error', reason: String(error) }),
    );
  });
  server.requestTimeout = 30_000;
  server.headersTimeout = 15_000;

  function answer(request: IncomingMessage, response: ServerResponse, result: DeliveryResult) {
    counts[result.outcome] += 1;
    const status = DELIVERY_STATUS[result.outcome];
    log(result);
    const body = JSON.stringify({ outcome: result.outcome });
    // A body left unread (too large, not found) would otherwise stall the connection: close it after answering.
    const unread = !request.readableEnded;
    response.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
      ...(unread ? { connection: 'close' } : {}),
    });
    response.end(body, () => {
      if (unread) request.destroy();
    });
  }

  function log(result: DeliveryResult) {
    const fields = { ...result };
    if (isAccepted(result.outcome)) logger.info(`webhook ${result.outcome}`, fields);
    else logger.warn(`webhook rejected (${result.outcome})`, fields);
  }

  const { url, port } = await listen(server, options.port, options.host);
  return {
    url: `${url}${(options.pathPrefix ?? '').replace(/\/+$/, '')}`,
    port,
    counts: () => ({ ...counts }),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}

function isAccepted(outcome: DeliveryOutcome): boolean {
  return DELIVERY_STATUS[outcome] < 300;
}

export interface ConfiguredReceiver {
  receiver: WebhookReceiver;
  /** Stops the receiver, then closes its Temporal connection. */
  close(): Promise<void>;
}

export interface ReceiverOverrides {
  port?: number;
  host?: string;
  logger?: WebhookLogger;
}

/**
 * The webhook receiver as configured: its secret from REPLICATE_WEBHOOK_SECRET or, unset, fetched once from
 * Replicate; its own client connection to Temporal (signals go to TEMPORAL_NAMESPACE).
 */
export async function startConfiguredReceiver(
  config: ClipgenConfig,
  overrides: ReceiverOverrides = {},
): Promise<ConfiguredReceiver> {
  const secret =
    config.webhooks.secret ??
    (await fetchWebhookSecret({
      apiToken: config.replicate.apiToken ?? undefined,
      baseUrl: config.replicate.baseUrl,
      requestTimeoutMs: config.replicate.requestTimeoutMs,
    }));
  const connection = await Connection.connect(temporalConnectionOptions(config.temporal));
  try {
    const client = new Client({ connection, namespace: config.temporal.namespace });
    const receiver = await startWebhookReceiver({
      port: overrides.port ?? config.webhooks.port,
      host: overrides.host ?? config.webhooks.host,
      secret,
      client,
      logger: overrides.logger,
    });
    return {
      receiver,
      close: async () => {
        await receiver.close();
        await connection.close();
      },
    };
  } catch (error) {
    await connection.close();
    throw error;
  }
}

export class BodyTooLargeError extends Error {
  override name = 'BodyTooLargeError';
}

export class BodyTimeoutError extends Error {
  override name = 'BodyTimeoutError';
}

/**
 * The request body byte for byte (the signature covers the exact bytes), refusing more than `maxBytes` before
 * buffering them and giving up after `timeoutMs`.
 */
export function readRawBody(request: IncomingMessage, maxBytes: number, timeoutMs: number): Promise<Buffer> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    return Promise.reject(new BodyTooLargeError(`the body declares ${declared} bytes (limit ${maxBytes})`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const timer = setTimeout(
      () => finish(new BodyTimeoutError(`the body did not arrive within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > maxBytes) finish(new BodyTooLargeError(`the body passed ${maxBytes} bytes`));
      else chunks.push(chunk);
    };
    const onEnd = () => finish(null);
    const onError = (error: Error) => finish(error);
    function finish(error: Error | null) {
      clearTimeout(timer);
      request.off('data', onData).off('end', onEnd).off('error', onError);
      if (error) {
        // Stop reading what is left; the caller answers and closes the connection.
        request.pause();
        reject(error);
      } else {
        resolve(Buffer.concat(chunks));
      }
    }
    request.on('data', onData).on('end', onEnd).on('error', onError);
  });
}
