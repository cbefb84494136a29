/**
 * One store, the way fetchProbeStore does it (download once into a spool file, then upload that file to the
 * Supabase backend; the probe, a separate ffprobe process, is left out), in its own process so its peak RSS is the
 * store's alone. Prints one JSON line: bytes, sha256, seconds, peak RSS (bytes).
 *
 *   node <compiled>/bench/support/supabase-store-child.js <source url> <supabase url> <service role key>
 * (bench/storage-memory.ts compiles it; `node --import tsx` runs the source too, with tsx's loader on top.)
 */
import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_DOWNLOAD_POLICY } from '../../src/media/download';
import { Spool } from '../../src/media/spool';
import { createSupabaseStorage } from '../../src/storage/supabase';

async function main() {
  const [sourceUrl, supabaseUrl, serviceRoleKey] = process.argv.slice(2);
  const storage = createSupabaseStorage({ url: supabaseUrl, serviceRoleKey });
  const spoolDir = await mkdtemp(join(tmpdir(), 'clipgen-bench-spool-'));
  try {
    const started = Date.now();
    const spool = new Spool(spoolDir);
    const key = { jobId: 'bench', clipIndex: process.pid, predictionId: 'bench' };
    const output = await spool.fetch(sourceUrl, key, { ...DEFAULT_DOWNLOAD_POLICY, allowPrivateHosts: true });
    const stored = await storage.put(`bench/clip_${process.pid}.mp4`, createReadStream(output.path), {
      contentType: 'video/mp4',
      expectedBytes: output.bytes,
      metadata: { size: output.bytes, sha256: output.sha256 },
    });
    const seconds = (Date.now() - started) / 1000;
    // maxRSS is in kilobytes: the process's high-water mark, so no sample can miss the peak.
    const peakRssBytes = process.resourceUsage().maxRSS * 1024;
    console.log(JSON.stringify({ bytes: stored.bytes, sha256: stored.sha256, seconds, peakRssBytes }));
  } finally {
    await rm(spoolDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
