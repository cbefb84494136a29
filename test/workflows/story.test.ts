/**
 * The fast tier: the workflow's story, branch by branch, against stub activities on the time-skipping server. No
 * simulator, storage, ffmpeg or ledger: each case says what Replicate, the budget and the store answer, and checks
 * what the clip (or its failure) and the calls made show. The real-parts suites (generate-clip, fault-matrix,
 * billed-predictions, ...) prove the same paths end to end; this one runs in seconds.
 */
import { randomUUID } from 'node:crypto';
import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { ClipActivities } from '../../src/activities';
import type { RecordClipCostInput } from '../../src/activities/contracts';
import { clipWorkflowOptions } from '../../src/domain/clip-workflow-options';
import { FailureType, clipFailure } from '../../src/domain/failures';
import type { Clip, GenerateClipInput, ModelId, PredictionSnapshot, PredictionStatus } from '../../src/domain/types';
import type { generateClipWorkflow } from '../../src/workflows';
import { predictionUpdatedSignal } from '../../src/workflows/signals';
import { workflowFailureOf } from '../helpers/failures';
import { predictionSnapshot } from '../helpers/prediction-snapshot';
import { createTimeSkippingEnv } from '../helpers/temporal-env';
import { inTestWorkflows } from '../helpers/workflow-bundle';

jest.setTimeout(60_000);

interface Script {
  /** Failures each model's creates throw, one per attempt, before a create succeeds. */
  createFailures?: Partial<Record<ModelId, Error[]>>;
  /** What each model's prediction reports on successive polls (the create answers `starting`); the last repeats. */
  polls?: Partial<Record<ModelId, Partial<PredictionSnapshot>[]>>;
  /** The budget refuses every reservation. */
  overBudget?: boolean;
  /** Polls that fail (RetryableError, as a 503 does) before any poll answers. */
  pollFailures?: number;
  /**
   * Creates carry a webhook (the fallback poll every 30 s). The n-th create's webhook, when given, is delivered (as
   * the receiver's signal) before that create answers, as Replicate's can be for a prediction that fails at once.
   */
  webhooks?: (Partial<PredictionSnapshot> | null)[];
}

const SUCCEEDED: Partial<PredictionSnapshot>[] = [
  { status: 'processing' },
  { status: 'succeeded', outputUrl: 'https://replicate.delivery/out.mp4', predictTime: 40 },
];

/** Stub activities that follow a script, and remember what the workflow asked of them. */
class StubWorld {
  readonly calls: string[] = [];
  readonly bookings: RecordClipCostInput[] = [];
  /** Each create's idempotency token, in order. */
  readonly tokens: string[] = [];
  /** Polls asked for, answered or not. */
  polls = 0;
  private readonly polled = new Map<string, number>();
  private readonly canceled = new Set<string>();
  private created = 0;
  private pollFailures: number;
  /** Set by run(): the stub's webhook deliveries signal the clip through it. */
  client: Client | undefined;

  constructor(private readonly script: Script = {}) {
    this.pollFailures = script.pollFailures ?? 0;
  }

  activities(): ClipActivities {
    return {
      reserveBudget: async (input) => {
        this.calls.push(`reserve ${input.plan.model}`);
        const status = {
          budgetUsd: '1.00',
          bookedUsd: '0',
          reservedUsd: '0',
          reservationUsd: '0.1',
          estimateUsd: '0.05',
        };
        if (this.script.overBudget) throw clipFailure(FailureType.BudgetExceeded, 'job budget $1.00 is spent');
        return status;
      },
      releaseBudget: async () => {
        this.calls.push('release');
      },
      createPrediction: async (input) => {
        this.calls.push(`create ${input.model}`);
        const failure = this.script.createFailures?.[input.model]?.shift();
        if (failure) throw failure;
        const id = `p${++this.created}-${input.model}`;
        this.tokens.push(input.idempotencyToken);
        const delivered = this.script.webhooks?.[this.created - 1];
        const workflowId = Context.current().info.workflowExecution?.workflowId;
        if (delivered && workflowId) {
          await this.client?.workflow
            .getHandle(workflowId)
            .signal(predictionUpdatedSignal, predictionSnapshot(input.model, { ...delivered, id }));
        }
        return {
          ...predictionSnapshot(input.model, { id, status: 'starting' }),
          webhook: this.script.webhooks ? { fallbackPollIntervalMs: 30_000 } : null,
          strayWatch: null,
        };
      },
      getPrediction: async ({ model, id }) => {
        this.polls += 1;
        if (this.pollFailures > 0) {
          this.pollFailures -= 1;
          throw clipFailure(FailureType.Retryable, 'Replicate answered 503 Service Unavailable');
        }
        return this.poll(model, id);
      },
      cancelPrediction: async ({ model, id }) => {
        this.calls.push(`cancel ${id}`);
        this.canceled.add(id);
        return this.poll(model, id);
      },
      sweepStrayPredictions: async () => {
        this.calls.push('sweep');
        return [];
      },
      fetchProbeStore: async (input) => {
        this.calls.push(`store ${input.predictionId}`);
        return {
          url: `https://storage.test/video-clips/${input.jobId}/clip_${input.clipIndex}.mp4`,
          storagePath: `${input.jobId}/clip_${input.clipIndex}.mp4`,
          bytes: 1_000,
          sha256: 'ab'.repeat(32),
          video: { duration: 5.2, width: 1024, height: 576, fps: 8, codec: 'h264', frames: 28 },
        };
      },
      recordClipCost: async (input) => {
        this.calls.push(`book ${input.prediction.id} ${input.prediction.status}`);
        this.bookings.push(input);
        const amountUsd = input.prediction.status === 'succeeded' ? '0.045000' : '0.010000';
        return {
          predictionId: input.prediction.id,
          status: input.prediction.status,
          amountUsd,
          source: 'actual',
          applied: true,
          jobTotalUsd: amountUsd,
        };
      },
    };
  }

