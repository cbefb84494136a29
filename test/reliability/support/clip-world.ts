import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowHandle } from '@temporalio/client';
import { clipWorkflowOptions } from '../../../src/domain/clip-workflow-options';
import type { ClipProgress } from '../../../src/domain/progress';
import { CLIP_SEARCH_ATTRIBUTES } from '../../../src/domain/clip-identity';
import type { Clip, GenerateClipInput } from '../../../src/domain/types';
import { openLedger } from '../../../src/ledger';
import type { CostLedger } from '../../../src/ledger/types';
import { buildWorkflowBundle } from '../../../src/scripts/build-workflow-bundle';
import type { Fault } from '../../../simulator/faults';
import type { Simulator, SimulatorOptions } from '../../../simulator';
import type { generateClipWorkflow } from '../../../src/workflows';
import { serveFirstFrame } from '../../helpers/first-frame';
import { createDevServerEnv } from '../../helpers/temporal-env';
import { postgresTestUrl } from '../../ledger/backends';
import { startTestSimulator } from '../../simulator/helpers';
import { TcpProxy } from './tcp-proxy';
import { WorkerChild } from './worker-child';

/**
 * What the reliability tests share: a real Temporal dev server, a workflow bundle built once, a first frame over
 * http, and the ledger: PostgreSQL (DATABASE_URL) when set, else a PGlite directory per scenario owned by its worker.
 */
/** The file's ClipWorld: started before its tests (a dev server takes a while), closed after them. */
export function useClipWorld(): Pick<ClipWorld, 'scenario'> {
  let world: ClipWorld | undefined;
  beforeAll(async () => {
    world = await ClipWorld.start();
  }, 120_000);
  afterAll(async () => {
    await world?.close();
  });
  return {
    scenario: (...args) => {
      if (!world) throw new Error('the clip world is used before beforeAll started it');
      return world.scenario(...args);
    },
  };
}

export class ClipWorld {
  private constructor(
    readonly env: TestWorkflowEnvironment,
    readonly rootDir: string,
    readonly bundlePath: string,
    readonly imageUrl: string,
    readonly databaseUrl: string | undefined,
    private readonly closeImage: () => Promise<void>,
  ) {}

  static async start(): Promise<ClipWorld> {
    const rootDir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'clipgen-reliability-'));
    const bundlePath = path.join(rootDir, 'workflow-bundle.js');
    const [env, image] = await Promise.all([
      createDevServerEnv({ searchAttributes: CLIP_SEARCH_ATTRIBUTES }),
      serveFirstFrame(),
      buildWorkflowBundle(bundlePath),
    ]);
    const databaseUrl = postgresTestUrl();
    if (databaseUrl) await (await openLedger({ databaseUrl })).close(); // migrate once, before workers race to
    return new ClipWorld(env, rootDir, bundlePath, image.url, databaseUrl, image.close);
  }

  /** A scenario: its own simulator, task queue, storage folder and (through a proxy it can cut) database. */
  async scenario(name: string, simulator: SimulatorOptions = {}): Promise<Scenario> {
    const dir = await fs.promises.mkdtemp(path.join(this.rootDir, `${name}-`));
    const sim = await startTestSimulator({ predictSeconds: 1, startSeconds: 0.1, renderScale: 0.25, ...simulator });
    const proxy = this.databaseUrl ? await TcpProxy.start(...hostAndPort(this.databaseUrl)) : null;
    return new Scenario(this, name, dir, sim, proxy);
  }

  async close(): Promise<void> {
    await this.closeImage();
    await this.env.teardown();
    await fs.promises.rm(this.rootDir, { recursive: true, force: true });
  }
}

export class Scenario {
  readonly taskQueue = `reliability-${randomUUID()}`;
  readonly workers: WorkerChild[] = [];

  constructor(
    readonly world: ClipWorld,
    readonly name: string,
    readonly dir: string,
    readonly simulator: Simulator,
    /** In front of PostgreSQL when DATABASE_URL is set; null with PGlite. */
    readonly databaseProxy: TcpProxy | null,
  ) {}

  get storageDir(): string {
    return path.join(this.dir, 'storage');
  }

  get pgliteDir(): string {
    return path.join(this.dir, 'ledger');
  }

  workerEnv(extra: Record<string, string> = {}): Record<string, string> {
    return {
      CLIPGEN_DATA_DIR: this.dir,
      CLIPGEN_TEST_WORKFLOW_BUNDLE: this.world.bundlePath,
      TEMPORAL_ADDRESS: this.world.env.address,
      TEMPORAL_TASK_QUEUE: this.taskQueue,
      REPLICATE_API_TOKEN: 'r8_reliability_test_token',
      REPLICATE_BASE_URL: this.simulator.baseUrl,
      STORAGE_BACKEND: 'local',
      LOCAL_STORAGE_DIR: this.storageDir,
      DOWNLOAD_ALLOW_PRIVATE_HOSTS: 'true',
      LOG_LEVEL: 'ERROR',
      ...(this.databaseProxy && this.world.databaseUrl
        ? { DATABASE_URL: this.databaseProxy.route(this.world.databaseUrl) }
        : { PGLITE_DIR: this.pgliteDir }),
      ...extra,
    };
  }

