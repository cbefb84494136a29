/**
 * bench:throughput — N clips in flight on ONE worker process (the production `clipgen worker`: compiled, with its
 * prebuilt workflow bundle, NODE_ENV=production, in a child process so its CPU and memory are its own), all started at once, with 60 s predictions and the catalogue's 120 s
 * deadline: 3 s timer polling vs webhooks (receiver inside the worker, WEBHOOKS_IN_WORKER=true). The simulator
 * and the dev server share the machine with it.
 *
 *   npx tsx bench/throughput.ts [--clips 100,500,1000] [--predict-seconds 60] [--modes polling,webhooks]
 *                               [--settings default,WORKER_WORKFLOW_THREADS=2+WORKER_MAX_CACHED_WORKFLOWS=250]
 *
 * --settings runs every level once per set of worker settings (environment variables joined by +; `default` is
 * none), side by side in one run.
 */
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Simulator } from '../simulator';
import { freePort } from '../src/temporal/dev-server';
import { countHistory } from '../test/helpers/history-counts';
import { benchArgs } from './support/args';
import { compileProductionWorker, spawnChildWorker, type ChildWorker } from './support/child-worker';
import type { WorkerUsage } from './support/worker-process';
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
  /** The worker's extra environment, `default` when none. */
  settings: string;
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
  /**
   * With every clip started and waiting, 5 s before the first prediction can end: what the clips in flight hold,
   * before the burst of their ends. The RSS as it was, then the usage once the main thread's garbage was collected.
   * Null when starting the clips took longer than that.
   */
  waiting: { rssBytes: number; afterGc: WorkerUsage } | null;
  predictionGets: number;
  actionsPerClip: number;
}

