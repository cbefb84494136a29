import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../../src/activities';
import type { CostLedger } from '../../src/ledger/types';
import { DEFAULT_DOWNLOAD_POLICY } from '../../src/media/download';
import type { Simulator } from '../../simulator';
import { createLocalStorage } from '../../src/storage/local';
import { workflowBundle } from '../../test/helpers/workflow-bundle';
import { spreadGateway } from './spread-gateway';
import type { BenchStack, Mode } from './stack';

export interface BenchWorker {
  taskQueue: string;
  stop(): Promise<void>;
}

export interface BenchWorkerOptions {
  stack: BenchStack;
  /** Predictions go to these (see spreadGateway). */
  simulators: Simulator[];
  ledger: CostLedger;
  mode: Mode;
  /** Where the webhook receiver listens (webhooks mode). */
  receiverUrl: string;
  /** Webhooks mode: the longest wait before a safety-net poll; null, only at the deadline and start limit. */
  fallbackPollIntervalMs: number | null;
}

/** A worker in this process, on its own task queue, with the real activities against the simulators. */
export async function startBenchWorker(options: BenchWorkerOptions): Promise<BenchWorker> {
  const { stack, mode } = options;
  const deps: ActivityDeps = {
    replicate: spreadGateway(options.simulators),
    storage: createLocalStorage({ rootDir: path.join(stack.workDir, 'storage'), bucket: 'video-clips' }),
    ledger: options.ledger,
    download: { ...DEFAULT_DOWNLOAD_POLICY, allowPrivateHosts: true },
    ...(mode === 'webhooks'
      ? { webhook: { publicUrl: options.receiverUrl, fallbackPollIntervalMs: options.fallbackPollIntervalMs } }
      : {}),
  };
  const taskQueue = `bench-${mode}-${randomUUID()}`;
  const worker = await Worker.create({
    connection: stack.env.nativeConnection,
    taskQueue,
    workflowBundle: await workflowBundle(),
    activities: createActivities(deps),
  });
  const running = worker.run();
  return {
    taskQueue,
    async stop() {
      worker.shutdown();
      await running;
    },
  };
}