  private poll(model: ModelId, id: string): PredictionSnapshot {
    const script = this.script.polls?.[model] ?? SUCCEEDED;
    const count = this.polled.get(id) ?? 0;
    this.polled.set(id, count + 1);
    const reported = script[Math.min(count, script.length - 1)];
    const status: PredictionStatus = this.canceled.has(id) ? 'canceled' : (reported.status ?? 'processing');
    return predictionSnapshot(model, {
      id,
      predictTime: 1,
      ...reported,
      status,
      startedAt: '2026-12-01T00:00:01Z',
      ...(status === 'canceled' ? { outputUrl: null } : {}),
    });
  }
}

describe('the clip story, against stub activities', () => {
  let env: TestWorkflowEnvironment;

  beforeAll(async () => {
    env = await createTimeSkippingEnv();
  });
  afterAll(async () => {
    await env?.teardown();
  });

  const input = (overrides: Partial<GenerateClipInput['clip']> = {}): GenerateClipInput => ({
    jobId: randomUUID(),
    clip: {
      clipIndex: 0,
      prompt: 'a heron over a marsh',
      duration: 5,
      imageUrl: 'https://images.test/frame.png',
      ...overrides,
    },
    settings: {},
  });

  async function run(world: StubWorld, clipInput: GenerateClipInput = input()): Promise<Clip> {
    const taskQueue = `story-${randomUUID()}`;
    world.client = env.client;
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      ...(await inTestWorkflows()),
      activities: world.activities(),
    });
    return worker.runUntil(
      env.client.workflow.execute<typeof generateClipWorkflow>(
        'generateClipWorkflow',
        clipWorkflowOptions(clipInput, taskQueue),
      ),
    );
  }

  it('reserves, creates, waits, books the prediction, then stores its output: the clip carries both', async () => {
    const world = new StubWorld();
    const clip = await run(world);
    expect(world.calls).toEqual(['reserve svd', 'create svd', 'book p1-svd succeeded', 'store p1-svd']);
    expect(clip).toMatchObject({
      model: 'svd',
      predictionId: 'p1-svd',
      fallbackUsed: false,
      retryCount: 0,
      cost: '0.045000',
      actualDuration: 5.2,
      videoUrl: expect.stringMatching(/^https:\/\/storage\.test\/video-clips\/.+\/clip_0\.mp4$/),
      bookings: { totalUsd: '0.045000', predictions: [expect.objectContaining({ predictionId: 'p1-svd' })] },
    });
  });

  it('moves to the fallback model when the primary is unavailable', async () => {
    const world = new StubWorld({
      createFailures: { svd: [clipFailure(FailureType.ModelUnavailable, 'svd is not available')] },
    });
    const clip = await run(world);
    expect(clip).toMatchObject({ model: 'cogvideox', fallbackUsed: true, predictionId: 'p1-cogvideox' });
    expect(world.calls.filter((call) => call.startsWith('create'))).toEqual(['create svd', 'create cogvideox']);
  });

  it('fails BudgetExceeded before any create when the budget cannot hold the reservation', async () => {
    const world = new StubWorld({ overBudget: true });
    const failure = await workflowFailureOf(run(world));
    expect(failure.type).toBe(FailureType.BudgetExceeded);
    expect(world.calls.some((call) => call.startsWith('create'))).toBe(false);
  });

  it('books a failed prediction, releases the reservation, and fails with the classified type', async () => {
    const world = new StubWorld({
      polls: { svd: [{ status: 'failed', error: 'CUDA out of memory', predictTime: 12 }] },
    });
    const failure = await workflowFailureOf(run(world));
    expect(failure.type).toBe(FailureType.Generation);
    expect(world.bookings.map((booking) => booking.prediction.status)).toContain('failed');
    expect(world.calls).toContain('release');
    expect(world.calls.some((call) => call.startsWith('store'))).toBe(false);
  });

  it('cancels a prediction that outlasts the deadline, books it, and fails with Timeout', async () => {
    const world = new StubWorld({ polls: { svd: [{ status: 'processing' }] } });
    const started = Date.now();
    const failure = await workflowFailureOf(run(world, { ...input(), models: { primary: 'svd', fallback: null } }));
    expect(failure.type).toBe(FailureType.Timeout);
    expect(world.calls).toContain('cancel p1-svd');
    expect(world.bookings.map((booking) => booking.prediction.status)).toEqual(['canceled']);
    // The 120 s deadline and 3 s polls are durable timers: the time-skipping server fast-forwards them.
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  it('retries a rate-limited create after its Retry-After, and the clip is made', async () => {
    const world = new StubWorld({
      createFailures: {
        svd: [clipFailure(FailureType.Retryable, 'rate limited (429)', { nextRetryDelay: '10 seconds' })],
      },
    });
    const clip = await run(world);
    expect(clip).toMatchObject({ model: 'svd', fallbackUsed: false });
    expect(world.calls.filter((call) => call === 'create svd')).toHaveLength(2);
  });

  it('refuses invalid input with InvalidInput, naming the field, before calling any activity', async () => {
    const world = new StubWorld();
    const failure = await workflowFailureOf(run(world, input({ duration: -2 })));
    expect(failure.type).toBe(FailureType.InvalidInput);
    expect(failure.message).toMatch(/duration/);
    expect(world.calls).toEqual([]);
  });

  const INTERRUPTED = 'Prediction interrupted; please retry (code: PA)';

  it('re-creates a prediction interrupted with (code: PA) at most twice, then moves to the fallback model', async () => {
    const world = new StubWorld({ polls: { svd: [{ status: 'failed', error: INTERRUPTED, predictTime: 3 }] } });
    const clip = await run(world);
    expect(clip).toMatchObject({ model: 'cogvideox', fallbackUsed: true, retryCount: 2 });
    expect(world.calls.filter((call) => call.startsWith('create'))).toEqual([
      'create svd',
      'create svd',
      'create svd',
      'create cogvideox',
    ]);
    expect(world.bookings.map(({ prediction }) => `${prediction.id} ${prediction.status}`)).toEqual([
      'p1-svd failed',
      'p2-svd failed',
      'p3-svd failed',
      'p4-cogvideox succeeded',
    ]);
    // Each prediction is its own create: a retried attempt of one never adopts another's prediction.
    expect(new Set(world.tokens).size).toBe(4);
  });

  it('carries on polling when a poll still fails after all its retries, and the clip is made', async () => {
    // A poll activity makes 6 attempts: 8 failures in a row exhaust one poll and two attempts of the next.
    const world = new StubWorld({ pollFailures: 8 });
    const clip = await run(world, { ...input(), models: { primary: 'svd', fallback: null } });
    expect(clip).toMatchObject({ status: 'success', model: 'svd', predictionId: 'p1-svd', retryCount: 0 });
    expect(world.polls).toBeGreaterThanOrEqual(10);
    expect(world.calls.filter((call) => call.startsWith('create'))).toEqual(['create svd']);
  });

  it('with webhooks, waits for the re-created prediction’s own result, not the webhook of the one it replaces', async () => {
    // The interrupted prediction's webhook arrives at once; the re-created one has none, so its result is polled.
    const world = new StubWorld({ webhooks: [{ status: 'failed', error: INTERRUPTED, predictTime: 2 }] });
    const clip = await run(world);
    expect(clip).toMatchObject({ model: 'svd', fallbackUsed: false, retryCount: 1, predictionId: 'p2-svd' });
    expect(world.calls.filter((call) => call.startsWith('create'))).toEqual(['create svd', 'create svd']);
    expect(world.bookings.map(({ prediction }) => `${prediction.id} ${prediction.status}`)).toEqual([
      'p1-svd failed',
      'p2-svd succeeded',
    ]);
  });
});
