import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { createActivities, type ActivityDeps, type ClipActivities } from '../../src/activities';
import type { WebhookDeps } from '../../src/activities/predictions';
import { clipWorkflowOptions } from '../../src/domain/clip-workflow-options';
import { isTerminalStatus, type Clip, type GenerateClipInput } from '../../src/domain/types';
import type { CostLedger } from '../../src/ledger/types';
import { DEFAULT_DOWNLOAD_POLICY } from '../../src/media/download';
import { createReplicateGateway } from '../../src/replicate/gateway';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../simulator';
import { startWebhookReceiver, type WebhookReceiver } from '../../src/webhooks/receiver';
import { createLocalStorage } from '../../src/storage/local';
import type { StorageClient } from '../../src/storage/types';
import type { generateClipWorkflow } from '../../src/workflows';
import { eventuallyAsync } from '../helpers/eventually';
import { serveFirstFrame } from '../helpers/first-frame';
import { openTestLedger } from '../ledger/backends';
import { createDevServerEnv, createTimeSkippingEnv, type DevServerEnvOptions } from '../helpers/temporal-env';
import { inTestWorkflows, workflowBundle } from '../helpers/workflow-bundle';

export const HISTORIES_DIR = path.join(__dirname, '..', 'histories');

/** Sweeps for strays of an unanswered create then last 10 s. */
export const TEST_REQUEST_TIMEOUT_MS = 5_000;

/**
 * Everything a clip needs, real and local: Temporal's time-skipping server, the Replicate simulator driven by the
 * real `replicate` client, folder storage, a ledger (`openTestLedger`: PostgreSQL when DATABASE_URL is set, else
 * PGlite in memory), and a first-frame image over http.
 */
export class ClipHarness {
  /** Set to have creates carry a webhook to a receiver (test/webhooks, or `enableWebhooks`); unset, workflows poll. */
  webhook: WebhookDeps | undefined;
  private receiver: WebhookReceiver | undefined;
  /** Set to store clips elsewhere (Supabase Storage against test/stand-ins/supabase-storage); unset, in `storageDir`. */
  storage: StorageClient | undefined;

  private constructor(
    private readonly workflowThreads: 'test' | 'production',
    readonly env: TestWorkflowEnvironment,
    readonly simulator: Simulator,
    readonly ledger: CostLedger,
    readonly storageDir: string,
    readonly imageUrl: string,
    private readonly closeImage: () => Promise<void>,
  ) {}

