import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { startSimulator, type Simulator } from '../../simulator';
import { startWebhookReceiver, type WebhookReceiver } from '../../src/webhooks/receiver';
import { serveFirstFrame } from '../../test/helpers/first-frame';
import { createDevServerEnv } from '../../test/helpers/temporal-env';

/** Polling every 3 s (the default without webhooks) or webhooks with a slow fallback poll. */
export const MODES = ['polling', 'webhooks'] as const;
export type Mode = (typeof MODES)[number];

export interface BenchStack {
  /** A local Temporal dev server: real time, real persistence of histories in memory. */
  env: TestWorkflowEnvironment;
  /** Every simulator of the run signs webhooks with this secret. */
  webhookSecret: string;
  imageUrl: string;
  /** Scratch space (storage, ledgers, render cache), removed by close(). */
  workDir: string;
  /** A simulator whose predictions run `predictSeconds` (each a separate server; closed by close()). */
  simulator(predictSeconds: number): Promise<Simulator>;
  /** A webhook receiver that signals this stack's workflows (closed by close()); it logs only its warnings. */
  webhookReceiver(): Promise<WebhookReceiver>;
  close(): Promise<void>;
}

export async function startStack(): Promise<BenchStack> {
  const workDir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'clipgen-bench-'));
  const [env, image] = await Promise.all([createDevServerEnv(), serveFirstFrame()]);
  const webhookSecret = `whsec_${randomBytes(24).toString('base64')}`;
  const simulators: Simulator[] = [];
  const receivers: WebhookReceiver[] = [];
  return {
    env,
    webhookSecret,
    imageUrl: image.url,
    workDir,
    async simulator(predictSeconds) {
      const simulator = await startSimulator({
        predictSeconds,
        startSeconds: 0.5,
        renderScale: 0.1,
        webhookSecret,
        cacheDir: path.join(workDir, 'render-cache'),
      });
      simulators.push(simulator);
      return simulator;
    },
    async webhookReceiver() {
      const receiver = await startWebhookReceiver({
        secret: webhookSecret,
        client: env.client,
        logger: { info: () => undefined, warn: (message, fields) => console.error(message, fields) },
      });
      receivers.push(receiver);
      return receiver;
    },
    async close() {
      await Promise.all(receivers.map((receiver) => receiver.close()));
      await Promise.all(simulators.map((simulator) => simulator.close()));
      await image.close();
      await env.teardown();
      await fs.promises.rm(workDir, { recursive: true, force: true });
    },
  };
}
