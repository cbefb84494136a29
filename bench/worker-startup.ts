/**
 * How long a worker takes to start with the prebuilt workflow bundle (NODE_ENV=production) versus bundling the
 * workflows with webpack on start (development), against a real dev server. Run: `npm run bench:worker-startup`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkerTuning } from '../src/config';
import { openLedger } from '../src/ledger';
import { DEFAULT_DOWNLOAD_POLICY } from '../src/media/download';
import { createReplicateGateway } from '../src/replicate/gateway';
import { buildWorkflowBundle } from '../src/scripts/build-workflow-bundle';
import { createLocalStorage } from '../src/storage/local';
import { TEMPORAL_CLI, findTemporalBinary } from '../src/temporal/dev-server';
import { installRuntimeLogger } from '../src/temporal/runtime-logger';
import { createClipWorker } from '../src/worker';
import { printJsonSummary } from './support/report';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);

async function main(): Promise<void> {
  installRuntimeLogger('ERROR');
  const cli = findTemporalBinary(TEMPORAL_CLI);
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      ...(cli ? { executable: { type: 'existing-path' as const, path: cli } } : {}),
      ip: '127.0.0.1',
      log: { format: 'json', level: 'never' },
    },
  });
  const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'clipgen-bench-'));
  const ledger = await openLedger({});
  try {
    const deps = {
      replicate: createReplicateGateway({ apiToken: 'bench', baseUrl: 'http://127.0.0.1:9/v1' }),
      storage: createLocalStorage({ rootDir: dir, bucket: 'video-clips' }),
      ledger,
      download: DEFAULT_DOWNLOAD_POLICY,
    };
    const bundlePath = path.join(dir, 'workflow-bundle.js');
    const buildStarted = performance.now();
    await buildWorkflowBundle(bundlePath);
    const buildMs = performance.now() - buildStarted;

    const startup = async (mode: WorkerTuning['workflowBundle']): Promise<number> => {
      const started = performance.now();
      const worker = await createClipWorker({
        connection: env.nativeConnection,
        namespace: 'default',
        taskQueue: `bench-${mode}`,
        deps,
        bundlePath,
        tuning: { workflowBundle: mode },
      });
      const elapsed = performance.now() - started;
      await worker.runUntil(Promise.resolve());
      return elapsed;
    };
    const results: Record<string, number[]> = { 'bundle-on-start': [], prebuilt: [] };
    for (let run = 0; run < RUNS; run++) {
      for (const mode of ['bundle-on-start', 'prebuilt'] as const) results[mode].push(await startup(mode));
    }

    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
    console.log(`Worker.create to ready, median of ${RUNS} runs (machine: ${os.cpus().length} cores)`);
    for (const [mode, values] of Object.entries(results)) {
      console.log(
        `  ${mode.padEnd(16)} ${median(values).toFixed(0).padStart(6)} ms   (${values.map((v) => v.toFixed(0)).join(', ')})`,
      );
    }
    const baseline = median(results['bundle-on-start']);
    const prebuilt = median(results.prebuilt);
    console.log(`  prebuilt starts ${(baseline / prebuilt).toFixed(1)}x faster than the baseline (bundle-on-start);`);
    console.log(`  building the bundle once (npm run build) took ${buildMs.toFixed(0)} ms`);
    printJsonSummary('worker-startup', {
      runs: RUNS,
      medianMs: { 'bundle-on-start': baseline, prebuilt },
      bundleBuildMs: buildMs,
    });
  } finally {
    await ledger.close();
    await env.teardown();
    await fs.promises.rm(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
