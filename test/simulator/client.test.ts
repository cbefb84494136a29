import Replicate from 'replicate';
import type { Simulator } from '../../simulator';
import {
  COGVIDEOX_VERSION,
  SVD_VERSION,
  TOKEN,
  makePng,
  startTestServer,
  startTestSimulator,
  type TestServer,
} from './helpers';

describe('the real replicate client against the simulator', () => {
  let sim: Simulator;
  let images: TestServer;
  let replicate: Replicate;

  beforeAll(async () => {
    const png = await makePng(320, 180, 'blue');
    images = await startTestServer((_request, res) => {
      res.writeHead(200, { 'content-type': 'image/png' });
      res.end(png);
    });
    sim = await startTestSimulator({ token: TOKEN });
    replicate = new Replicate({ auth: TOKEN, baseUrl: sim.baseUrl, useFileOutput: false });
  });

  afterAll(async () => {
    await sim.close();
    await images.close();
  });

  it('creates a community model prediction by version and waits for a playable output URL', async () => {
    const created = await replicate.predictions.create({
      version: SVD_VERSION,
      input: { input_image: `${images.url}/first.png`, video_length: '25_frames_with_svd_xt' },
    });
    expect(created).toMatchObject({
      model: 'stability-ai/stable-video-diffusion',
      version: SVD_VERSION,
      status: 'starting',
      source: 'api',
      output: null,
      error: null,
      started_at: null,
      data_removed: false,
    });
    expect(created.id).toMatch(/^[a-z2-7]{26}$/);
    expect(created.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    expect(created.urls.get).toBe(`${sim.baseUrl}/predictions/${created.id}`);
    expect(created.urls.cancel).toBe(`${sim.baseUrl}/predictions/${created.id}/cancel`);

    const finished = await replicate.wait(created, { interval: 50 });
    expect(finished.status).toBe('succeeded');
    // At least the configured run; more when the render (real ffmpeg) outlasts it on a busy machine.
    expect(finished.metrics?.predict_time).toBeGreaterThanOrEqual(0.3);
    expect(finished.metrics?.predict_time).toBeLessThan(10);
    expect(typeof finished.output).toBe('string');
    const video = await fetch(finished.output as string);
    expect(video.status).toBe(200);
    expect(video.headers.get('content-type')).toBe('video/mp4');
    expect((await video.arrayBuffer()).byteLength).toBeGreaterThan(1000);
  });

  it('runs an official model by name with a hidden version and a per-output billing metric', async () => {
    const created = await replicate.predictions.create({
      model: 'kwaivgi/kling-v2.1',
      input: { prompt: 'a fox', start_image: `${images.url}/fox.png`, duration: 10 },
      wait: 10,
    });
    expect(created.status).toBe('succeeded');
    expect(created.version).toBe('hidden');
    expect(created.model).toBe('kwaivgi/kling-v2.1');
    expect(created.metrics).toMatchObject({ video_output_duration_seconds: 10 });
    const fetched = await replicate.predictions.get(created.id);
    expect(fetched).toEqual(created);
  });

  it('refuses a community model through the official-model route with a 404 ApiError', async () => {
    const attempt = replicate.predictions.create({ model: 'cuuupid/cogvideox-5b', input: { prompt: 'x' } });
    await expect(attempt).rejects.toMatchObject({ name: 'ApiError' });
    await expect(attempt).rejects.toThrow(
      /status 404 Not Found: \{"detail":"The requested resource could not be found.","status":404\}/,
    );
  });

  it('cancels a running prediction idempotently and bills the time it ran', async () => {
    const slow = await startTestSimulator({ token: TOKEN, predictSeconds: 30 });
    try {
      const client = new Replicate({ auth: TOKEN, baseUrl: slow.baseUrl });
      const created = await client.predictions.create({ version: COGVIDEOX_VERSION, input: { prompt: 'waves' } });
      await new Promise((resolve) => setTimeout(resolve, 250));
      const canceled = await client.predictions.cancel(created.id);
      expect(canceled.status).toBe('canceled');
      expect(canceled.output).toBeNull();
      expect(canceled.metrics?.predict_time).toBeGreaterThan(0.1);
      const again = await client.predictions.cancel(created.id);
      expect(again).toEqual(canceled);
      expect(slow.stats()).toMatchObject({ cancels: 2, running: 0 });
    } finally {
      await slow.close();
    }
  });

  it('lists predictions newest first and paginates with absolute next links', async () => {
    const many = await startTestSimulator({ token: TOKEN, predictSeconds: 60 });
    try {
      const client = new Replicate({ auth: TOKEN, baseUrl: many.baseUrl });
      const ids: string[] = [];
      for (let index = 0; index < 130; index += 1) {
        const created = await client.predictions.create({
          version: COGVIDEOX_VERSION,
          input: { prompt: `clip ${index}` },
        });
        ids.push(created.id);
      }
      const first = await client.predictions.list();
      expect(first.results).toHaveLength(100);
      expect(first.results[0].id).toBe(ids[129]);
      expect(first.next).toMatch(new RegExp(`^${many.baseUrl}/predictions\\?cursor=`));
      expect(first.previous).toBeNull();

      const pages: string[][] = [];
      for await (const page of client.paginate(client.predictions.list)) pages.push(page.map((item) => item.id));
      expect(pages.map((page) => page.length)).toEqual([100, 30]);
      expect(pages.flat()).toEqual([...ids].reverse());
    } finally {
      await many.close();
    }
  });

  it('describes models and versions with an OpenAPI input schema', async () => {
    const model = await replicate.models.get('stability-ai', 'stable-video-diffusion');
    expect(model.latest_version?.id).toBe(SVD_VERSION);
    const version = await replicate.models.versions.get('stability-ai', 'stable-video-diffusion', SVD_VERSION);
    const schemas = (version.openapi_schema as { components: { schemas: Record<string, Record<string, unknown>> } })
      .components.schemas;
    const input = schemas.Input;
    expect(input.required).toEqual(['input_image']);
    // As Cog writes them: an enum input refers to a component of its own name holding the type and the values.
    expect(input.properties).toMatchObject({
      frames_per_second: { type: 'integer', minimum: 5, maximum: 30, default: 6 },
      video_length: { allOf: [{ $ref: '#/components/schemas/video_length' }], default: '14_frames_with_svd' },
    });
    expect(schemas.video_length).toMatchObject({
      type: 'string',
      enum: ['14_frames_with_svd', '25_frames_with_svd_xt'],
    });
    const kling = await replicate.models.get('kwaivgi', 'kling-v2.1');
    expect(kling.latest_version?.id).toMatch(/^[0-9a-f]{64}$/);
  });

  it('hands out the webhook signing secret', async () => {
    await expect(replicate.webhooks.default.secret.get()).resolves.toEqual({ key: sim.webhookSecret });
    expect(sim.webhookSecret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
  });
});
