import type { Simulator } from '../../simulator';
import {
  COGVIDEOX_VERSION,
  SVD_VERSION,
  TOKEN,
  authHeaders,
  getJson,
  postJson,
  startTestSimulator,
  waitForTerminal,
} from './helpers';

describe('Replicate HTTP contract', () => {
  let sim: Simulator;

  beforeAll(async () => {
    sim = await startTestSimulator({ token: TOKEN });
  });

  afterAll(async () => {
    await sim.close();
  });

  describe('authentication', () => {
    it('answers a request without a token with 401 Unauthenticated', async () => {
      const response = await fetch(`${sim.baseUrl}/predictions`, { headers: { 'content-type': 'application/json' } });
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({
        title: 'Unauthenticated',
        detail: 'You did not pass an authentication token',
        status: 401,
      });
    });

    it('refuses a token other than the configured one', async () => {
      const { status, json } = await getJson(`${sim.baseUrl}/predictions`, { authorization: 'Bearer r8_wrong' });
      expect(status).toBe(401);
      expect(json.detail).toBe('You did not pass a valid authentication token');
    });

    it('accepts any non-empty token when none is configured', async () => {
      const open = await startTestSimulator();
      try {
        const { status } = await getJson(`${open.baseUrl}/predictions`, { authorization: 'Bearer anything' });
        expect(status).toBe(200);
        const { status: missing } = await getJson(`${open.baseUrl}/predictions`, { authorization: 'Bearer ' });
        expect(missing).toBe(401);
      } finally {
        await open.close();
      }
    });
  });

  describe('errors', () => {
    it('gives unknown routes and predictions a 404 with Replicate body', async () => {
      for (const path of ['/nothing-here', '/predictions/aaaaaaaaaaaaaaaaaaaaaaaaaa']) {
        const { status, json } = await getJson(`${sim.baseUrl}${path}`);
        expect(status).toBe(404);
        expect(json).toEqual({ detail: 'The requested resource could not be found.', status: 404 });
      }
      const deployment = await postJson(`${sim.baseUrl}/deployments/acme/video/predictions`, { input: {} });
      expect(deployment.status).toBe(404);
    });

    it('rejects body keys other than version, input, webhook, webhook_events_filter and stream', async () => {
      const { status, json } = await postJson(`${sim.baseUrl}/predictions`, {
        version: COGVIDEOX_VERSION,
        model: 'cuuupid/cogvideox-5b',
        input: { prompt: 'x' },
      });
      expect(status).toBe(422);
      expect(json).toEqual({
        title: 'Input validation failed',
        status: 422,
        detail: '- (root): Additional property model is not allowed\n',
        invalid_fields: [
          {
            type: 'additional_property_not_allowed',
            field: '',
            description: 'Additional property model is not allowed',
          },
        ],
      });
    });

    it('validates the input against the model schema and names every bad field', async () => {
      const { status, json } = await postJson(`${sim.baseUrl}/predictions`, {
        version: SVD_VERSION,
        input: { video_length: '30_frames', frames_per_second: 31, motion_bucket_id: 0, seed: null, colour: 'red' },
      });
      expect(status).toBe(422);
      expect(json.title).toBe('Input validation failed');
      expect(json.invalid_fields).toEqual([
        { type: 'required', field: 'input', description: 'input_image is required' },
        {
          type: 'enum',
          field: 'input.video_length',
          description: 'input.video_length must be one of the following: "14_frames_with_svd", "25_frames_with_svd_xt"',
        },
        { type: 'number_lte', field: 'input.frames_per_second', description: 'Must be less than or equal to 30' },
        { type: 'number_gte', field: 'input.motion_bucket_id', description: 'Must be greater than or equal to 1' },
        { type: 'invalid_type', field: 'input.seed', description: 'Invalid type. Expected: integer, given: null' },
        {
          type: 'additional_property_not_allowed',
          field: 'input',
          description: 'Additional property colour is not allowed',
        },
      ]);
      expect(json.detail).toContain('- input.seed: Invalid type. Expected: integer, given: null\n');
      expect(sim.stats().predictionsCreated).toEqual({});
    });

    it('answers an unknown version with 422 Invalid version or not permitted', async () => {
      const { status, json } = await postJson(`${sim.baseUrl}/predictions`, { version: 'f'.repeat(64), input: {} });
      expect(status).toBe(422);
      expect(json).toEqual({
        title: 'Invalid version or not permitted',
        detail: "The specified version does not exist (or perhaps you don't have permission to use it?)",
        status: 422,
      });
    });

    it('answers a wrong method on a known route with 405', async () => {
      const response = await fetch(`${sim.baseUrl}/predictions`, { method: 'DELETE', headers: authHeaders() });
      expect(response.status).toBe(405);
    });
  });

  describe('prediction objects', () => {
    it('carries every field of the API, moving starting -> processing -> succeeded', async () => {
      const slow = await startTestSimulator({ token: TOKEN, startSeconds: 0.2, predictSeconds: 0.4 });
      try {
        const created = await postJson(`${slow.baseUrl}/predictions`, {
          version: COGVIDEOX_VERSION,
          input: { prompt: 'a lighthouse' },
        });
        expect(created.status).toBe(201);
        expect(Object.keys(created.json).sort()).toEqual(
          [
            'completed_at',
            'created_at',
            'data_removed',
            'error',
            'id',
            'input',
            'logs',
            'model',
            'output',
            'source',
            'started_at',
            'status',
            'urls',
            'version',
          ].sort(),
        );
        expect(created.json.urls).toEqual({
          get: `${slow.baseUrl}/predictions/${created.json.id}`,
          cancel: `${slow.baseUrl}/predictions/${created.json.id}/cancel`,
          web: `https://replicate.com/p/${created.json.id}`,
        });
        await new Promise((resolve) => setTimeout(resolve, 300));
        const running = await getJson(`${slow.baseUrl}/predictions/${created.json.id}`);
        expect(running.json.status).toBe('processing');
        expect(running.json.started_at).not.toBeNull();
        expect(running.json.logs).toMatch(/^Using seed: \d+\n/);
        const done = await waitForTerminal(slow, created.json.id as string);
        expect(done).toMatchObject({ status: 'succeeded', error: null, data_removed: false });
        const metrics = done.metrics as { predict_time: number; total_time: number };
        expect(metrics.predict_time).toBeGreaterThanOrEqual(0.4);
        expect(metrics.total_time).toBeGreaterThan(metrics.predict_time);
        const times = ['created_at', 'started_at', 'completed_at'].map((key) => Date.parse(done[key] as string));
        expect(times).toEqual([...times].sort());
      } finally {
        await slow.close();
      }
    });

    it('removes data after the retention period and 404s the output', async () => {
      let clock = Date.parse('2025-06-01T12:00:00Z');
      const timed = await startTestSimulator({ token: TOKEN, now: () => clock, startSeconds: 1, predictSeconds: 2 });
      try {
        const created = await postJson(`${timed.baseUrl}/predictions`, {
          version: COGVIDEOX_VERSION,
          input: { prompt: 'x' },
        });
        const id = created.json.id as string;
        clock += 5000;
        const done = await waitForTerminal(timed, id);
        expect(done.status).toBe('succeeded');
        expect(done.created_at).toBe('2025-06-01T12:00:00.000000Z');
        expect(done.started_at).toBe('2025-06-01T12:00:01.000000Z');
        expect((done.metrics as { predict_time: number }).predict_time).toBeGreaterThanOrEqual(2);
        expect((await fetch(done.output as string)).status).toBe(200);

        clock += 3600 * 1000;
        const removed = await getJson(`${timed.baseUrl}/predictions/${id}`);
        expect(removed.json).toMatchObject({ status: 'succeeded', output: null, data_removed: true });
        expect((await fetch(done.output as string)).status).toBe(404);
      } finally {
        await timed.close();
      }
    });
  });

  describe('Prefer: wait', () => {
    it('holds the create until the prediction finishes', async () => {
      const started = Date.now();
      const { status, json } = await postJson(
        `${sim.baseUrl}/predictions`,
        { version: COGVIDEOX_VERSION, input: { prompt: 'x' } },
        { prefer: 'wait' },
      );
      expect(status).toBe(201);
      expect(json.status).toBe('succeeded');
      expect(json.output).toMatch(/^http:\/\/localhost:\d+\/.+\.mp4$/);
      expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    });

    it('returns the still-processing prediction when the wait runs out', async () => {
      const slow = await startTestSimulator({ token: TOKEN, predictSeconds: 10 });
      try {
        const started = Date.now();
        const { status, json } = await postJson(
          `${slow.baseUrl}/predictions`,
          { version: COGVIDEOX_VERSION, input: { prompt: 'x' } },
          { prefer: 'wait=1' },
        );
        const waited = Date.now() - started;
        expect(status).toBe(202);
        expect(json).toMatchObject({ status: 'processing', output: null });
        expect(waited).toBeGreaterThanOrEqual(950);
        expect(waited).toBeLessThan(3000);
      } finally {
        await slow.close();
      }
    });
  });

  describe('Cancel-After', () => {
    it('aborts a prediction that has not started by its deadline, without billing it', async () => {
      const queued = await startTestSimulator({ token: TOKEN, startSeconds: 30 });
      try {
        const created = await postJson(
          `${queued.baseUrl}/predictions`,
          { version: COGVIDEOX_VERSION, input: { prompt: 'x' } },
          { 'cancel-after': '300ms' },
        );
        expect(created.json.deadline).toMatch(/Z$/);
        expect(Date.parse(created.json.deadline as string) - Date.parse(created.json.created_at as string)).toBe(300);
        const done = await waitForTerminal(queued, created.json.id as string);
        expect(done).toMatchObject({ status: 'aborted', started_at: null, output: null });
        expect(done.metrics).not.toHaveProperty('predict_time');
        expect(queued.stats().running).toBe(0);
      } finally {
        await queued.close();
      }
    });

    it('cancels a running prediction at its deadline and bills the seconds it ran', async () => {
      const slow = await startTestSimulator({ token: TOKEN, startSeconds: 0.1, predictSeconds: 30 });
      try {
        const created = await postJson(
          `${slow.baseUrl}/predictions`,
          { version: COGVIDEOX_VERSION, input: { prompt: 'x' } },
          { 'cancel-after': '0.5s' },
        );
        const done = await waitForTerminal(slow, created.json.id as string);
        expect(done.status).toBe('canceled');
        expect((done.metrics as { predict_time: number }).predict_time).toBeCloseTo(0.4, 3);
      } finally {
        await slow.close();
      }
    });

    it('accepts Go-style durations and rejects nonsense with 400', async () => {
      const ok = await postJson(
        `${sim.baseUrl}/predictions`,
        { version: COGVIDEOX_VERSION, input: { prompt: 'x' } },
        { 'cancel-after': '1h30m' },
      );
      expect(Date.parse(ok.json.deadline as string) - Date.parse(ok.json.created_at as string)).toBe(5_400_000);
      const bad = await postJson(
        `${sim.baseUrl}/predictions`,
        { version: COGVIDEOX_VERSION, input: { prompt: 'x' } },
        { 'cancel-after': 'soon' },
      );
      expect(bad.status).toBe(400);
    });
  });

  describe('listing', () => {
    it('filters by created_after/created_before', async () => {
      let clock = Date.parse('2025-01-01T00:00:00Z');
      const timed = await startTestSimulator({ token: TOKEN, now: () => clock });
      try {
        const ids: string[] = [];
        for (let hour = 0; hour < 3; hour += 1) {
          const created = await postJson(`${timed.baseUrl}/predictions`, {
            version: COGVIDEOX_VERSION,
            input: { prompt: `hour ${hour}` },
            webhook: `http://127.0.0.1:9/hook?token=t${hour}`,
            webhook_events_filter: ['completed'],
          });
          ids.push(created.json.id as string);
          clock += 3600_000;
        }
        const after = await getJson(`${timed.baseUrl}/predictions?created_after=2025-01-01T00:30:00Z`);
        const afterResults = after.json.results as { id: string }[];
        expect(afterResults.map((item) => item.id)).toEqual([ids[2], ids[1]]);
        const before = await getJson(`${timed.baseUrl}/predictions?created_before=2025-01-01T01:30:00Z`);
        expect((before.json.results as { id: string }[]).map((item) => item.id)).toEqual([ids[1], ids[0]]);
        const invalid = await getJson(`${timed.baseUrl}/predictions?created_after=yesterday`);
        expect(invalid.status).toBe(400);
      } finally {
        await timed.close();
      }
    });

    it.each([
      ['by default, as in the published schema: no webhook fields in any answer', undefined, false],
      ['with echoWebhook: every answer carries them', true, true],
    ])('%s', async (_case, echoWebhook, echoed) => {
      const echoing = await startTestSimulator({ token: TOKEN, echoWebhook });
      try {
        const webhook = 'http://127.0.0.1:9/hook?clipgen_token=t1';
        const created = await postJson(`${echoing.baseUrl}/predictions`, {
          version: COGVIDEOX_VERSION,
          input: { prompt: 'echo' },
          webhook,
          webhook_events_filter: ['completed'],
        });
        const id = created.json.id as string;
        const got = await getJson(`${echoing.baseUrl}/predictions/${id}`);
        const listed = await getJson(`${echoing.baseUrl}/predictions`);
        const canceled = await postJson(`${echoing.baseUrl}/predictions/${id}/cancel`, {});
        const answers = [created.json, got.json, (listed.json.results as Record<string, unknown>[])[0], canceled.json];

        expect(answers.map((answer) => answer.id)).toEqual([id, id, id, id]);
        for (const answer of answers) {
          if (echoed) {
            expect(answer).toMatchObject({ webhook, webhook_events_filter: ['completed'] });
          } else {
            expect(Object.keys(answer)).not.toContain('webhook');
            expect(Object.keys(answer)).not.toContain('webhook_events_filter');
          }
        }
        // The test view shows what was sent either way.
        expect(echoing.predictions()[0].webhook).toBe(webhook);
      } finally {
        await echoing.close();
      }
    });

    it('links next and previous pages', async () => {
      const many = await startTestSimulator({ token: TOKEN, predictSeconds: 60 });
      try {
        for (let index = 0; index < 205; index += 1) {
          await postJson(`${many.baseUrl}/predictions`, { version: COGVIDEOX_VERSION, input: { prompt: `${index}` } });
        }
        const first = await getJson(`${many.baseUrl}/predictions`);
        const second = await getJson(first.json.next as string);
        const third = await getJson(second.json.next as string);
        expect((third.json.results as unknown[]).length).toBe(5);
        expect(third.json.next).toBeNull();
        const idsOf = (page: { json: Record<string, unknown> }) =>
          (page.json.results as { id: string }[]).map((item) => item.id);
        const back = await getJson(third.json.previous as string);
        expect(idsOf(back)).toEqual(idsOf(second));
        const firstAgain = await getJson(back.json.previous as string);
        expect(idsOf(firstAgain)).toEqual(idsOf(first));
        expect(firstAgain.json.previous).toBeNull();
      } finally {
        await many.close();
      }
    });
  });
});