  /**
   * On the time-skipping server by default; `dev` runs a real dev server, where timers take real time. Workers run
   * their workflows on the test's thread (`inTestWorkflows`) unless `workflowThreads` is 'production': the load test's
   * hundreds of workflows must not share one event loop with the simulator and the activities.
   */
  static async start(
    server: 'time-skipping' | 'dev' = 'time-skipping',
    options: {
      simulator?: SimulatorOptions;
      devServer?: DevServerEnvOptions;
      workflowThreads?: 'test' | 'production';
    } = {},
  ): Promise<ClipHarness> {
    const env = server === 'dev' ? await createDevServerEnv(options.devServer) : await createTimeSkippingEnv();
    const simulator = await startSimulator({
      predictSeconds: 0.05,
      startSeconds: 0,
      renderScale: 0.25,
      ...options.simulator,
    });
    const ledger = await openTestLedger();
    const storageDir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'clipgen-storage-'));
    const image = await serveFirstFrame();
    return new ClipHarness(
      options.workflowThreads ?? 'test',
      env,
      simulator,
      ledger,
      storageDir,
      image.url,
      image.close,
    );
  }

  get deps(): ActivityDeps {
    return {
      // The simulator answers in milliseconds; a short timeout keeps the stray window after a lost create short.
      replicate: createReplicateGateway({
        apiToken: 'test-token',
        baseUrl: this.simulator.baseUrl,
        requestTimeoutMs: TEST_REQUEST_TIMEOUT_MS,
      }),
      storage: this.storage ?? createLocalStorage({ rootDir: this.storageDir, bucket: 'video-clips' }),
      ledger: this.ledger,
      download: { ...DEFAULT_DOWNLOAD_POLICY, allowPrivateHosts: true },
      probeTimeoutMs: 20_000,
      ...(this.webhook ? { webhook: this.webhook } : {}),
    };
  }

  /**
   * The predictions made since `before` (a count of `simulator.predictions()`) that still run, once they have had
   * `graceMs` to end by themselves. A case checks its own, so one left running by an earlier case fails that case only.
   */
  async stillRunningSince(before: number, graceMs = 0): Promise<string[]> {
    const running = () =>
      this.simulator
        .predictions()
        .slice(before)
        .filter((prediction) => !isTerminalStatus(prediction.status))
        .map((prediction) => prediction.id);
    if (graceMs > 0) await eventuallyAsync(async () => running().length === 0, graceMs).catch(() => undefined);
    return running();
  }

  /** Predictions the simulator has created so far for a model ('owner/name'). */
  created(model: string): number {
    return this.simulator.stats().predictionsCreated[model] ?? 0;
  }

  /**
   * A clip of a new job. No seed: clipgen gives each create its own (from its idempotency token), so no two test clips
   * send Replicate identical input, and a retried create can recognise its prediction without an echoed webhook.
   */
  input(clip: Partial<GenerateClipInput['clip']> = {}, extra: Partial<GenerateClipInput> = {}): GenerateClipInput {
    return {
      jobId: randomUUID(),
      clip: { clipIndex: 0, prompt: 'a lighthouse in a storm', duration: 3, imageUrl: this.imageUrl, ...clip },
      settings: {},
      ...extra,
    };
  }

  /** A worker on its own task queue with the real activities, some of which a test may wrap. */
  async worker(
    wrap: (activities: ClipActivities) => Partial<ClipActivities> = () => ({}),
    taskQueue = `clips-${randomUUID()}`,
  ) {
    const activities = createActivities(this.deps);
    const worker = await Worker.create({
      connection: this.env.nativeConnection,
      taskQueue,
      ...(this.workflowThreads === 'test' ? await inTestWorkflows() : { workflowBundle: await workflowBundle() }),
      activities: { ...activities, ...wrap(activities) },
    });
    return { worker, taskQueue };
  }

  async run(input: GenerateClipInput, wrap?: (activities: ClipActivities) => Partial<ClipActivities>): Promise<Clip> {
    const { worker, taskQueue } = await this.worker(wrap);
    return worker.runUntil(
      this.env.client.workflow.execute<typeof generateClipWorkflow>(
        'generateClipWorkflow',
        clipWorkflowOptions(input, taskQueue),
      ),
    );
  }

  /**
   * Runs a clip; with UPDATE_HISTORIES=1 also writes its history to test/histories/<name>.json, where the replay
   * test picks it up on every run.
   */
  async runAndRecord(
    input: GenerateClipInput,
    historyName: string,
    wrap?: (activities: ClipActivities) => Partial<ClipActivities>,
  ): Promise<Clip> {
    const clip = await this.run(input, wrap);
    if (process.env.UPDATE_HISTORIES === '1') {
      const handle = this.env.client.workflow.getHandle(clipWorkflowOptions(input, '').workflowId);
      const history = historyToJSON(await handle.fetchHistory());
      await fs.promises.writeFile(path.join(HISTORIES_DIR, `${historyName}.json`), `${history}\n`);
    }
    return clip;
  }

  /** Creates carry webhooks to a receiver that signals this harness's workflows; `useClipHarness` unsets it after each test. */
  async enableWebhooks(fallbackPollIntervalMs = 2000): Promise<void> {
    this.receiver ??= await startWebhookReceiver({
      secret: this.simulator.webhookSecret,
      client: this.env.client,
      logger: { info: () => undefined, warn: () => undefined },
    });
    this.webhook = { publicUrl: this.receiver.url, fallbackPollIntervalMs };
  }

  async close(): Promise<void> {
    await this.receiver?.close();
    await this.closeImage();
    await this.simulator.close();
    await this.ledger.close();
    await this.env.teardown();
    await fs.promises.rm(this.storageDir, { recursive: true, force: true });
  }
}

/**
 * One harness for a whole test file: started before its first test, closed after its last, with the simulator's
 * faults cleared after each test. The returned object stands for that harness (it forwards to it once started).
 */
export function useClipHarness(
  server: 'time-skipping' | 'dev' = 'time-skipping',
  options: { simulator?: SimulatorOptions } = {},
): ClipHarness {
  let current: ClipHarness | undefined;
  beforeAll(async () => {
    current = await ClipHarness.start(server, options);
  });
  afterAll(async () => {
    await current?.close();
  });
  afterEach(() => {
    current?.simulator.faults.clear();
    if (current) current.webhook = undefined;
  });
  const started = (): ClipHarness => {
    if (!current) throw new Error('the clip harness is used before beforeAll started it');
    return current;
  };
  return new Proxy({} as ClipHarness, {
    get: (_target, property) => {
      const value = Reflect.get(started(), property);
      return typeof value === 'function' ? value.bind(started()) : value;
    },
    set: (_target, property, value) => Reflect.set(started(), property, value),
  });
}
