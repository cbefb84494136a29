/**
 * bench:memory — peak RSS of a worker process (real activities, in a child process) while its fetchProbeStore
 * activity fetches a 10 MB and a 1 GB model output to its spool file, probes it and streams it into local storage.
 * Streaming keeps memory flat: the 1 GB clip should peak close to the 10 MB one. Each size runs in a fresh worker,
 * measured from a garbage-collected baseline. The outputs are real MP4s padded to size with a `free` box.
 *
 * Then two figures of the product as it ships: the peak RSS of `clipgen demo` (the README's first command, from the
 * built lib/: run `npm run build` first), and the RSS of an idle production worker (compiled, prebuilt workflow
 * bundle, NODE_ENV=production; its ledger is BENCH_DATABASE_URL's Postgres when set, else PGlite). Linux: peaks are
 * the processes' VmHWM.
 *
 *   npx tsx bench/memory.ts [--sizes-mb 10,1024]
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { makeMp4 } from '../test/media/support/make-media';
import { startMediaServer, type MediaServer } from '../test/media/support/media-server';
import { paddedMp4 } from '../test/media/support/padded-mp4';
import { benchArgs } from './support/args';
import { compileProductionWorker, spawnChildWorker } from './support/child-worker';
import { fixed, megabytes, printJsonSummary, printTable, ratio, toMegabytes } from './support/report';
import { startStack, type BenchStack } from './support/stack';
import { storeOnlyWorkflow } from './support/store-only-workflow';

interface Measured {
  megabytes: number;
  storedBytes: number;
  seconds: number;
  baselineRssBytes: number;
  peakRssBytes: number;
}

async function main() {
  const args = benchArgs(['sizes-mb']);
  const sizes = args.numbers('sizes-mb', [10, 1024]);
  const stack = await startStack();
  // A real MP4 padded to each size, generated as it is served, so this process never holds the file either.
  const mediaDir = await mkdtemp(path.join(tmpdir(), 'clipgen-bench-memory-'));
  const mp4 = await readFile(await makeMp4(mediaDir, 'clip.mp4', { frames: 49, fps: 8 }));
  const source = await startMediaServer(mediaDir);
  const results: Measured[] = [];
  let idleWorkerRssBytes: number;
  try {
    for (const size of sizes) {
      console.error(`storing ${size} MB…`);
      results.push(await measure(stack, source, mp4, size));
    }
    console.error('an idle production worker…');
    idleWorkerRssBytes = await measureIdleWorker(stack);
  } finally {
    await source.close();
    await stack.close();
    await rm(mediaDir, { recursive: true, force: true });
  }
  console.error('clipgen demo…');
  const demoPeakRssBytes = await measureDemo();
  printTable(
    'Worker process RSS while fetchProbeStore fetches, probes and stores one output locally (sampled every 20 ms)',
    ['output', 'stored', 'time (s)', 'MB/s', 'RSS before', 'RSS peak', 'peak − before'],
    results.map((r) => [
      `${r.megabytes} MB`,
      megabytes(r.storedBytes),
      fixed(r.seconds),
      fixed(r.storedBytes / 1024 / 1024 / r.seconds, 0),
      megabytes(r.baselineRssBytes),
      megabytes(r.peakRssBytes),
      megabytes(r.peakRssBytes - r.baselineRssBytes),
    ]),
  );
  const smallest = results[0];
  const largest = results[results.length - 1];
  console.log(
    `\nbench:memory worker peak RSS storing ${largest.megabytes} MB vs ${smallest.megabytes} MB: ` +
      `${megabytes(largest.peakRssBytes)} vs ${megabytes(smallest.peakRssBytes)} ` +
      `(${ratio(largest.peakRssBytes, smallest.peakRssBytes)}); growth over baseline ` +
      `${megabytes(largest.peakRssBytes - largest.baselineRssBytes)} vs ` +
      `${megabytes(smallest.peakRssBytes - smallest.baselineRssBytes)} for ` +
      `${ratio(largest.storedBytes, smallest.storedBytes)} the bytes`,
  );
  printTable(
    'The product as it ships',
    ['process', 'RSS'],
    [
      ['clipgen demo (node bin/clipgen.js demo), peak', megabytes(demoPeakRssBytes)],
      [
        `production worker idle (${process.env.BENCH_DATABASE_URL ? 'Postgres' : 'PGlite'} ledger)`,
        megabytes(idleWorkerRssBytes),
      ],
    ],
  );
  printJsonSummary('memory', {
    demoPeakRssMb: toMegabytes(demoPeakRssBytes),
    idleWorkerRssMb: toMegabytes(idleWorkerRssBytes),
    idleWorkerLedger: process.env.BENCH_DATABASE_URL ? 'postgres' : 'pglite',
    sizes: Object.fromEntries(
      results.map((r) => [
        String(r.megabytes),
        { peakRssMb: toMegabytes(r.peakRssBytes), baselineRssMb: toMegabytes(r.baselineRssBytes), seconds: r.seconds },
      ]),
    ),
  });
}

async function measure(stack: BenchStack, source: MediaServer, mp4: Buffer, size: number): Promise<Measured> {
  const bytes = size * 1024 * 1024;
  const taskQueue = `bench-memory-${randomUUID()}`;
  const worker = spawnChildWorker({
    TEMPORAL_ADDRESS: stack.env.address,
    TEMPORAL_TASK_QUEUE: taskQueue,
    CLIPGEN_DATA_DIR: path.join(stack.workDir, taskQueue),
    DOWNLOAD_ALLOW_PRIVATE_HOSTS: 'true',
    DOWNLOAD_MAX_BYTES: String(4 * 1024 ** 3),
    LOG_LEVEL: 'ERROR',
    BENCH_WORKFLOWS_PATH: require.resolve('./support/store-only-workflow'),
    BENCH_RSS_SAMPLE_MS: '20',
  });
  try {
    await worker.ready(stack.env.client, taskQueue);
    const before = await worker.reset();
    const started = Date.now();
    const stored = await stack.env.client.workflow.execute(storeOnlyWorkflow, {
      workflowId: `bench-store-${randomUUID()}`,
      taskQueue,
      args: [
        {
          jobId: randomUUID(),
          clipIndex: 0,
          predictionId: `bench${size}`,
          outputUrl: source.url(`/padded/clip.mp4/${bytes}`),
        },
      ],
    });
    const seconds = (Date.now() - started) / 1000;
    const after = await worker.usage();
    if (stored.sha256 !== paddedMp4(mp4, bytes).sha256())
      throw new Error(`the stored ${size} MB differ from the source`);
    return {
      megabytes: size,
      storedBytes: stored.bytes,
      seconds,
      baselineRssBytes: before.rssBytes,
      peakRssBytes: after.peakRssBytes,
    };
  } finally {
    await worker.stop();
  }
}

/** RSS of a production worker 5 s after it first polled, garbage collected, doing nothing. */
async function measureIdleWorker(stack: BenchStack): Promise<number> {
  const production = await compileProductionWorker();
  const taskQueue = `bench-idle-${randomUUID()}`;
  const worker = spawnChildWorker(
    {
      TEMPORAL_ADDRESS: stack.env.address,
      TEMPORAL_TASK_QUEUE: taskQueue,
      CLIPGEN_DATA_DIR: path.join(stack.workDir, taskQueue),
      LOG_LEVEL: 'ERROR',
    },
    production,
  );
  try {
    await worker.ready(stack.env.client, taskQueue);
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    return (await worker.reset()).rssBytes;
  } finally {
    await worker.stop();
    await production.remove();
  }
}

/** Peak RSS (VmHWM, read every 20 ms until it exits) of `node bin/clipgen.js demo --json` on embedded defaults. */
async function measureDemo(): Promise<number> {
  const root = path.join(__dirname, '..');
  if (!existsSync(path.join(root, 'lib', 'src', 'cli.js'))) throw new Error('run `npm run build` first');
  const dataDir = await mkdtemp(path.join(tmpdir(), 'clipgen-bench-demo-'));
  const child = spawn(process.execPath, [path.join(root, 'bin', 'clipgen.js'), 'demo', '--json'], {
    cwd: dataDir,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', CLIPGEN_DATA_DIR: dataDir },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  let peakKb = 0;
  const sample = setInterval(() => {
    try {
      const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (match) peakKb = Math.max(peakKb, Number(match[1]));
    } catch {
      // exited between two samples
    }
  }, 20);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  clearInterval(sample);
  await rm(dataDir, { recursive: true, force: true });
  if (code !== 0) throw new Error(`clipgen demo exited with ${code}`);
  return peakKb * 1024;
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
