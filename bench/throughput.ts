/**
 * bench:throughput — N clips in flight on ONE worker process (the production `clipgen worker`: compiled, with its
 * prebuilt workflow bundle, NODE_ENV=production, in a child process so its CPU and memory are its own), all started at once, with 60 s predictions and the catalogue's 120 s
 * deadline: 3 s timer polling vs webhooks (receiver inside the worker, WEBHOOKS_IN_WORKER=true). The simulator
 * and the dev server share the machine with it.
 *
 *   npx tsx bench/throughput.ts [--clips 100,500,1000] [--predict-seconds 60] [--modes polling,webhooks]
 */
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Simulator } from '../simulator';
import { freePort } from '../src/temporal/dev-server';
import { countHistory } from '../test/helpers/history-counts';
import { benchArgs } from './support/args';
import { compileProductionWorker, spawnChildWorker } from './support/child-worker';
import type { CompiledEntry } from './support/compiled-entry';
import {
  benchClipInput,
  completionTimes,
  failureType,
  inBatches,
  lagsOf,
  phasePercentile,
  PHASES,
  phasesOf,
  startClip,
  type AfterCompletion,
  type ClipHandle,
} from './support/clips';
import { fixed, megabytes, percentile, printJsonSummary, printTable, ratio, toMegabytes } from './support/report';
import { MODES, startStack, type BenchStack, type Mode } from './support/stack';

const START_CONCURRENCY = 50;
const SAMPLED_HISTORIES = 10;

interface Run {
  clips: number;
  mode: Mode;
  succeeded: number;
  /** Failed with Timeout: the prediction deadline was not held. */
  timeouts: number;
  otherFailures: string[];
  /** completed_at → workflow close, seconds. */
  lags: number[];
  /** Where each successful clip's lag went. */
  phases: AfterCompletion[];
  wallSeconds: number;
  cpuSeconds: number;
  peakRssBytes: number;
  baselineRssBytes: number;
  predictionGets: number;
  actionsPerClip: number;
}

async function main() {
  const args = benchArgs(['clips', 'predict-seconds', 'modes']);
  const levels = args.numbers('clips', [100, 500, 1000]);
  const predictSeconds = args.number('predict-seconds', 60);
  const modes = args.list('modes', [...MODES]) as Mode[];
  const production = await compileProductionWorker();
  const stack = await startStack();
  const simulator = await stack.simulator(predictSeconds);
  const runs: Run[] = [];
  try {
    for (const clips of levels) {
      for (const mode of modes) {
        console.error(`${clips} clips, ${mode}…`);
        runs.push(await runLevel(stack, simulator, production, clips, mode));
      }
    }
  } finally {
    await stack.close();
    await production.remove();
  }
  report(runs, predictSeconds);
}

async function runLevel(
  stack: BenchStack,
  simulator: Simulator,
  production: CompiledEntry,
  clips: number,
  mode: Mode,
): Promise<Run> {
  const taskQueue = `bench-${mode}-${clips}-${randomUUID()}`;
  const port = await freePort();
  const worker = spawnChildWorker(
    {
      TEMPORAL_ADDRESS: stack.env.address,
      TEMPORAL_TASK_QUEUE: taskQueue,
      REPLICATE_API_TOKEN: 'bench-token',
      REPLICATE_BASE_URL: simulator.baseUrl,
      CLIPGEN_DATA_DIR: path.join(stack.workDir, taskQueue),
      DOWNLOAD_ALLOW_PRIVATE_HOSTS: 'true',
      LOG_LEVEL: 'ERROR',
      ...(mode === 'webhooks'
        ? {
            WEBHOOK_PUBLIC_URL: `http://127.0.0.1:${port}`,
            WEBHOOK_HOST: '127.0.0.1',
            WEBHOOK_PORT: String(port),
            WEBHOOKS_IN_WORKER: 'true',
          }
        : {}),
    },
    production,
  );
  try {
    await worker.ready(stack.env.client, taskQueue);
    const before = await worker.reset();
    const getsBefore = predictionGets(simulator);
    const started = Date.now();
    const handles = await inBatches(Array.from({ length: clips }), START_CONCURRENCY, () =>
      startClip(stack.env.client, benchClipInput(stack.imageUrl), taskQueue),
    );
    const outcomes = await Promise.allSettled(handles.map((handle) => handle.result()));
    const wallSeconds = (Date.now() - started) / 1000;
    const after = await worker.usage();
    const failures = outcomes.flatMap((outcome) =>
      outcome.status === 'rejected' ? [failureType(outcome.reason)] : [],
    );
    return {
      clips,
      mode,
      succeeded: outcomes.filter((outcome) => outcome.status === 'fulfilled').length,
      timeouts: failures.filter((type) => type === 'Timeout').length,
      otherFailures: failures.filter((type) => type !== 'Timeout'),
      lags: await lagsOf(simulator, handles, outcomes),
      phases: await phasesOf(
        handles.flatMap((handle, index) => {
          const outcome = outcomes[index];
          return outcome.status === 'fulfilled' ? [{ handle, predictionId: outcome.value.predictionId }] : [];
        }),
        completionTimes(simulator),
      ),
      wallSeconds,
      cpuSeconds: (after.cpuMs - before.cpuMs) / 1000,
      peakRssBytes: after.peakRssBytes,
      baselineRssBytes: before.rssBytes,
      predictionGets: predictionGets(simulator) - getsBefore,
      actionsPerClip: await sampledActions(handles),
    };
  } finally {
    await worker.stop();
  }
}