  async startWorker(extra: Record<string, string> = {}): Promise<WorkerChild> {
    const worker = await WorkerChild.start(this.workerEnv(extra));
    this.workers.push(worker);
    return worker;
  }

  addFaults(faults: Fault[]): void {
    this.simulator.faults.add(faults);
  }

  /** A clip of a new job; no seed, so each create's input is its own (clipgen derives the seed from its token). */
  input(clip: Partial<GenerateClipInput['clip']> = {}, extra: Partial<GenerateClipInput> = {}): GenerateClipInput {
    return {
      jobId: randomUUID(),
      clip: {
        clipIndex: 0,
        prompt: `${this.name}: a lighthouse in a storm`,
        duration: 3,
        imageUrl: this.world.imageUrl,
        ...clip,
      },
      settings: {},
      pollInterval: '500ms',
      ...extra,
    };
  }

  startClip(input: GenerateClipInput): Promise<WorkflowHandle<typeof generateClipWorkflow>> {
    return this.world.env.client.workflow.start<typeof generateClipWorkflow>(
      'generateClipWorkflow',
      clipWorkflowOptions(input, this.taskQueue),
    );
  }

  /** Resolves once the clip's progress (or the simulator) shows `reached`; queries go to the live worker. */
  async waitFor(
    handle: WorkflowHandle,
    reached: (progress: ClipProgress | null) => boolean,
    what: string,
    timeoutMs = 60_000,
  ): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const progress = await handle.query<ClipProgress>('progress').catch(() => null);
      if (reached(progress)) return;
      if (Date.now() > deadline) {
        throw new Error(
          `${this.name}: ${what} not reached within ${timeoutMs} ms (last progress ${JSON.stringify(progress)})`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  /** Stops every worker (SIGTERM, so a PGlite ledger is closed and unlocked) and the simulator and proxy. */
  async close(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.stop()));
    await this.simulator.close();
    await this.databaseProxy?.close();
  }

  /** The ledger this scenario's workers book into; PGlite can only be opened once its worker has stopped. */
  async withLedger<T>(use: (ledger: CostLedger) => Promise<T>): Promise<T> {
    const ledger = await openLedger(
      this.world.databaseUrl ? { databaseUrl: this.world.databaseUrl } : { pgliteDir: this.pgliteDir },
    );
    try {
      return await use(ledger);
    } finally {
      await ledger.close();
    }
  }

  /** Files under the clip's job folder, temporary ones included: exactly one object is expected. */
  async storedFiles(jobId: string): Promise<string[]> {
    const jobDir = path.join(this.storageDir, 'video-clips', jobId);
    return (await fs.promises.readdir(jobDir).catch(() => [])).sort();
  }
}

/**
 * The invariants of a finished clip after crashes and outages: one paid prediction (a duplicate from a lost create
 * must have been adopted, or cancelled before it ran), one stored object, one ledger row, and a job total equal to
 * the sum of its rows. Call after the scenario's workers stopped.
 */
export async function expectOneOfEverything(scenario: Scenario, input: GenerateClipInput, clip: Clip): Promise<void> {
  const predictions = scenario.simulator.predictions();
  const storedFiles = await scenario.storedFiles(input.jobId);
  const running = scenario.simulator.stats().running;
  const ledger = await scenario.withLedger(async (opened) => ({
    rows: (await opened.listClipCosts(input.jobId)).map((row) => [row.predictionId, row.amountUsd]),
    totalCost: (await opened.getJob(input.jobId))?.totalCost,
  }));
  const seen = { predictions: predictions.map((p) => [p.id, p.status]), storedFiles, running, ledger };
  try {
    expect(predictions.filter((p) => p.status === 'succeeded').map((p) => p.id)).toEqual([clip.predictionId]);
    expect(predictions.length).toBeLessThanOrEqual(2);
    for (const other of predictions.filter((p) => p.status !== 'succeeded')) {
      expect(['canceled', 'aborted']).toContain(other.status);
    }
    expect(running).toBe(0);
    expect(storedFiles).toEqual([`clip_${input.clip.clipIndex}.mp4`]);
    expect(ledger.rows).toEqual([[clip.predictionId, clip.cost]]);
    expect(ledger.totalCost).toBe(clip.cost);
  } catch (error) {
    throw new Error(`${scenario.name}: ${(error as Error).message}\nseen: ${JSON.stringify(seen)}`);
  }
}

function hostAndPort(connectionString: string): [string, number] {
  const url = new URL(connectionString);
  return [url.hostname, Number(url.port || 5432)];
}
