import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { Client, Connection } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { PredictionSnapshot } from '../../src/domain/types';
import { startWebhookReceiver, type WebhookReceiver } from '../../src/webhooks/receiver';
import { createTimeSkippingEnv } from '../helpers/temporal-env';
import { inTestWorkflows } from '../helpers/workflow-bundle';
import { newSecret, post, signedDelivery, type Delivery } from './deliveries';
import { receivedQuery, signalRecorderWorkflow } from './signal-recorder-workflow';

jest.setTimeout(60_000);

const secret = newSecret();
const logged: string[] = [];
let env: TestWorkflowEnvironment;
let worker: Worker;
let running: Promise<void>;
let receiver: WebhookReceiver;
const taskQueue = `webhooks-${randomUUID()}`;

beforeAll(async () => {
  env = await createTimeSkippingEnv();
  worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    ...(await inTestWorkflows(require.resolve('./signal-recorder-workflow'))),
  });
  running = worker.run();
  receiver = await startWebhookReceiver({
    secret,
    client: env.client,
    logger: {
      info: (message, fields) => logged.push(`${message} ${JSON.stringify(fields)}`),
      warn: (message, fields) => logged.push(`${message} ${JSON.stringify(fields)}`),
    },
  });
});

afterAll(async () => {
  await receiver?.close();
  worker?.shutdown();
  await running;
  await env?.teardown();
});

async function startRecorder(): Promise<string> {
  const workflowId = `clip-${randomUUID()}-0`;
  await env.client.workflow.start(signalRecorderWorkflow, { workflowId, taskQueue });
  return workflowId;
}

function received(workflowId: string): Promise<PredictionSnapshot[]> {
  return env.client.workflow.getHandle(workflowId).query(receivedQuery);
}

describe('a genuine delivery', () => {
  it('signals the workflow with the prediction, mapped to a snapshot', async () => {
    const workflowId = await startRecorder();
    const delivery = signedDelivery({ secret, workflowId, predictionId: 'abc123', status: 'processing' });

    expect(await post(receiver.url, delivery)).toEqual({ status: 200, outcome: 'signalled' });

    expect(await received(workflowId)).toEqual([
      {
        id: 'abc123',
        model: 'svd',
        status: 'processing',
        outputUrl: null,
        error: null,
        predictTime: null,
        videoOutputDurationSeconds: null,
        createdAt: '2026-11-25T10:00:00.000000Z',
        startedAt: '2026-11-25T10:00:01.000000Z',
        completedAt: null,
        dataRemoved: false,
      },
    ]);
  });

  it('is accepted without an echoed webhook field, taking the target from the query', async () => {
    const workflowId = await startRecorder();
    const delivery = signedDelivery({ secret, workflowId, status: 'processing', echoedWebhook: null });

    expect(await post(receiver.url, delivery)).toEqual({ status: 200, outcome: 'signalled' });
    expect(await received(workflowId)).toHaveLength(1);
  });

  it('answers 200 and signals nothing when the workflow has closed or never existed', async () => {
    const workflowId = await startRecorder();
    await post(receiver.url, signedDelivery({ secret, workflowId, status: 'succeeded' }));
    await env.client.workflow.getHandle(workflowId).result();

    expect(await post(receiver.url, signedDelivery({ secret, workflowId, status: 'succeeded' }))).toEqual({
      status: 200,
      outcome: 'no-workflow',
    });
    expect(await post(receiver.url, signedDelivery({ secret, workflowId: `clip-${randomUUID()}-9` }))).toEqual({
      status: 200,
      outcome: 'no-workflow',
    });
  });
});