function predictionGets(simulator: Simulator): number {
  return simulator.stats().requests['GET /v1/predictions/:id'] ?? 0;
}

async function sampledActions(handles: ClipHandle[]): Promise<number> {
  const sample = await Promise.all(handles.slice(0, SAMPLED_HISTORIES).map((handle) => countHistory(handle)));
  return sample.reduce((sum, counts) => sum + counts.actions, 0) / Math.max(1, sample.length);
}

function report(runs: Run[], predictSeconds: number) {
  printHuman(runs, predictSeconds);
  const byMode = (mode: Mode) =>
    Object.fromEntries(
      runs
        .filter((run) => run.mode === mode)
        .map((run) => [
          String(run.clips),
          {
            lagP95: percentile(run.lags, 95),
            lagP50: percentile(run.lags, 50),
            deadlinesMissed: run.timeouts,
            otherFailures: run.otherFailures.length,
            peakRssMb: toMegabytes(run.peakRssBytes),
            workerCpuSeconds: run.cpuSeconds,
            actionsPerClip: run.actionsPerClip,
            phasesP50: phasePercentile(run.phases, 50),
            phasesP95: phasePercentile(run.phases, 95),
          },
        ]),
    );
  printJsonSummary('throughput', { predictSeconds, polling: byMode('polling'), webhooks: byMode('webhooks') });
}

function printHuman(runs: Run[], predictSeconds: number) {
  printTable(
    `Clips in flight on one worker process, ${predictSeconds} s predictions, 120 s deadline`,
    [
      'clips',
      'mode',
      'ok',
      'deadline missed',
      'other failures',
      'lag p50 (s)',
      'lag p95 (s)',
      'wall (s)',
      'worker CPU (s)',
      'CPU ms/clip',
      'avg CPU %',
      'RSS start → peak',
      'Replicate GETs',
      'actions/clip',
    ],
    runs.map((run) => [
      run.clips,
      run.mode,
      run.succeeded,
      run.timeouts,
      run.otherFailures.length ? `${run.otherFailures.length} (${[...new Set(run.otherFailures)].join(', ')})` : 0,
      fixed(percentile(run.lags, 50), 2),
      fixed(percentile(run.lags, 95), 2),
      fixed(run.wallSeconds),
      fixed(run.cpuSeconds),
      fixed((run.cpuSeconds * 1000) / run.clips, 0),
      fixed((run.cpuSeconds / run.wallSeconds) * 100, 0),
      `${megabytes(run.baselineRssBytes)} → ${megabytes(run.peakRssBytes)}`,
      run.predictionGets,
      fixed(run.actionsPerClip, 1),
    ]),
  );
  printTable(
    'Where the lag went (completed_at → close), p50 / p95 per phase, seconds',
    ['clips', 'mode', ...PHASES],
    runs.map((run) => {
      const [p50, p95] = [phasePercentile(run.phases, 50), phasePercentile(run.phases, 95)];
      return [run.clips, run.mode, ...PHASES.map((phase) => `${fixed(p50[phase], 2)} / ${fixed(p95[phase], 2)}`)];
    }),
  );
  const top = Math.max(...runs.map((run) => run.clips));
  const polling = runs.find((run) => run.clips === top && run.mode === 'polling');
  const webhooks = runs.find((run) => run.clips === top && run.mode === 'webhooks');
  if (!polling || !webhooks) {
    console.log(`\nbench:throughput ${runs.map((r) => `${r.clips} ${r.mode}: ${r.succeeded} ok`).join(', ')}`);
    return;
  }
  console.log(
    `\nbench:throughput ${top} clips on one worker, 3 s polling → webhooks: worker CPU ${fixed(polling.cpuSeconds)} s → ` +
      `${fixed(webhooks.cpuSeconds)} s (${ratio(polling.cpuSeconds, webhooks.cpuSeconds)}), peak RSS ` +
      `${megabytes(polling.peakRssBytes)} → ${megabytes(webhooks.peakRssBytes)}, deadlines held ` +
      `${top - polling.timeouts}/${top} → ${top - webhooks.timeouts}/${top}, lag p95 ${fixed(percentile(polling.lags, 95), 1)} s → ` +
      `${fixed(percentile(webhooks.lags, 95), 1)} s, Replicate GETs ${polling.predictionGets} → ${webhooks.predictionGets}`,
  );
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
