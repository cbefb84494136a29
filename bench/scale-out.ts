/**
 * bench:scale-out — the same burst of clips on one worker process, on two, and on two of which one is killed
 * (SIGKILL, no draining) mid-burst. Workers are production `clipgen worker`s (compiled, prebuilt bundle) in child processes on one task queue of
 * one dev server, sharing one Postgres ledger (BENCH_DATABASE_URL, required: an embedded PGlite ledger belongs to
 * one process). Creates carry webhooks to one receiver in the benchmark's process, as a `clipgen webhooks` service
 * beside the workers would run, so a killed worker loses no webhook.
 *
 * It shows how the clips spread (the worker whose fetchProbeStore stored each clip, from its history), the lag from
 * the prediction's `completed_at` to the workflow's close, the deadlines held, and that each clip made exactly one
 * prediction and booked it exactly once, whichever worker died under it.
 *
 *   BENCH_DATABASE_URL=postgres://… npx tsx bench/scale-out.ts [--clips 300] [--predict-seconds 30] [--kill-after 15]
 */
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Simulator } from '../simulator';
import { openLedger } from '../src/ledger';
import type { CostLedger } from '../src/ledger/types';
import { benchArgs } from './support/args';
import { compileProductionWorker, spawnChildWorker, type ChildWorker } from './support/child-worker';
import type { CompiledEntry } from './support/compiled-entry';
import { benchClipInput, failureType, inBatches, lagsOf, startClip, type ClipHandle } from './support/clips';
import { fixed, percentile, printJsonSummary, printTable } from './support/report';
import { startStack, type BenchStack } from './support/stack';

const START_CONCURRENCY = 50;

interface Scenario {
  name: string;
  workers: number;
  /** Seconds after the last clip started at which the second worker is killed. */
  killAfterSeconds?: number;
}

interface Run {
  scenario: Scenario;
  clips: number;
  succeeded: number;
  deadlinesMissed: number;
  otherFailures: string[];
  lags: number[];
  wallSeconds: number;
  /** Clips whose output each worker stored (index = worker), and clips whose activities ran on both. */
  storedBy: number[];
  touchedByBoth: number;
  predictions: number;
  clipsWithoutOnePrediction: number;
  clipsWithoutOneBooking: number;
}

async function main() {
  const args = benchArgs(['clips', 'predict-seconds', 'kill-after']);
  const clips = args.number('clips', 300);
  const predictSeconds = args.number('predict-seconds', 30);
  const killAfter = args.number('kill-after', predictSeconds / 2);
  const databaseUrl = process.env.BENCH_DATABASE_URL;
  if (!databaseUrl) {
    throw new Error('bench:scale-out needs BENCH_DATABASE_URL: workers that share a job share its ledger (Postgres)');
  }
  const scenarios: Scenario[] = [
    { name: '1 worker', workers: 1 },
    { name: '2 workers', workers: 2 },
    { name: '2 workers, 1 killed', workers: 2, killAfterSeconds: killAfter },
  ];
  const production = await compileProductionWorker();
  const stack = await startStack();
  const ledger = await openLedger({ databaseUrl });
  const runs: Run[] = [];
  try {
    for (const scenario of scenarios) {
      // A simulator per scenario: its predictions and counts are that scenario's alone.
      const simulator = await stack.simulator(predictSeconds);
      console.error(`${scenario.name}: ${clips} clips of ${predictSeconds} s…`);
      runs.push(await runScenario(stack, simulator, ledger, production, scenario, clips));
    }
  } finally {
    await ledger.close();
    await stack.close();
    await production.remove();
  }
  report(runs, predictSeconds);
}