async function main() {
  const args = benchArgs(['clips', 'predict-seconds', 'modes', 'settings']);
  const levels = args.numbers('clips', [100, 500, 1000]);
  const predictSeconds = args.number('predict-seconds', 60);
  const modes = args.list('modes', [...MODES]) as Mode[];
  const settingsList = args.list('settings', ['default']);
  const production = await compileProductionWorker();
  const stack = await startStack();
  const simulator = await stack.simulator(predictSeconds);
  const runs: Run[] = [];
  try {
    for (const clips of levels) {
      for (const mode of modes) {
        for (const settings of settingsList) {
          console.error(`${clips} clips, ${mode}, ${settings}…`);
          runs.push(await runLevel(stack, simulator, production, { clips, mode, settings, predictSeconds }));
        }
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
  { clips, mode, settings, predictSeconds }: { clips: number; mode: Mode; settings: string; predictSeconds: number },
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
      ...workerSettings(settings),
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
    const waiting = await usageWhileWaiting(worker, started + (predictSeconds - 5) * 1000);
    const outcomes = await Promise.allSettled(handles.map((handle) => handle.result()));
    const wallSeconds = (Date.now() - started) / 1000;
    const after = await worker.usage();
    const failures = outcomes.flatMap((outcome) =>
      outcome.status === 'rejected' ? [failureType(outcome.reason)] : [],
    );
    return {
      clips,
      mode,
      settings,
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
      waiting,
      predictionGets: predictionGets(simulator) - getsBefore,
      actionsPerClip: await sampledActions(handles),
    };
  } finally {
    await worker.stop();
  }
}

/** The worker's memory at `at`, or null when that moment has passed (the clips took longer than that to start). */
async function usageWhileWaiting(worker: ChildWorker, at: number): Promise<Run['waiting']> {
  if (Date.now() >= at) return null;
  await new Promise((resolve) => setTimeout(resolve, at - Date.now()));
  const { rssBytes } = await worker.usage();
  return { rssBytes, afterGc: await worker.usageAfterGc() };
}

/** `A=1+B=2` → { A: '1', B: '2' }; `default` → {}. */
function workerSettings(settings: string): Record<string, string> {
  if (settings === 'default') return {};
  return Object.fromEntries(
    settings.split('+').map((pair) => {
      const match = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(pair);
      if (!match) throw new Error(`--settings takes default or NAME=value joined by +, not "${pair}"`);
      return [match[1], match[2]];
    }),
  );
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
  const settingsList = [...new Set(runs.map((run) => run.settings))];
  const byMode = (mode: Mode, settings: string) =>
    Object.fromEntries(
      runs
        .filter((run) => run.mode === mode && run.settings === settings)
        .map((run) => [
          String(run.clips),
          {
            lagP95: percentile(run.lags, 95),
            lagP50: percentile(run.lags, 50),
            deadlinesMissed: run.timeouts,
            otherFailures: run.otherFailures.length,
            peakRssMb: toMegabytes(run.peakRssBytes),
            waiting: run.waiting && {
              rssMb: toMegabytes(run.waiting.rssBytes),
              afterGc: {
                rssMb: toMegabytes(run.waiting.afterGc.rssBytes),
                heapUsedMb: toMegabytes(run.waiting.afterGc.heapUsedBytes),
                heapTotalMb: toMegabytes(run.waiting.afterGc.heapTotalBytes),
                externalMb: toMegabytes(run.waiting.afterGc.externalBytes),
              },
            },
            workerCpuSeconds: run.cpuSeconds,
            actionsPerClip: run.actionsPerClip,
            phasesP50: phasePercentile(run.phases, 50),
            phasesP95: phasePercentile(run.phases, 95),
          },
        ]),
    );
  printJsonSummary('throughput', {
    predictSeconds,
    settings: settingsList[0],
    polling: byMode('polling', settingsList[0]),
    webhooks: byMode('webhooks', settingsList[0]),
    ...(settingsList.length > 1
      ? {
          variants: settingsList.map((settings) => ({
            settings,
            polling: byMode('polling', settings),
            webhooks: byMode('webhooks', settings),
          })),
        }
      : {}),
  });
}

function printHuman(runs: Run[], predictSeconds: number) {
  printTable(
    `Clips in flight on one worker process, ${predictSeconds} s predictions, 120 s deadline`,
    [
      'clips',
      'mode',
      'worker settings',
      'ok',
      'deadline missed',
      'other failures',
      'lag p50 (s)',
      'lag p95 (s)',
      'wall (s)',
      'worker CPU (s)',
      'CPU ms/clip',
      'avg CPU %',
      'RSS start → waiting → peak',
      'Replicate GETs',
      'actions/clip',
    ],
    runs.map((run) => [
      run.clips,
      run.mode,
      run.settings,
      run.succeeded,
      run.timeouts,
      run.otherFailures.length ? `${run.otherFailures.length} (${[...new Set(run.otherFailures)].join(', ')})` : 0,
      fixed(percentile(run.lags, 50), 2),
      fixed(percentile(run.lags, 95), 2),
      fixed(run.wallSeconds),
      fixed(run.cpuSeconds),
      fixed((run.cpuSeconds * 1000) / run.clips, 0),
      fixed((run.cpuSeconds / run.wallSeconds) * 100, 0),
      `${megabytes(run.baselineRssBytes)} → ${run.waiting ? megabytes(run.waiting.rssBytes) : '—'} → ` +
        megabytes(run.peakRssBytes),
      run.predictionGets,
      fixed(run.actionsPerClip, 1),
    ]),
  );
  printTable(
    'Where the lag went (completed_at → close), p50 / p95 per phase, seconds',
    ['clips', 'mode', 'worker settings', ...PHASES],
    runs.map((run) => {
      const [p50, p95] = [phasePercentile(run.phases, 50), phasePercentile(run.phases, 95)];
      return [
        run.clips,
        run.mode,
        run.settings,
        ...PHASES.map((phase) => `${fixed(p50[phase], 2)} / ${fixed(p95[phase], 2)}`),
      ];
    }),
  );
  printTable(
    'With every clip waiting (5 s before the first prediction ends), once the main thread has collected its garbage',
    ['clips', 'mode', 'worker settings', 'RSS', 'main JS heap used / total', 'main external', 'rest of RSS'],
    runs.map((run) => {
      const afterGc = run.waiting?.afterGc;
      return [
        run.clips,
        run.mode,
        run.settings,
        afterGc ? megabytes(afterGc.rssBytes) : '—',
        afterGc ? `${megabytes(afterGc.heapUsedBytes)} / ${megabytes(afterGc.heapTotalBytes)}` : '—',
        afterGc ? megabytes(afterGc.externalBytes) : '—',
        afterGc ? megabytes(afterGc.rssBytes - afterGc.heapTotalBytes - afterGc.externalBytes) : '—',
      ];
    }),
  );
  const top = Math.max(...runs.map((run) => run.clips));
  const atTop = runs.filter((run) => run.clips === top);
  if (new Set(atTop.map((run) => run.settings)).size > 1) {
    const [baseline, ...others] = atTop;
    for (const other of others.filter((run) => run.mode === baseline.mode)) {
      console.log(
        `\nbench:throughput ${top} clips, ${baseline.mode}, ${baseline.settings} → ${other.settings}: lag p95 ` +
          `${fixed(percentile(baseline.lags, 95), 1)} s → ${fixed(percentile(other.lags, 95), 1)} s, peak RSS ` +
          `${megabytes(baseline.peakRssBytes)} → ${megabytes(other.peakRssBytes)}, worker CPU ` +
          `${fixed(baseline.cpuSeconds)} s → ${fixed(other.cpuSeconds)} s, deadlines held ` +
          `${top - baseline.timeouts}/${top} → ${top - other.timeouts}/${top}`,
      );
    }
    return;
  }
  const polling = atTop.find((run) => run.mode === 'polling');
  const webhooks = atTop.find((run) => run.mode === 'webhooks');
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
