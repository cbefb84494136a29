import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Simulator } from '../../simulator';
import { loadInputImage } from '../../simulator/render/input-image';
import {
  COGVIDEOX_VERSION,
  SVD_VERSION,
  eventually,
  TOKEN,
  makePng,
  pixelAtCentre,
  postJson,
  probe,
  startTestServer,
  startTestSimulator,
  waitForTerminal,
  type TestServer,
} from './helpers';

/** Creates with Prefer: wait and returns the finished prediction. */
async function run(sim: Simulator, path: string, body: unknown): Promise<Record<string, unknown>> {
  const created = await postJson(`${sim.baseUrl}${path}`, body, { prefer: 'wait=30' });
  expect(created.status).toBeLessThan(300);
  return waitForTerminal(sim, created.json.id as string);
}

describe('rendered outputs', () => {
  let sim: Simulator;
  let images: TestServer;

  beforeAll(async () => {
    const square = await makePng(400, 400, 'red');
    images = await startTestServer((request, res) => {
      if (request.url === '/page.html') {
        res.writeHead(200, { 'content-type': 'image/png' });
        res.end('<!DOCTYPE html><html><body>Not found</body></html>');
        return;
      }
      if (request.url !== '/square.png') {
        res.writeHead(404);
        res.end();
        return;
      }
      res.writeHead(200, { 'content-type': 'image/png' });
      res.end(square);
    });
    sim = await startTestSimulator({ token: TOKEN, renderScale: 0.25 });
  });

  afterAll(async () => {
    await sim.close();
    await images.close();
  });

  it('SVD: 25 frames at frames_per_second + 1, sized from the image, first frame is the image', async () => {
    const done = await run(sim, '/predictions', {
      version: SVD_VERSION,
      input: { input_image: `${images.url}/square.png`, video_length: '25_frames_with_svd_xt', frames_per_second: 6 },
    });
    expect(done.status).toBe('succeeded');
    const stream = await probe(done.output as string);
    expect(stream).toMatchObject({ codec_name: 'h264', pix_fmt: 'yuv420p', r_frame_rate: '7/1', nb_read_frames: '25' });
    expect(Number(stream.duration)).toBeCloseTo(25 / 7, 2);
    // 400x400 fits 1024x576 as 576x576 (multiples of 64), at renderScale 0.25.
    expect([stream.width, stream.height]).toEqual([144, 144]);
    const [red, green, blue] = await pixelAtCentre(done.output as string, 0);
    expect(red).toBeGreaterThan(200);
    expect(green).toBeLessThan(60);
    expect(blue).toBeLessThan(60);
  });

  it('SVD: the default 14 frames at 7 fps (2 s), 1024x576 when cropped to 16:9', async () => {
    const done = await run(sim, '/predictions', {
      version: SVD_VERSION,
      input: { input_image: `${images.url}/square.png`, sizing_strategy: 'crop_to_16_9' },
    });
    const stream = await probe(done.output as string);
    expect(stream).toMatchObject({ r_frame_rate: '7/1', nb_read_frames: '14', width: 256, height: 144 });
    expect(Number(stream.duration)).toBeCloseTo(2, 2);
  });

  it.each([
    [
      'it is missing (404)',
      'missing.png',
      /^Failed to download the input image from http:\/\/.+\/missing\.png: HTTP 404/,
    ],
    ['it is not an image', 'page.html', /^cannot identify image file: .+\/page\.html is not an image$/],
    [
      'its host refuses connections',
      null,
      /^Failed to download the input image from http:\/\/127\.0\.0\.1:9\/a\.png: /,
    ],
  ])(
    'fails the prediction, as a real model does, when its input image cannot be read: %s',
    async (_case, file, error) => {
      const imageUrl = file === null ? 'http://127.0.0.1:9/a.png' : `${images.url}/${file}`;
      for (const [path, body] of [
        ['/predictions', { version: SVD_VERSION, input: { input_image: imageUrl } }],
        ['/models/kwaivgi/kling-v2.1/predictions', { input: { prompt: 'a fox', start_image: imageUrl } }],
      ] as const) {
        const done = await run(sim, path, body);
        expect(done).toMatchObject({ status: 'failed', output: null });
        expect(done.error).toMatch(error);
      }
    },
  );

  it('CogVideoX: 49 frames at 8 fps = 6.125 s, 720x480', async () => {
    const done = await run(sim, '/predictions', { version: COGVIDEOX_VERSION, input: { prompt: 'a calm sea' } });
    const stream = await probe(done.output as string);
    expect(stream).toMatchObject({ r_frame_rate: '8/1', nb_read_frames: '49', width: 180, height: 120 });
    expect(Number(stream.duration)).toBeCloseTo(6.125, 2);
  });

  it('Kling v2.1: 5 s at 24 fps, 720p in standard mode', async () => {
    const done = await run(sim, '/models/kwaivgi/kling-v2.1/predictions', {
      input: { prompt: 'a fox', start_image: `${images.url}/square.png` },
    });
    expect(done.metrics).toMatchObject({ video_output_duration_seconds: 5 });
    const stream = await probe(done.output as string);
    expect(stream).toMatchObject({ r_frame_rate: '24/1', nb_read_frames: '120', width: 320, height: 180 });
    expect(Number(stream.duration)).toBeCloseTo(5, 2);
  });

  it('Hailuo-02: 10 s at 768p; 10 s at 1080p fails as the model does', async () => {
    const done = await run(sim, '/models/minimax/hailuo-02/predictions', {
      input: { prompt: 'rain', duration: 10, resolution: '768p' },
    });
    const stream = await probe(done.output as string);
    expect(stream).toMatchObject({ r_frame_rate: '24/1', nb_read_frames: '240' });
    expect(Number(stream.duration)).toBeCloseTo(10, 2);

    const refused = await run(sim, '/models/minimax/hailuo-02/predictions', {
      input: { prompt: 'rain', duration: 10 },
    });
    expect(refused).toMatchObject({ status: 'failed', output: null });
    expect(refused.error).toMatch(/768p/);
  });

  it('serves byte ranges, HEAD and 416 for ranges past the end', async () => {
    const done = await run(sim, '/predictions', { version: COGVIDEOX_VERSION, input: { prompt: 'ranges' } });
    const url = done.output as string;
    const whole = Buffer.from(await (await fetch(url)).arrayBuffer());

    const partial = await fetch(url, { headers: { range: 'bytes=10-19' } });
    expect(partial.status).toBe(206);
    expect(partial.headers.get('content-range')).toBe(`bytes 10-19/${whole.length}`);
    expect(partial.headers.get('content-length')).toBe('10');
    expect(Buffer.from(await partial.arrayBuffer())).toEqual(whole.subarray(10, 20));

    const suffix = await fetch(url, { headers: { range: 'bytes=-4' } });
    expect(Buffer.from(await suffix.arrayBuffer())).toEqual(whole.subarray(whole.length - 4));

    const head = await fetch(url, { method: 'HEAD' });
    expect(head.headers.get('content-length')).toBe(String(whole.length));
    expect(head.headers.get('accept-ranges')).toBe('bytes');

    const beyond = await fetch(url, { headers: { range: `bytes=${whole.length}-` } });
    expect(beyond.status).toBe(416);
    expect(beyond.headers.get('content-range')).toBe(`bytes */${whole.length}`);
  });

  it('has no output to serve before the prediction succeeds', async () => {
    const slow = await startTestSimulator({ token: TOKEN, predictSeconds: 30 });
    try {
      const created = await postJson(`${slow.baseUrl}/predictions`, {
        version: COGVIDEOX_VERSION,
        input: { prompt: 'x' },
      });
      expect(created.json.output).toBeNull();
      const early = await fetch(`${slow.url}/delivery/${created.json.id}/output.mp4`);
      expect(early.status).toBe(404);
    } finally {
      await slow.close();
    }
  });
});