async function runScenario(
  stack: BenchStack,
  simulator: Simulator,
  ledger: CostLedger,
  production: CompiledEntry,
  scenario: Scenario,
  clips: number,
): Promise<Run> {
  const taskQueue = `bench-scale-out-${randomUUID()}`;
  const receiver = await stack.webhookReceiver();
  const workers: ChildWorker[] = Array.from({ length: scenario.workers }, (_, index) =>
    spawnChildWorker(
      {
        TEMPORAL_ADDRESS: stack.env.address,
        TEMPORAL_TASK_QUEUE: taskQueue,
        REPLICATE_API_TOKEN: 'bench-token',
        REPLICATE_BASE_URL: simulator.baseUrl,
        CLIPGEN_DATA_DIR: path.join(stack.workDir, `${taskQueue}-${index}`),
        DOWNLOAD_ALLOW_PRIVATE_HOSTS: 'true',
        WEBHOOK_PUBLIC_URL: receiver.url,
        LOG_LEVEL: 'ERROR',
      },
      production,
    ),
  );
  try {
    await Promise.all(workers.map((worker) => worker.ready(stack.env.client, taskQueue)));
    const started = Date.now();
    const inputs = Array.from({ length: clips }, () => benchClipInput(stack.imageUrl));
    const handles = await inBatches(inputs, START_CONCURRENCY, (input) =>
      startClip(stack.env.client, input, taskQueue),
    );
    if (scenario.killAfterSeconds !== undefined) {
      const victim = workers[workers.length - 1];
      setTimeout(() => {
        console.error(`killing worker ${victim.pid} (SIGKILL)`);
        void victim.kill();
      }, scenario.killAfterSeconds * 1000);
    }
    const outcomes = await Promise.allSettled(handles.map((handle) => handle.result()));
    const wallSeconds = (Date.now() - started) / 1000;
    const failures = outcomes.flatMap((outcome) =>
      outcome.status === 'rejected' ? [failureType(outcome.reason)] : [],
    );
    const spread = await spreadOf(handles, workers);
    const predictionsBySeed = countBy(simulator.predictions().map((prediction) => prediction.input.seed));
    const bookings = await inBatches(
      inputs,
      START_CONCURRENCY,
      async (input) => (await ledger.listClipCosts(input.jobId)).length,
    );
    return {
      scenario,
      clips,
      succeeded: outcomes.filter((outcome) => outcome.status === 'fulfilled').length,
      deadlinesMissed: failures.filter((type) => type === 'Timeout').length,
      otherFailures: failures.filter((type) => type !== 'Timeout'),
      lags: await lagsOf(simulator, handles, outcomes),
      wallSeconds,
      storedBy: spread.storedBy,
      touchedByBoth: spread.touchedByBoth,
      predictions: simulator.predictions().length,
      clipsWithoutOnePrediction: inputs.filter((input) => predictionsBySeed.get(input.settings?.seed) !== 1).length,
      clipsWithoutOneBooking: bookings.filter((count) => count !== 1).length,
    };
  } finally {
    await Promise.all(workers.map((worker) => worker.stop()));
  }
}

/** Which worker stored each clip (its fetchProbeStore attempt that started last), and clips both workers ran. */
async function spreadOf(handles: ClipHandle[], workers: ChildWorker[]) {
  const workerOf = (identity: string | null | undefined) =>
    workers.findIndex((worker) => identity?.startsWith(`${worker.pid}@`));
  const perClip = await inBatches(handles, START_CONCURRENCY, async (handle) => {
    const history = await handle.fetchHistory();
    const scheduled = new Map<string, string>();
    let storedBy = -1;
    const ran = new Set<number>();
    for (const event of history.events ?? []) {
      const activity = event.activityTaskScheduledEventAttributes;
      if (activity) scheduled.set(String(event.eventId), activity.activityType?.name ?? '');
      const start = event.activityTaskStartedEventAttributes;
      if (start) {
        const worker = workerOf(start.identity);
        ran.add(worker);
        if (scheduled.get(String(start.scheduledEventId)) === 'fetchProbeStore') storedBy = worker;
      }
      const task = event.workflowTaskCompletedEventAttributes;
      if (task) ran.add(workerOf(task.identity));
    }
    return { storedBy, both: ran.has(0) && ran.has(1) };
  });
  return {
    storedBy: workers.map((_, index) => perClip.filter((clip) => clip.storedBy === index).length),
    touchedByBoth: perClip.filter((clip) => clip.both).length,
  };
}

function countBy<T>(values: T[]): Map<T, number> {
  const counts = new Map<T, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return counts;
}

function report(runs: Run[], predictSeconds: number) {
  printTable(
    `The same burst on one worker process and on two (webhooks, ${predictSeconds} s predictions, 120 s deadline)`,
    [
      'scenario',
      'clips',
      'ok',
      'deadline missed',
      'other failures',
      'stored by worker 1 / 2',
      'ran on both',
      'lag p50 (s)',
      'lag p95 (s)',
      'wall (s)',
      'predictions',
      'clips ≠ 1 prediction',
      'clips ≠ 1 booking',
    ],
    runs.map((run) => [
      run.scenario.name,
      run.clips,
      run.succeeded,
      run.deadlinesMissed,
      run.otherFailures.length ? `${run.otherFailures.length} (${[...new Set(run.otherFailures)].join(', ')})` : 0,
      run.storedBy.join(' / '),
      run.touchedByBoth,
      fixed(percentile(run.lags, 50), 2),
      fixed(percentile(run.lags, 95), 2),
      fixed(run.wallSeconds),
      run.predictions,
      run.clipsWithoutOnePrediction,
      run.clipsWithoutOneBooking,
    ]),
  );
  printJsonSummary('scale-out', {
    predictSeconds,
    runs: Object.fromEntries(
      runs.map((run) => [
        run.scenario.name,
        {
          clips: run.clips,
          succeeded: run.succeeded,
          deadlinesMissed: run.deadlinesMissed,
          otherFailures: run.otherFailures.length,
          storedBy: run.storedBy,
          ranOnBoth: run.touchedByBoth,
          lagP50: percentile(run.lags, 50),
          lagP95: percentile(run.lags, 95),
          wallSeconds: run.wallSeconds,
          predictions: run.predictions,
          clipsWithoutOnePrediction: run.clipsWithoutOnePrediction,
          clipsWithoutOneBooking: run.clipsWithoutOneBooking,
        },
      ]),
    ),
  });
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
