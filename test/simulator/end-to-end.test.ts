/**
 * Issue 12 end to end: a clip whose output URL carries a host name (as Replicate's do) is fetched once, probed from
 * local bytes and stored — with the simulator's default output URLs, and with `--public-url http://localhost:PORT`.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../src/temporal/dev-server';
import { ClipHarness } from '../workflows/harness';

jest.setTimeout(120_000);

async function oneClip(harness: ClipHarness): Promise<void> {
  const clip = await harness.run(harness.input({ duration: 3 }));

  expect(clip).toMatchObject({ status: 'success', model: 'svd' });
  const output = harness.simulator.predictions().find((prediction) => prediction.id === clip.predictionId)?.output;
  expect(new URL(output as string).hostname).toBe('localhost');
  expect(harness.simulator.stats().outputs[clip.predictionId]).toEqual({
    requests: 1,
    rangeRequests: 0,
    bytes: clip.video.bytes,
  });
  const stored = fs.readFileSync(fileURLToPath(clip.videoUrl));
  expect(stored.length).toBe(clip.video.bytes);
  expect(createHash('sha256').update(stored).digest('hex')).toBe(clip.video.sha256);
}

describe('a clip from output URLs on http://localhost:…', () => {
  it.each([
    ['the simulator default', async () => ({})],
    [
      'clipgen simulator --public-url http://localhost:PORT',
      async () => {
        const port = await freePort();
        return { port, publicUrl: `http://localhost:${port}` };
      },
    ],
  ])('succeeds with one output request (%s)', async (_, simulatorOptions) => {
    const harness = await ClipHarness.start('time-skipping', { simulator: await simulatorOptions() });
    try {
      await oneClip(harness);
    } finally {
      await harness.close();
    }
  });
});