describe('output URLs and their transfers', () => {
  it('names the output host localhost (as Replicate outputs carry a host name), unless publicUrl says otherwise', async () => {
    const sim = await startTestSimulator({ token: TOKEN });
    const published = await startTestSimulator({ token: TOKEN, publicUrl: 'http://sim.internal:8787/v1' });
    try {
      expect(sim.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const done = await run(sim, '/predictions', { version: COGVIDEOX_VERSION, input: { prompt: 'x' } });
      const output = new URL(done.output as string);
      expect(output.hostname).toBe('localhost');
      expect(output.port).toBe(new URL(sim.url).port);
      expect((await fetch(output)).status).toBe(200);

      const created = await postJson(`${published.baseUrl}/predictions`, {
        version: COGVIDEOX_VERSION,
        input: { prompt: 'x' },
      });
      const other = await waitForTerminal(published, created.json.id as string);
      expect(other.output).toBe(`http://sim.internal:8787/delivery/${String(other.id)}/output.mp4`);
    } finally {
      await Promise.all([sim.close(), published.close()]);
    }
  });

  it('counts requests, Range requests and body bytes of each output, in stats() and /_admin/stats', async () => {
    const sim = await startTestSimulator({ token: TOKEN });
    try {
      const done = await run(sim, '/predictions', { version: COGVIDEOX_VERSION, input: { prompt: 'x' } });
      const id = done.id as string;
      expect(sim.stats().outputs[id]).toBeUndefined();
      const whole = Buffer.from(await (await fetch(done.output as string)).arrayBuffer());
      expect(sim.stats().outputs).toEqual({ [id]: { requests: 1, rangeRequests: 0, bytes: whole.length } });

      await (await fetch(done.output as string, { headers: { range: 'bytes=100-' } })).arrayBuffer();
      await fetch(done.output as string, { method: 'HEAD' });
      const expected = { requests: 3, rangeRequests: 1, bytes: whole.length + whole.length - 100 };
      await eventually(() => sim.stats().outputs[id]?.bytes === expected.bytes);
      expect(sim.stats().outputs[id]).toEqual(expected);
      const admin = (await (await fetch(`${sim.url}/_admin/stats`)).json()) as { outputs: unknown };
      expect(admin.outputs).toEqual({ [id]: expected });
    } finally {
      await sim.close();
    }
  });
});

describe('input images shared by concurrent predictions', () => {
  it('loads the same image many times at once without one load failing another', async () => {
    const frame = await makePng(64, 48, 'green');
    const images = await startTestServer((_request, res) => {
      res.writeHead(200, { 'content-type': 'image/png' });
      res.end(frame);
    });
    const cacheDir = await mkdtemp(path.join(os.tmpdir(), 'sim-images-'));
    try {
      const loads = await Promise.allSettled(
        Array.from({ length: 24 }, () =>
          loadInputImage(`${images.url}/frame.png`, cacheDir, new AbortController().signal),
        ),
      );
      expect(loads.filter((load) => load.status === 'rejected')).toEqual([]);
      const sizes = loads.map((load) => (load.status === 'fulfilled' ? load.value.size : null));
      expect(new Set(sizes.map((size) => JSON.stringify(size)))).toEqual(new Set(['{"width":64,"height":48}']));
    } finally {
      await images.close();
      await rm(cacheDir, { recursive: true, force: true });
    }
  });
});
