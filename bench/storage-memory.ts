/**
 * bench:storage — peak RSS of a process that streams a 1 GB model output into Supabase Storage (through the
 * supabase backend: resumable upload in 6 MB chunks) against the local Storage server, next to a 10 MB store as the
 * baseline. The bytes are generated and served over HTTP, so the store downloads and uploads as in production.
 * Each store runs in a fresh child process, compiled with the production build settings and run by plain node (as
 * the Docker image runs lib/); its peak RSS is the kernel's high-water mark. The target is a 1 GB peak under 200 MB.
 *
 *   npx tsx bench/storage-memory.ts [--sizes-mb 10,1024] [--target-mb 200]
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { patternSha256, startGeneratedSource } from '../test/stand-ins/supabase-storage/generated-source';
import { startStorageServer } from '../test/stand-ins/supabase-storage/server';
import { benchArgs } from './support/args';
import { compileEntry } from './support/compiled-entry';
import { fixed, megabytes, printJsonSummary, printTable, ratio, toMegabytes } from './support/report';

const run = promisify(execFile);

interface Measured {
  megabytes: number;
  bytes: number;
  seconds: number;
  peakRssBytes: number;
  sha256Matches: boolean;
}

async function main() {
  const args = benchArgs(['sizes-mb', 'target-mb']);
  const sizes = args.numbers('sizes-mb', [10, 1024]);
  const targetMb = args.number('target-mb', 200);
  const server = await startStorageServer({ buckets: [{ id: 'video-clips' }], fileSizeLimit: 4 * 1024 ** 3 });
  const source = await startGeneratedSource();
  console.error('compiling the store for plain node (as production runs lib/)…');
  const compiled = await compileEntry('bench/support/supabase-store-child.ts');
  const results: Measured[] = [];
  try {
    for (const size of sizes) {
      const bytes = size * 1024 * 1024;
      console.error(`storing ${size} MB…`);
      const child = await run(
        process.execPath,
        [compiled.file, source.url('bytes', bytes), server.url, server.keys.serviceRoleKey],
        { maxBuffer: 1024 * 1024 },
      );
      const measured = JSON.parse(child.stdout.trim().split('\n').at(-1) ?? '{}') as Omit<Measured, 'megabytes'> & {
        sha256: string;
      };
      results.push({ ...measured, megabytes: size, sha256Matches: measured.sha256 === patternSha256(bytes) });
    }
  } finally {
    await compiled.remove();
    await source.close();
    await server.close();
  }
  const baseline = results[0];
  printTable(
    'Peak RSS of a process streaming one output into Supabase Storage (supabase-js + resumable upload)',
    ['output', 'stored', 'time (s)', 'MB/s', 'peak RSS', `vs ${baseline.megabytes} MB`, 'sha256'],
    results.map((r) => [
      `${r.megabytes} MB`,
      megabytes(r.bytes),
      fixed(r.seconds),
      fixed(r.bytes / 1024 / 1024 / r.seconds, 0),
      megabytes(r.peakRssBytes),
      ratio(r.peakRssBytes, baseline.peakRssBytes),
      r.sha256Matches ? 'ok' : 'MISMATCH',
    ]),
  );
  const largest = results.at(-1) as Measured;
  const met = largest.peakRssBytes < targetMb * 1024 * 1024 && results.every((r) => r.sha256Matches);
  console.log(
    `\n${largest.megabytes} MB store: peak RSS ${megabytes(largest.peakRssBytes)} (target < ${targetMb} MB): ${met ? 'met' : 'MISSED'}`,
  );
  printJsonSummary('storage', {
    targetMb,
    met,
    sizes: Object.fromEntries(
      results.map((r) => [
        String(r.megabytes),
        { peakRssMb: toMegabytes(r.peakRssBytes), seconds: r.seconds, sha256Matches: r.sha256Matches },
      ]),
    ),
  });
  if (!met) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
