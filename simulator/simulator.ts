import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { listen } from '../src/http/listen';
import type { SimulatorContext } from './context';
import { FaultBook } from './faults';
import { newWebhookSecret } from './ids';
import { SIMULATED_MODELS } from './models/catalogue';
import { SchemaDriftBook } from './models/drift';
import { PredictionEngine } from './predictions/engine';
import { PredictionStore } from './predictions/store';
import { currentStats, predictionRecords } from './stats';
import { Renderer } from './render/renderer';
import { createRequestListener } from './server';
import { emptyStats } from './stats';
import type { Simulator, SimulatorOptions } from './types';
import { WebhookDispatcher } from './webhooks/dispatcher';

export const DEFAULT_CACHE_DIR = path.join(os.tmpdir(), 'clipgen-simulator');

function checkOptions(options: SimulatorOptions): void {
  const nonNegative = { predictSeconds: options.predictSeconds, startSeconds: options.startSeconds };
  for (const [name, value] of Object.entries(nonNegative)) {
    if (value !== undefined && !(Number.isFinite(value) && value >= 0))
      throw new Error(`${name} must be a number >= 0`);
  }
  if (options.renderScale !== undefined && !(options.renderScale > 0 && options.renderScale <= 4)) {
    throw new Error('renderScale must be a number in (0, 4]');
  }
  if (options.retentionSeconds !== undefined && !(options.retentionSeconds > 0)) {
    throw new Error('retentionSeconds must be a number > 0');
  }
  if (options.token !== undefined && options.token.trim() === '') throw new Error('token must not be empty');
  if (options.webhookSecret !== undefined && !/^whsec_[A-Za-z0-9+/=]+$/.test(options.webhookSecret)) {
    throw new Error("webhookSecret must look like 'whsec_<base64>'");
  }
}

/** Starts a Replicate-compatible API server in this process (see docs/simulator.md). */
export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  checkOptions(options);
  const now = options.now ?? Date.now;
  const webhookSecret = options.webhookSecret ?? newWebhookSecret();
  const closing = new AbortController();
  const store = new PredictionStore();
  const faults = new FaultBook();
  if (options.faults) faults.add(options.faults);
  const schemaDrift = new SchemaDriftBook(SIMULATED_MODELS);
  if (options.schemaDrift) schemaDrift.add(options.schemaDrift);
  const stats = emptyStats();
  const renderer = new Renderer(options.cacheDir ?? DEFAULT_CACHE_DIR, options.renderScale ?? 1);
  const webhooks = new WebhookDispatcher(webhookSecret, faults, stats);
  const engine = new PredictionEngine(
    {
      now,
      startMs: (options.startSeconds ?? 0.2) * 1000,
      predictMs: (options.predictSeconds ?? 3) * 1000,
      retentionMs: (options.retentionSeconds ?? 3600) * 1000,
    },
    store,
    renderer,
    webhooks,
    stats,
  );
  const sim: SimulatorContext = {
    token: options.token,
    webhookSecret,
    store,
    engine,
    faults,
    schemaDrift,
    stats,
    closing: closing.signal,
    echoWebhook: options.echoWebhook ?? false,
  };

  const server = http.createServer(createRequestListener(sim, options.publicUrl));
  const { url } = await listen(server, options.port, options.host);

  let closed: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closed ??= (async () => {
      closing.abort();
      engine.close();
      const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await Promise.all([serverClosed, renderer.close(), webhooks.close()]);
    })();
    return closed;
  };

  return {
    url,
    baseUrl: `${url}/v1`,
    webhookSecret,
    faults,
    schemaDrift,
    stats: () => currentStats(sim),
    predictions: () => predictionRecords(sim),
    close,
  };
}
