/**
 * One store, the way storeClip does it (streaming download → Supabase backend), in its own process so its peak
 * RSS is the store's alone. Prints one JSON line: bytes, sha256, seconds, peak RSS (bytes).
 *
 *   node <compiled>/bench/support/supabase-store-child.js <source url> <supabase url> <service role key>
 * (bench/storage-memory.ts compiles it; `node --import tsx` runs the source too, with tsx's loader on top.)
 */
import { DEFAULT_DOWNLOAD_POLICY, openDownload } from '../../src/media/download';
import { createSupabaseStorage } from '../../src/storage/supabase';

async function main() {
  const [sourceUrl, supabaseUrl, serviceRoleKey] = process.argv.slice(2);
  const storage = createSupabaseStorage({ url: supabaseUrl, serviceRoleKey });
  const started = Date.now();
  const download = await openDownload(sourceUrl, { ...DEFAULT_DOWNLOAD_POLICY, allowPrivateHosts: true });
  const stored = await storage.put(`bench/clip_${process.pid}.mp4`, download.stream, {
    contentType: 'video/mp4',
    expectedBytes: download.contentLength ?? undefined,
  });
  const seconds = (Date.now() - started) / 1000;
  // maxRSS is in kilobytes: the process's high-water mark, so no sample can miss the peak.
  const peakRssBytes = process.resourceUsage().maxRSS * 1024;
  console.log(JSON.stringify({ bytes: stored.bytes, sha256: stored.sha256, seconds, peakRssBytes }));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
