import Replicate from 'replicate';
import type { Simulator } from '../../simulator';
import {
  COGVIDEOX_VERSION,
  SVD_VERSION,
  TOKEN,
  authHeaders,
  getJson,
  postJson,
  probe,
  startTestSimulator,
  waitForTerminal,
} from './helpers';

const cogInput = { version: COGVIDEOX_VERSION, input: { prompt: 'x' } };

describe('scripted faults', () => {
  let sim: Simulator;
  let replicate: Replicate;

  beforeAll(async () => {
    sim = await startTestSimulator({ token: TOKEN });
    replicate = new Replicate({ auth: TOKEN, baseUrl: sim.baseUrl });
  });

  afterEach(() => sim.faults.clear());

  afterAll(async () => {
    await sim.close();
  });

  function created(): number {
    return Object.values(sim.stats().predictionsCreated).reduce((sum, count) => sum + count, 0);
  }

  it('answers 429 with Retry-After and Replicate throttling body, then recovers', async () => {
    sim.faults.add({ kind: 'http-error', status: 429, retryAfter: 7 });
    const throttled = await postJson(`${sim.baseUrl}/predictions`, cogInput);
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBe('7');
    expect(throttled.json).toEqual({ detail: 'Request was throttled. Your rate limit resets in ~30s.', status: 429 });
    expect((await postJson(`${sim.baseUrl}/predictions`, cogInput)).status).toBe(201);
  });

  it('fails GETs with 500 as often as asked, which the client retries', async () => {
    const prediction = await postJson(`${sim.baseUrl}/predictions`, cogInput);
    sim.faults.add({ kind: 'http-error', status: 500, route: 'get', times: 2 });
    const before = sim.stats().requests['GET /v1/predictions/:id'] ?? 0;
    const fetched = await replicate.predictions.get(prediction.json.id as string);
    expect(fetched.id).toBe(prediction.json.id);
    expect(sim.stats().requests['GET /v1/predictions/:id']).toBe(before + 3);
  });

  it('drops the connection on reset without creating anything', async () => {
    sim.faults.add({ kind: 'reset' });
    const before = created();
    await expect(
      fetch(`${sim.baseUrl}/predictions`, { method: 'POST', headers: authHeaders(), body: JSON.stringify(cogInput) }),
    ).rejects.toThrow();
    expect(created()).toBe(before);
  });

  it('creates the prediction and then loses the response, so the client retry makes a duplicate', async () => {
    sim.faults.add({ kind: 'lose-response' });
    const before = created();
    const prediction = await replicate.predictions.create(cogInput);
    expect(created()).toBe(before + 2);
    const newest = await replicate.predictions.list();
    expect(newest.results.slice(0, 2).map((item) => item.id)).toContain(prediction.id);
    expect(newest.results[1].input).toEqual(newest.results[0].input);
  });

  it('delays a response by the scripted time', async () => {
    sim.faults.add({ kind: 'delay', ms: 400, route: 'list' });
    const started = Date.now();
    await getJson(`${sim.baseUrl}/predictions`);
    expect(Date.now() - started).toBeGreaterThanOrEqual(390);
  });

  it.each(['Prediction interrupted; please retry (code: PA)', 'The input or output was flagged as sensitive. (E005)'])(
    'fails a prediction with %s',
    async (error) => {
      sim.faults.add({ kind: 'prediction-failed', error, model: 'cogvideox' });
      const prediction = await postJson(`${sim.baseUrl}/predictions`, cogInput);
      expect(prediction.status).toBe(201);
      const done = await waitForTerminal(sim, prediction.json.id as string);
      expect(done).toMatchObject({ status: 'failed', error, output: null });
      expect((done.metrics as { predict_time: number }).predict_time).toBeGreaterThan(0);
    },
  );

  it('applies a model filter only to that model', async () => {
    sim.faults.add({ kind: 'http-error', status: 503, model: 'minimax/hailuo-02' });
    expect((await postJson(`${sim.baseUrl}/predictions`, cogInput)).status).toBe(201);
    const hailuo = await postJson(`${sim.baseUrl}/models/minimax/hailuo-02/predictions`, { input: { prompt: 'x' } });
    expect(hailuo.status).toBe(503);
  });

  it('makes a model unavailable: 422 on the version route, 404 on the model route', async () => {
    sim.faults.add([
      { kind: 'model-unavailable', model: 'svd' },
      { kind: 'model-unavailable', model: 'kling-v2.1' },
    ]);
    const svd = await postJson(`${sim.baseUrl}/predictions`, {
      version: SVD_VERSION,
      input: { input_image: 'http://127.0.0.1:9/a.png' },
    });
    expect(svd.status).toBe(422);
    expect(svd.json.title).toBe('Invalid version or not permitted');
    const kling = await postJson(`${sim.baseUrl}/models/kwaivgi/kling-v2.1/predictions`, {
      input: { prompt: 'x', start_image: 'http://127.0.0.1:9/a.png' },
    });
    expect(kling.status).toBe(404);
  });

  it('keeps a never-finishing prediction processing until it is canceled', async () => {
    sim.faults.add({ kind: 'never-finish' });
    const prediction = await postJson(`${sim.baseUrl}/predictions`, cogInput);
    await new Promise((resolve) => setTimeout(resolve, 700));
    const still = await getJson(`${sim.baseUrl}/predictions/${prediction.json.id}`);
    expect(still.json.status).toBe('processing');
    expect(sim.stats().running).toBeGreaterThanOrEqual(1);
    const canceled = await postJson(`${sim.baseUrl}/predictions/${prediction.json.id}/cancel`, {});
    expect(canceled.json.status).toBe('canceled');
  });

  it('keeps a cold-booting prediction starting (unbilled) for the scripted seconds, for that model only', async () => {
    sim.faults.add({ kind: 'cold-boot', seconds: 0.8, model: 'cuuupid/cogvideox-5b' });
    const booting = await postJson(`${sim.baseUrl}/predictions`, cogInput);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect((await getJson(`${sim.baseUrl}/predictions/${booting.json.id}`)).json).toMatchObject({
      status: 'starting',
      started_at: null,
    });
    const done = await waitForTerminal(sim, booting.json.id as string);
    expect(done.status).toBe('succeeded');
    const startedAfterMs = Date.parse(done.started_at as string) - Date.parse(done.created_at as string);
    expect(startedAfterMs).toBeGreaterThanOrEqual(800);
    expect((done.metrics as { predict_time: number }).predict_time).toBeLessThan(0.8);
    expect(sim.faults.list()).toEqual([]);
  });

  it('aborts a cold-booting prediction whose Cancel-After passes before it starts', async () => {
    sim.faults.add({ kind: 'cold-boot', seconds: 30 });
    const booting = await postJson(`${sim.baseUrl}/predictions`, cogInput, { 'cancel-after': '300ms' });
    const done = await waitForTerminal(sim, booting.json.id as string);
    expect(done).toMatchObject({ status: 'aborted', started_at: null });
    expect(done.metrics).not.toHaveProperty('predict_time');
  });

  it('answers a slow cancel with the prediction still running; it stops later, billed for all it ran', async () => {
    expect(() => sim.faults.add({ kind: 'slow-cancel', ms: 0 })).toThrow('slow-cancel needs ms > 0');
    expect(() => sim.faults.add({ kind: 'cold-boot', seconds: -1 })).toThrow('cold-boot needs seconds > 0');
    sim.faults.add([{ kind: 'never-finish' }, { kind: 'slow-cancel', ms: 600 }]);
    const prediction = await postJson(`${sim.baseUrl}/predictions`, cogInput);
    const id = prediction.json.id as string;
    await new Promise((resolve) => setTimeout(resolve, 200));
    const answered = await postJson(`${sim.baseUrl}/predictions/${id}/cancel`, {});
    expect(answered.json).toMatchObject({ status: 'processing', completed_at: null });
    expect(answered.json).not.toHaveProperty('metrics');
    expect(sim.stats().running).toBeGreaterThanOrEqual(1);
    // Cancelling again changes nothing: the cancel under way stands.
    const again = await postJson(`${sim.baseUrl}/predictions/${id}/cancel`, {});
    expect(again.json.status).toBe('processing');
    const done = await waitForTerminal(sim, id);
    expect(done.status).toBe('canceled');
    const answeredAtMs = Date.parse(done.created_at as string) + 200;
    expect(Date.parse(done.completed_at as string) - answeredAtMs).toBeGreaterThanOrEqual(550);
    expect(Date.parse(done.completed_at as string) - answeredAtMs).toBeLessThan(1_000);
    const { predict_time } = done.metrics as { predict_time: number };
    expect(predict_time).toBeGreaterThanOrEqual(0.7);
    expect(sim.faults.list()).toEqual([]);
  });

  it('a slow cancel of a prediction that has not started lets it start, then stops it', async () => {
    sim.faults.add([{ kind: 'cold-boot', seconds: 0.2 }, { kind: 'never-finish' }, { kind: 'slow-cancel', ms: 500 }]);
    const prediction = await postJson(`${sim.baseUrl}/predictions`, cogInput);
    const answered = await postJson(`${sim.baseUrl}/predictions/${prediction.json.id}/cancel`, {});
    expect(answered.json.status).toBe('starting');
    const done = await waitForTerminal(sim, prediction.json.id as string);
    expect(done.status).toBe('canceled');
    expect(done.started_at).not.toBeNull();
    expect((done.metrics as { predict_time: number }).predict_time).toBeGreaterThan(0.2);
  });

  describe('output faults', () => {
    let outputUrl: string;

    beforeAll(async () => {
      const prediction = await postJson(`${sim.baseUrl}/predictions`, cogInput, { prefer: 'wait' });
      outputUrl = prediction.json.output as string;
    });

    it('404s the output once', async () => {
      sim.faults.add({ kind: 'output-404' });
      expect((await fetch(outputUrl)).status).toBe(404);
      expect((await fetch(outputUrl)).status).toBe(200);
    });

    it('truncates the download below its Content-Length', async () => {
      const full = await fetch(outputUrl);
      const size = Number(full.headers.get('content-length'));
      expect((await full.arrayBuffer()).byteLength).toBe(size);
      sim.faults.add({ kind: 'output-truncated' });
      const truncated = await fetch(outputUrl);
      expect(Number(truncated.headers.get('content-length'))).toBe(size);
      await expect(truncated.arrayBuffer()).rejects.toThrow();
    });

    it('stalls half-way through the download, then sends the rest: the same bytes, later', async () => {
      const whole = Buffer.from(await (await fetch(outputUrl)).arrayBuffer());
      sim.faults.add({ kind: 'output-stall', ms: 600 });
      const startedAt = Date.now();
      const response = await fetch(outputUrl);
      const reader = response.body!.getReader();
      const chunks: Buffer[] = [];
      let halfAt: number | undefined;
      for (let read = await reader.read(); !read.done; read = await reader.read()) {
        chunks.push(Buffer.from(read.value));
        if (halfAt === undefined && Buffer.concat(chunks).length >= Math.floor(whole.length / 2)) halfAt = Date.now();
      }

      expect(Buffer.concat(chunks).equals(whole)).toBe(true);
      expect(halfAt! - startedAt).toBeLessThan(500);
      expect(Date.now() - startedAt).toBeGreaterThanOrEqual(600);
    });

    it('serves bytes that are not a video', async () => {
      sim.faults.add({ kind: 'output-not-video', times: 'always' });
      const response = await fetch(outputUrl);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('video/mp4');
      expect(await response.text()).toContain('not a video');
      await expect(probe(outputUrl)).rejects.toThrow();
      sim.faults.clear();
      await expect(probe(outputUrl)).resolves.toMatchObject({ codec_name: 'h264' });
    });
  });

  describe('admin endpoints', () => {
    it('scripts faults over HTTP, one or many, and clears them', async () => {
      const one = await fetch(`${sim.url}/_admin/faults`, {
        method: 'POST',
        body: JSON.stringify({ kind: 'http-error', status: 502, route: 'list', times: 'always' }),
      });
      expect(one.status).toBe(201);
      const many = await fetch(`${sim.url}/_admin/faults`, {
        method: 'POST',
        body: JSON.stringify([
          { kind: 'delay', ms: 10 },
          { kind: 'output-404', times: 3 },
        ]),
      });
      expect(((await many.json()) as { faults: unknown[] }).faults).toHaveLength(3);
      expect((await getJson(`${sim.baseUrl}/predictions`)).status).toBe(502);
      expect((await getJson(`${sim.baseUrl}/predictions`)).status).toBe(502);
      expect((await fetch(`${sim.url}/_admin/faults`, { method: 'DELETE' })).status).toBe(200);
      expect((await getJson(`${sim.baseUrl}/predictions`)).status).toBe(200);
      expect(sim.faults.list()).toEqual([]);
    });

    it('rejects a malformed fault with 400 and adds none of the batch', async () => {
      const response = await fetch(`${sim.url}/_admin/faults`, {
        method: 'POST',
        body: JSON.stringify([{ kind: 'reset' }, { kind: 'explode' }]),
      });
      expect(response.status).toBe(400);
      expect(((await response.json()) as { detail: string }).detail).toMatch(/fault.kind must be one of/);
      expect(sim.faults.list()).toEqual([]);
    });

    it('reports stats and predictions without auth', async () => {
      const stats = await getJson(`${sim.url}/_admin/stats`, {});
      expect(stats.status).toBe(200);
      expect(stats.json).toEqual(sim.stats());
      expect(stats.json.predictionsCreated).toMatchObject({ 'cuuupid/cogvideox-5b': expect.any(Number) });
      expect(stats.json.requests).toMatchObject({ 'POST /v1/predictions': expect.any(Number) });
      const predictions = await getJson(`${sim.url}/_admin/predictions`, {});
      const list = predictions.json as unknown as { id: string; modelKey: string }[];
      expect(list.length).toBe(sim.predictions().length);
      expect(list[0].modelKey).toBe('cogvideox');
    });
  });
});
