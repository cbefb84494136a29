/**
 * No Replicate token, storage key or database password in any workflow history, log line, error message or CLI
 * output. Runs are configured with distinctive fake secrets, a real worker process logs at DEBUG, and everything they
 * leave behind is scanned for those strings.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { clipWorkflowId, CLIP_SEARCH_ATTRIBUTES } from '../../src/domain/clip-identity';
import { buildWorkflowBundle } from '../../src/scripts/build-workflow-bundle';
import type { Simulator } from '../../simulator';
import { runCli, type CliResult } from '../commands/run-cli';
import { serveFirstFrame } from '../helpers/first-frame';
import { createDevServerEnv } from '../helpers/temporal-env';
import { WorkerChild } from '../reliability/support/worker-child';
import { startTestSimulator } from '../simulator/helpers';
import { startStorageServer, type StorageServer } from '../stand-ins/supabase-storage/server';

jest.setTimeout(240_000);

const REPLICATE_TOKEN = `r8_LeakCanary${randomBytes(12).toString('hex')}`;
const DATABASE_PASSWORD = `pw-LeakCanary-${randomBytes(12).toString('hex')}`;

let env: TestWorkflowEnvironment;
let simulator: Simulator;
let storage: StorageServer;
let image: { url: string; close(): Promise<void> };
let dir: string;
let bundlePath: string;
/** Everything a run left behind: CLI output, worker logs, histories. */
const captured: { what: string; text: string }[] = [];

beforeAll(async () => {
  dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'clipgen-secrets-'));
  bundlePath = path.join(dir, 'workflow-bundle.js');
  [env, simulator, storage, image] = await Promise.all([
    createDevServerEnv({ searchAttributes: CLIP_SEARCH_ATTRIBUTES }),
    startTestSimulator({ token: REPLICATE_TOKEN }),
    startStorageServer({ buckets: [{ id: 'video-clips' }] }),
    serveFirstFrame(),
    buildWorkflowBundle(bundlePath),
  ]);
});

afterAll(async () => {
  await image?.close();
  await storage?.close();
  await simulator?.close();
  await env?.teardown();
  await fs.promises.rm(dir, { recursive: true, force: true });
});

function secrets(): Record<string, string> {
  return {
    'Replicate token': REPLICATE_TOKEN,
    'storage service role key': storage.keys.serviceRoleKey,
    'database password': DATABASE_PASSWORD,
  };
}

/** Configuration as an operator would set it, secrets included; the ledger is a PGlite folder of its own. */
function clipgenEnv(taskQueue: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    TEMPORAL_ADDRESS: env.address,
    TEMPORAL_TASK_QUEUE: taskQueue,
    REPLICATE_API_TOKEN: REPLICATE_TOKEN,
    REPLICATE_BASE_URL: simulator.baseUrl,
    STORAGE_BACKEND: 'supabase',
    SUPABASE_URL: storage.url,
    SUPABASE_SERVICE_ROLE_KEY: storage.keys.serviceRoleKey,
    DOWNLOAD_ALLOW_PRIVATE_HOSTS: 'true',
    CLIPGEN_DATA_DIR: path.join(dir, taskQueue),
    PGLITE_DIR: path.join(dir, taskQueue, 'ledger'),
    CLIPGEN_TEST_WORKFLOW_BUNDLE: bundlePath,
    LOG_LEVEL: 'DEBUG',
    ...extra,
  };
}

function capture(what: string, result: CliResult): CliResult {
  captured.push({ what: `${what} (stdout)`, text: result.stdout }, { what: `${what} (stderr)`, text: result.stderr });
  return result;
}

async function captureHistory(jobId: string): Promise<void> {
  const history = await env.client.workflow.getHandle(clipWorkflowId(jobId, 0)).fetchHistory();
  captured.push({ what: `history of clip ${jobId}`, text: historyToJSON(history) });
}

function generate(taskQueue: string, jobId: string): Promise<CliResult> {
  const args = ['generate', '--job-id', jobId, '--prompt', 'a lighthouse', '--duration', '3', '--image', image.url];
  // DATABASE_URL is the operator's, not ours: the CLI must not pick up the test runner's.
  return runCli(args, { ...clipgenEnv(taskQueue), DATABASE_URL: '' }, 120_000);
}

describe('secrets stay out of histories, logs, errors and CLI output', () => {
  it('a successful clip and a clip Replicate refuses (401), through the CLI and a worker process', async () => {
    const taskQueue = `secrets-${randomUUID()}`;
    const worker = await WorkerChild.start({ ...clipgenEnv(taskQueue), PATH: process.env.PATH ?? '' });
    try {
      const succeeded = randomUUID();
      const ok = capture('generate (success)', await generate(taskQueue, succeeded));
      expect(ok.code).toBe(0);
      // The secrets were really in use: the simulator accepts only this token, Storage only this project's keys.
      expect(storage.object('video-clips', `${succeeded}/clip_0.mp4`)).toBeDefined();

      simulator.faults.add({ kind: 'http-error', status: 401, times: 'always' });
      const refused = randomUUID();
      const failed = capture('generate (401)', await generate(taskQueue, refused));
      simulator.faults.clear();
      expect(failed.code).toBe(1);
      expect(failed.stdout + failed.stderr).toContain('AuthenticationError');

      await captureHistory(succeeded);
      await captureHistory(refused);
    } finally {
      await worker.stop();
      captured.push({ what: 'worker process output', text: worker.output });
    }
    expect(worker.output.length).toBeGreaterThan(0);
  });

  it('a database that refuses the connection: worker start-up and `clipgen health` errors', async () => {
    const closedPort = await unusedPort();
    const databaseUrl = `postgres://clipgen:${DATABASE_PASSWORD}@127.0.0.1:${closedPort}/clipgen`;
    const taskQueue = `secrets-${randomUUID()}`;

    const started = await WorkerChild.start(clipgenEnv(taskQueue, { DATABASE_URL: databaseUrl }), 60_000).then(
      () => new Error('the worker started without its database'),
      (error: unknown) => error as Error,
    );
    captured.push({ what: 'worker start-up error', text: started.message });
    expect(started.message).toMatch(/exited|ready/);

    const health = capture(
      'clipgen health',
      await runCli(['health'], clipgenEnv(taskQueue, { DATABASE_URL: databaseUrl })),
    );
    expect(health.code).toBe(1);
  });

  it('none of the secrets appears in anything captured', () => {
    expect(captured.length).toBeGreaterThanOrEqual(8);
    const leaks = captured.flatMap(({ what, text }) =>
      Object.entries(secrets())
        .filter(([, secret]) => text.includes(secret))
        .map(([name]) => `${name} in ${what}`),
    );
    expect(leaks).toEqual([]);
  });
});

async function unusedPort(): Promise<number> {
  const net = await import('node:net');
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as import('node:net').AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
