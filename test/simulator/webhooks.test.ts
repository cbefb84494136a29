import { validateWebhook } from 'replicate';
import { type Simulator, signWebhook } from '../../simulator';
import {
  COGVIDEOX_VERSION,
  TOKEN,
  eventually,
  postJson,
  startTestServer,
  startTestSimulator,
  type TestServer,
} from './helpers';

describe('webhook signature', () => {
  it('matches the Standard Webhooks test vector', () => {
    expect(
      signWebhook(
        'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
        'msg_p5jXN8AQM9LWM0D4loKWxJek',
        1614265330,
        '{"test": 2432232314}',
      ),
    ).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });
});

describe('webhook deliveries', () => {
  let sim: Simulator;
  let receiver: TestServer;
  let answers: number[];

  beforeEach(async () => {
    answers = [];
    receiver = await startTestServer((_request, res) => {
      const status = answers.shift() ?? 204;
      res.writeHead(status, status === 302 ? { location: '/elsewhere' } : {});
      res.end();
    });
    sim = await startTestSimulator({ token: TOKEN });
  });

  afterEach(async () => {
    await sim.close();
    await receiver.close();
  });

  async function createWithWebhook(events?: string[]): Promise<string> {
    const body: Record<string, unknown> = { ...{ version: COGVIDEOX_VERSION, input: { prompt: 'x' } } };
    body.webhook = `${receiver.url}/hooks/replicate?token=abc`;
    if (events) body.webhook_events_filter = events;
    const created = await postJson(`${sim.baseUrl}/predictions`, body);
    expect(created.status).toBe(201);
    return created.json.id as string;
  }

  it('posts the completed prediction, signed so the client validateWebhook accepts it', async () => {
    const id = await createWithWebhook();
    await eventually(() => sim.stats().webhooksDelivered === 1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(receiver.requests).toHaveLength(1);
    const [delivery] = receiver.requests;
    expect(delivery.method).toBe('POST');
    expect(delivery.url).toBe('/hooks/replicate?token=abc');
    expect(delivery.headers['content-type']).toBe('application/json');
    const body = JSON.parse(delivery.body) as Record<string, unknown>;
    expect(body).toMatchObject({ id, status: 'succeeded', webhook: `${receiver.url}/hooks/replicate?token=abc` });
    expect(body.output).toMatch(/\.mp4$/);
    const headers = delivery.headers as Record<string, string>;
    expect(headers['webhook-id']).toMatch(/^msg_/);
    expect(Math.abs(Number(headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(10);
    const asReceived = new Request(`${receiver.url}${delivery.url}`, { method: 'POST', headers, body: delivery.body });
    await expect(validateWebhook(asReceived, sim.webhookSecret)).resolves.toBe(true);
    const signed = {
      id: headers['webhook-id'],
      timestamp: headers['webhook-timestamp'],
      signature: headers['webhook-signature'],
      body: delivery.body,
    };
    await expect(validateWebhook({ ...signed, secret: sim.webhookSecret })).resolves.toBe(true);
    await expect(validateWebhook({ ...signed, secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' })).resolves.toBe(false);
    expect(sim.stats()).toMatchObject({ webhooksDelivered: 1, webhooksFailed: 0 });
  });

  it('sends start and completed events in order when asked for both', async () => {
    await createWithWebhook(['start', 'completed']);
    await eventually(() => receiver.requests.length === 2);
    const statuses = receiver.requests.map((request) => (JSON.parse(request.body) as { status: string }).status);
    expect(statuses).toEqual(['processing', 'succeeded']);
    const ids = receiver.requests.map((request) => request.headers['webhook-id']);
    expect(new Set(ids).size).toBe(2);
  });

  it('sends a completed event for a canceled prediction but no output event', async () => {
    const slow = await startTestSimulator({ token: TOKEN, predictSeconds: 30 });
    try {
      const created = await postJson(`${slow.baseUrl}/predictions`, {
        version: COGVIDEOX_VERSION,
        input: { prompt: 'x' },
        webhook: `${receiver.url}/a`,
        webhook_events_filter: ['output'],
      });
      const other = await postJson(`${slow.baseUrl}/predictions`, {
        version: COGVIDEOX_VERSION,
        input: { prompt: 'x' },
        webhook: `${receiver.url}/b`,
        webhook_events_filter: ['completed'],
      });
      await postJson(`${slow.baseUrl}/predictions/${created.json.id}/cancel`, {});
      await postJson(`${slow.baseUrl}/predictions/${other.json.id}/cancel`, {});
      await eventually(() => receiver.requests.length === 1);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(receiver.requests.map((request) => request.url)).toEqual(['/b']);
      expect(JSON.parse(receiver.requests[0].body)).toMatchObject({ status: 'canceled' });
    } finally {
      await slow.close();
    }
  });

  it('retries a failed delivery with the same webhook-id and the same body', async () => {
    answers.push(500, 503);
    await createWithWebhook(['completed']);
    await eventually(() => sim.stats().webhooksDelivered === 1);
    expect(receiver.requests).toHaveLength(3);
    const [first, second, third] = receiver.requests;
    expect(second.headers['webhook-id']).toBe(first.headers['webhook-id']);
    expect(third.headers['webhook-id']).toBe(first.headers['webhook-id']);
    expect(third.body).toBe(first.body);
    expect(sim.stats()).toMatchObject({ webhooksDelivered: 1, webhooksFailed: 2 });
  });

  it('skips deliveries under a webhook-fail fault and retries them', async () => {
    sim.faults.add({ kind: 'webhook-fail', times: 2 });
    await createWithWebhook(['completed']);
    await eventually(() => sim.stats().webhooksDelivered === 1);
    expect(receiver.requests).toHaveLength(1);
    expect(sim.stats().webhooksFailed).toBe(2);
  });

  it('does not follow redirects', async () => {
    answers.push(302, 302, 302, 302);
    await createWithWebhook(['completed']);
    await eventually(() => sim.stats().webhooksFailed === 4, 5000);
    expect(receiver.requests.map((request) => request.url)).toEqual(Array(4).fill('/hooks/replicate?token=abc'));
    expect(sim.stats().webhooksDelivered).toBe(0);
  });
});
