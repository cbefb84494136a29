/**
 * bench:memory — peak RSS of a worker process (real activities, in a child process) while its fetchProbeStore
 * activity fetches a 10 MB and a 1 GB model output to its spool file, probes it and streams it into local storage.
 * Streaming keeps memory flat: the 1 GB clip should peak close to the 10 MB one. Each size runs in a fresh worker,
 * measured from a garbage-collected baseline. The outputs are real MP4s padded to size with a `free` box.
 *
 *   npx tsx bench/memory.ts [--sizes-mb 10,1024]
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { makeMp4 } from '../test/media/support/make-media';
import { startMediaServer, type MediaServer } from '../test/media/support/media-server';
import { paddedMp4 } from '../test/media/support/padded-mp4';
import { benchArgs } from './support/args';
import { spawnChildWorker } from './support/child-worker';
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
  try {
    for (const size of sizes) {
      console.error(`storing ${size} MB…`);
      results.push(await measure(stack, source, mp4, size));
    }
  } finally {
    await source.close();
    await stack.close();
    await rm(mediaDir, { recursive: true, force: true });
  }
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
  printJsonSummary('memory', {
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

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