describe('deliveries that change nothing', () => {
  it.each<[string, (workflowId: string) => Delivery, number, string]>([
    ['a forged signature', (id) => signedDelivery({ secret: newSecret(), workflowId: id }), 401, 'bad-signature'],
    [
      'a body changed after signing',
      (id) => {
        const genuine = signedDelivery({ secret, workflowId: id, status: 'processing' });
        return { ...genuine, body: genuine.body.replace('"processing"', '"succeeded"') };
      },
      401,
      'bad-signature',
    ],
    [
      'missing signature headers',
      (id) => {
        const genuine = signedDelivery({ secret, workflowId: id });
        const { 'webhook-signature': _dropped, ...headers } = genuine.headers;
        return { ...genuine, headers };
      },
      401,
      'bad-signature',
    ],
    [
      'a timestamp 6 minutes old',
      (id) => signedDelivery({ secret, workflowId: id, timestamp: Math.floor(Date.now() / 1000) - 360 }),
      401,
      'stale',
    ],
    [
      'a timestamp 6 minutes ahead',
      (id) => signedDelivery({ secret, workflowId: id, timestamp: Math.floor(Date.now() / 1000) + 360 }),
      401,
      'stale',
    ],
    [
      'a body that is not JSON',
      (id) => signedDelivery({ secret, workflowId: id, body: 'not json{' }),
      400,
      'malformed',
    ],
    [
      'a body without a prediction id',
      (id) => signedDelivery({ secret, workflowId: id, body: '{"status":"succeeded"}' }),
      400,
      'malformed',
    ],
    ['no workflowId', () => signedDelivery({ secret, workflowId: 'x', query: 'model=svd' }), 400, 'malformed'],
    [
      'no model',
      (id) => signedDelivery({ secret, workflowId: id, query: `workflowId=${id}`, echoedWebhook: null }),
      400,
      'malformed',
    ],
    [
      'an unknown model',
      (id) => signedDelivery({ secret, workflowId: id, model: 'dall-e', echoedWebhook: null }),
      400,
      'malformed',
    ],
    [
      'two workflowIds',
      (id) => signedDelivery({ secret, workflowId: id, query: `workflowId=${id}&workflowId=${id}&model=svd` }),
      400,
      'malformed',
    ],
  ])('%s → %d %s', async (_case, make, status, outcome) => {
    const workflowId = await startRecorder();

    expect(await post(receiver.url, make(workflowId))).toEqual({ status, outcome });
    expect(await received(workflowId)).toEqual([]);
  });

  it('refuses a query rewritten to point a signed message at another workflow (400), signalling neither', async () => {
    const intended = await startRecorder();
    const victim = await startRecorder();
    const genuine = signedDelivery({ secret, workflowId: intended });
    const rewritten = { ...genuine, path: genuine.path.replace(intended, victim) };

    expect(await post(receiver.url, rewritten)).toEqual({ status: 400, outcome: 'malformed' });
    expect(await received(intended)).toEqual([]);
    expect(await received(victim)).toEqual([]);
  });

  it('answers a replayed webhook-id 200 without signalling again, even when both arrive at once', async () => {
    const workflowId = await startRecorder();
    const first = signedDelivery({ secret, workflowId, status: 'processing' });
    const concurrent = signedDelivery({ secret, workflowId, status: 'processing' });

    expect(await post(receiver.url, first)).toEqual({ status: 200, outcome: 'signalled' });
    expect(await post(receiver.url, first)).toEqual({ status: 200, outcome: 'duplicate' });
    const both = await Promise.all([post(receiver.url, concurrent), post(receiver.url, concurrent)]);

    expect(both.map((answer) => answer.outcome).sort()).toEqual(['duplicate', 'signalled']);
    expect(await received(workflowId)).toHaveLength(2);
  });

  it('answers 404 off its path and 405 to anything but POST', async () => {
    const workflowId = await startRecorder();
    const delivery = signedDelivery({ secret, workflowId });

    expect(await post(receiver.url, { ...delivery, path: delivery.path.replace('/replicate', '/other') })).toEqual({
      status: 404,
      outcome: 'not-found',
    });
    const get = await fetch(`${receiver.url}${delivery.path}`);
    expect(get.status).toBe(405);
    expect(await received(workflowId)).toEqual([]);
  });

  it('never logs the secret, the body or the prompt', async () => {
    const workflowId = await startRecorder();
    await post(receiver.url, signedDelivery({ secret, workflowId, status: 'processing' }));
    await post(receiver.url, signedDelivery({ secret: newSecret(), workflowId }));

    const text = logged.join('\n');
    expect(text).toContain('signalled');
    expect(text).toContain('bad-signature');
    expect(text).not.toContain(secret);
    expect(text).not.toContain(secret.slice('whsec_'.length));
    expect(text).not.toContain('private prompt text');
    expect(text).not.toContain('replicate.delivery');
  });
});

describe('limits and failures', () => {
  it('refuses an oversized body with 413, whether declared or streamed without a length', async () => {
    const small = await startWebhookReceiver({ secret, client: env.client, maxBodyBytes: 4096, logger: silent });
    try {
      const workflowId = await startRecorder();
      const delivery = signedDelivery({
        secret,
        workflowId,
        body: JSON.stringify({ id: 'x', pad: 'a'.repeat(10_000) }),
      });

      expect(await post(small.url, delivery)).toEqual({ status: 413, outcome: 'too-large' });
      expect(await postChunked(small.url, delivery)).toEqual({ status: 413, outcome: 'too-large' });
      expect(small.counts()['too-large']).toBe(2);
      expect(await received(workflowId)).toEqual([]);
    } finally {
      await small.close();
    }
  });

  it('answers 503 when Temporal does not take the signal, and lets the retry through rather than call it a replay', async () => {
    const connection = Connection.lazy({ address: '127.0.0.1:1', connectTimeout: 200 });
    const unreachable = await startWebhookReceiver({
      secret,
      client: new Client({ connection }),
      signalTimeoutMs: 300,
      logger: silent,
    });
    try {
      const delivery = signedDelivery({ secret, workflowId: `clip-${randomUUID()}-0` });
      const started = Date.now();

      expect(await post(unreachable.url, delivery)).toEqual({ status: 503, outcome: 'signal-failed' });
      expect(await post(unreachable.url, delivery)).toEqual({ status: 503, outcome: 'signal-failed' });
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      await unreachable.close();
      await connection.close();
    }
  });
});

const silent = { info: () => undefined, warn: () => undefined };

/** POSTs with chunked transfer encoding, so the receiver cannot rely on Content-Length. */
function postChunked(receiverUrl: string, delivery: Delivery): Promise<{ status: number; outcome: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(`${receiverUrl}${delivery.path}`, { method: 'POST', headers: delivery.headers });
    request.on('error', reject);
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const json = JSON.parse(Buffer.concat(chunks).toString()) as { outcome: string };
        resolve({ status: response.statusCode ?? 0, outcome: json.outcome });
      });
    });
    for (let offset = 0; offset < delivery.body.length; offset += 1000) {
      request.write(delivery.body.slice(offset, offset + 1000));
    }
    request.end();
  });
}
