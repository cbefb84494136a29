import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { IllegalStateError } from '@temporalio/common';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { createActivities } from '../../src/activities';
import type { CostLedger } from '../../src/ledger/types';
import { DEFAULT_DOWNLOAD_POLICY } from '../../src/media/download';
import { createReplicateGateway } from '../../src/replicate/gateway';
import type { Simulator } from '../../simulator';
import { createLocalStorage } from '../../src/storage/local';
import { freePort } from '../../src/temporal/dev-server';
import { eventuallyAsync } from '../helpers/eventually';
import { openTestLedger } from '../ledger/backends';
import { inTestWorkflows } from '../helpers/workflow-bundle';
import { startTestSimulator } from '../simulator/helpers';
import { CliProcess } from './cli-process';
import { DevServerProcess } from './dev-server-process';
import { runCli } from './run-cli';

jest.setTimeout(240_000);

/**
 * Longer than the SDK's own retries of a request (ten attempts, about 20 s of backoff, plus the time each attempt
 * takes), after which `generate` used to exit 1 with "Failed to get Workflow execution history".
 */
const OUTAGE_MS = 40_000;

/** The worker's errors on stderr, but not the line per retried poll it logs while the server is down (expected). */
function installRuntimeWithoutRetryNoise(): void {
  try {
    Runtime.install({
      logger: new DefaultLogger('ERROR', (entry) => {
        if (!/retried \d+ times/.test(entry.message)) process.stderr.write(`[${entry.level}] ${entry.message}\n`);
      }),
      telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' }, forward: {} } },
    });
  } catch (error) {
    if (!(error instanceof IllegalStateError)) throw error;
  }
}

/**
 * `clipgen generate` follows a clip while the Temporal server it talks to is really down (killed, then started again
 * on the same port and SQLite file, so the clip survives): it keeps following through the outage, and when the
 * server stays away past CLIPGEN_RECONNECT_TIMEOUT it gives up with exit code 4, naming the clip and `clipgen watch`.
 */
describe('clipgen generate while Temporal is unreachable', () => {
  let dir: string;
  let server: DevServerProcess;
  let simulator: Simulator;
  let ledger: CostLedger;
  let connection: NativeConnection;
  let worker: Worker;
  let workerRun: Promise<void>;
  const taskQueue = `outage-${randomUUID()}`;
  const env = (reconnectTimeout: string) => ({
    TEMPORAL_ADDRESS: server.address,
    TEMPORAL_TASK_QUEUE: taskQueue,
    CLIPGEN_RECONNECT_TIMEOUT: reconnectTimeout,
  });
  const generateArgs = (jobId: string) => ['generate', '--job-id', jobId, '--prompt', 'waves', '--duration', '6'];

  beforeAll(async () => {
    installRuntimeWithoutRetryNoise();
    dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'clipgen-outage-'));
    server = new DevServerProcess(await freePort(), path.join(dir, 'temporal.sqlite'));
    // Each prediction takes a while, so that the clip is still waiting for it when the server goes away.
    [simulator, ledger] = await Promise.all([
      startTestSimulator({ predictSeconds: 4, startSeconds: 0, renderScale: 0.25 }),
      openTestLedger(),
      server.start(),
    ]);
    const activities = createActivities({
      replicate: createReplicateGateway({ apiToken: 'test', baseUrl: simulator.baseUrl, requestTimeoutMs: 5_000 }),
      storage: createLocalStorage({ rootDir: path.join(dir, 'storage'), bucket: 'video-clips' }),
      ledger,
      download: { ...DEFAULT_DOWNLOAD_POLICY, allowPrivateHosts: true },
      probeTimeoutMs: 20_000,
    });
    connection = await NativeConnection.connect({ address: server.address });
    worker = await Worker.create({ connection, taskQueue, ...(await inTestWorkflows()), activities });
    workerRun = worker.run();
  });

  afterAll(async () => {
    // The worker stops cleanly only while its server answers.
    await server?.start().catch(() => undefined);
    worker?.shutdown();
    await workerRun?.catch(() => undefined);
    await connection?.close();
    await server?.kill();
    await simulator?.close();
    await ledger?.close();
    await fs.promises.rm(dir, { recursive: true, force: true });
  });

  /** Starts `clipgen generate` and resolves once its clip waits for its prediction on the simulator. */
  async function generateUntilWaiting(jobId: string, reconnectTimeout: string): Promise<CliProcess> {
    const predictionsBefore = simulator.predictions().length;
    const cli = new CliProcess([...generateArgs(jobId), '--json'], env(reconnectTimeout));
    await cli.waitForLine(/Web UI: /);
    await eventuallyAsync(async () => simulator.predictions().length > predictionsBefore, 30_000);
    return cli;
  }

  it('follows a clip that outlasts several waits for its result, with the server up all along, without a note', async () => {
    // Each wait for the result is cut at 10 s and made again; a healthy cluster must not read as an outage.
    simulator.faults.add({ kind: 'long-run', seconds: 25, times: 1 });

    const result = await runCli([...generateArgs(randomUUID()), '--json'], env('5m'), 120_000);

    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ status: 'success', model: 'cogvideox' });
    expect(result.stderr).not.toMatch(/does not answer|answers again/);
  });

  it('keeps following through an outage longer than the SDK retries, and prints the Clip once it is back', async () => {
    const jobId = randomUUID();
    await server.start();
    const cli = await generateUntilWaiting(jobId, '5m');
    try {
      await server.kill();
      await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));

      expect(cli.stderr).not.toMatch(/failed/);
      expect(await Promise.race([cli.exited.then(() => 'exited'), Promise.resolve('following')])).toBe('following');
      expect(cli.stderr).toMatch(/does not answer; still following/);
      await server.start();

      const { code } = await cli.exited;

      expect(cli.stderr).toMatch(/Temporal answers again/);
      expect(code).toBe(0);
      expect(JSON.parse(cli.stdout)).toMatchObject({ clipIndex: 0, status: 'success', model: 'cogvideox' });
    } finally {
      await cli.kill();
    }
  });

  it('gives up after CLIPGEN_RECONNECT_TIMEOUT with exit code 4, naming the clip and the watch command', async () => {
    const jobId = randomUUID();
    const workflowId = `clip-${jobId}-0`;
    await server.start();
    const predictionsBefore = simulator.predictions().length;
    const cli = await generateUntilWaiting(jobId, '3s');
    try {
      await server.kill();

      const { code } = await cli.exited;

      expect(code).toBe(4);
      expect(cli.stdout).toBe('');
      expect(cli.stderr).toContain(
        `lost contact with Temporal at ${server.address} for 3 s while following ${workflowId}`,
      );
      expect(cli.stderr).toContain('it may still be running');
      expect(cli.stderr).toContain(`clipgen watch ${workflowId}`);
    } finally {
      await cli.kill();
    }

    // The clip carried on: once the server is back, the command the message gave finds it succeeded.
    await server.start();
    const watched = await runCli(['watch', workflowId, '--json'], env('5m'));
    expect(watched.code).toBe(0);
    expect(JSON.parse(watched.stdout)).toMatchObject({ status: 'success' });
    expect(simulator.predictions().length - predictionsBefore).toBe(1);
  });
});
