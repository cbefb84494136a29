import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Simulator } from '../../simulator';
import { freePort } from '../../src/temporal/dev-server';
import { runCli } from '../commands/run-cli';
import { compiledCliEntry } from '../helpers/compiled-cli';
import { createTimeSkippingEnv } from '../helpers/temporal-env';
import { startTestSimulator } from '../simulator/helpers';
import { post, signedDelivery } from './deliveries';

jest.setTimeout(90_000);

const ROOT = path.join(__dirname, '..', '..');
let env: TestWorkflowEnvironment;
let simulator: Simulator;

beforeAll(async () => {
  [env, simulator] = await Promise.all([
    createTimeSkippingEnv(),
    startTestSimulator({ token: 'r8_cli_webhooks_token' }),
  ]);
});
afterAll(async () => {
  await simulator?.close();
  await env?.teardown();
});

/** `clipgen <args>` (compiled for tests), resolved with the receiver's URL once its output says it listens. */
function startCommand(
  args: string[],
  extraEnv: NodeJS.ProcessEnv,
): Promise<{ child: ChildProcessWithoutNullStreams; url: string; output: () => string }> {
  const child = spawn(process.execPath, [compiledCliEntry(), ...args], {
    cwd: ROOT,
    env: { ...process.env, ...extraEnv },
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "listening" line:\n${output}`)), 80_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      // `clipgen webhooks` prints "listening on URL/replicate"; the worker logs {"url":"URL/replicate"}.
      const match = /webhooks listening (?:on |\{"url":")(http:\/\/[^\s"]+)\/replicate/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ child, url: match[1], output: () => output });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`exited ${code} before listening:\n${output}`)));
  });
}

function exitOf(child: ChildProcessWithoutNullStreams): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

describe('clipgen webhooks', () => {
  it('fetches the secret from Replicate, verifies, signals through Temporal and stops on SIGTERM', async () => {
    const { child, url, output } = await startCommand(['webhooks', '--port', '0'], {
      TEMPORAL_ADDRESS: env.address,
      REPLICATE_API_TOKEN: 'r8_cli_webhooks_token',
      REPLICATE_BASE_URL: simulator.baseUrl,
      REPLICATE_WEBHOOK_SECRET: '',
    });
    const exited = exitOf(child);
    try {
      const workflowId = `clip-${randomUUID()}-0`;
      const genuine = signedDelivery({ secret: simulator.webhookSecret, workflowId });
      const forged = signedDelivery({ secret: 'whsec_Zm9yZ2VkLWtleS1mb3JnZWQta2V5', workflowId });

      // No such workflow: verified, then Temporal answered "not found".
      expect(await post(url, genuine)).toEqual({ status: 200, outcome: 'no-workflow' });
      expect(await post(url, forged)).toEqual({ status: 401, outcome: 'bad-signature' });
    } finally {
      child.kill('SIGTERM');
    }

    expect(await exited).toBe(0);
    expect(output()).toMatch(/stopped \(.*no-workflow: 1.*bad-signature: 1/);
    expect(output()).not.toContain(simulator.webhookSecret);
    expect(output()).not.toContain('r8_cli_webhooks_token');
  });

  it('runs inside `clipgen worker` with WEBHOOKS_IN_WORKER=true, and stops with it', async () => {
    const dataDir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'clipgen-worker-webhooks-'));
    try {
      const { child, url } = await startCommand(['worker'], {
        TEMPORAL_ADDRESS: env.address,
        TEMPORAL_TASK_QUEUE: `webhooks-worker-${randomUUID()}`,
        REPLICATE_API_TOKEN: 'r8_cli_webhooks_token',
        REPLICATE_BASE_URL: simulator.baseUrl,
        REPLICATE_WEBHOOK_SECRET: simulator.webhookSecret,
        WEBHOOK_PUBLIC_URL: 'https://hooks.example.com',
        WEBHOOK_PORT: String(await freePort()),
        WEBHOOKS_IN_WORKER: 'true',
        CLIPGEN_DATA_DIR: dataDir,
        DATABASE_URL: '',
      });
      const exited = exitOf(child);
      try {
        const delivery = signedDelivery({ secret: simulator.webhookSecret, workflowId: `clip-${randomUUID()}-0` });
        expect(await post(url, delivery)).toEqual({ status: 200, outcome: 'no-workflow' });
      } finally {
        child.kill('SIGTERM');
      }
      expect(await exited).toBe(0);
      await expect(fetch(`${url}/replicate`, { method: 'POST' })).rejects.toThrow();
    } finally {
      await fs.promises.rm(dataDir, { recursive: true, force: true });
    }
  });

  it('exits with a usage error on a bad port', async () => {
    const { code, stderr } = await runCli(['webhooks', '--port', 'x']);
    expect(code).toBe(2);
    expect(stderr).toContain('--port must be a number');
  });
});
