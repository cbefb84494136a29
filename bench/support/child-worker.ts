import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { buildWorkflowBundle } from '../../src/scripts/build-workflow-bundle';
import { compileEntry, type CompiledEntry } from './compiled-entry';
import type { WorkerUsage } from './worker-process';

export interface ChildWorker {
  /** Its process id: a worker's default identity in histories is `<pid>@<host>`. */
  pid: number;
  /** Resolves once the worker polls its task queue. */
  ready(client: Client, taskQueue: string): Promise<void>;
  /** Collects garbage, restarts the peak-RSS sampling and returns the usage at that point. */
  reset(): Promise<WorkerUsage>;
  usage(): Promise<WorkerUsage>;
  /** The usage once the main thread's garbage is collected; the peak sampling goes on. */
  usageAfterGc(): Promise<WorkerUsage>;
  /** SIGTERM (the worker drains and exits), SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<number | null>;
  /** SIGKILL at once, as a machine or container dies: nothing drains, nothing is reported. */
  kill(): Promise<number | null>;
}

const READY_TIMEOUT_MS = 120_000;

/**
 * bench/support/worker-process.ts as production runs a worker: compiled by tsc with the build settings, the workflow
 * bundle written beside the compiled src/ (as `npm run build` lays out lib/), run by plain node with
 * NODE_ENV=production (no TypeScript loader, no webpack on start).
 */
export async function compileProductionWorker(): Promise<CompiledEntry> {
  const compiled = await compileEntry('bench/support/worker-process.ts');
  await buildWorkflowBundle(path.join(path.dirname(compiled.file), '..', '..', 'src', 'workflow-bundle.js'));
  return compiled;
}

/**
 * Forks the worker process with `env` as its whole configuration, plus DATABASE_URL=$BENCH_DATABASE_URL when that is
 * set (else the ledger is PGlite in the worker's data dir): `production`, from compileProductionWorker(), or else
 * bench/support/worker-process.ts through tsx, bundling the workflows on start.
 */
export function spawnChildWorker(env: Record<string, string>, production?: CompiledEntry): ChildWorker {
  const entry = production?.file ?? path.join(__dirname, 'worker-process.ts');
  const child: ChildProcess = fork(entry, [], {
    execArgv: production ? ['--expose-gc'] : ['--import', 'tsx', '--expose-gc'],
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      ...(production ? { NODE_ENV: 'production' } : {}),
      // The embedded PGlite ledger holds a few hundred MB of RSS; a Postgres ledger leaves the worker's own memory.
      ...(process.env.BENCH_DATABASE_URL ? { DATABASE_URL: process.env.BENCH_DATABASE_URL } : {}),
      ...env,
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let dead = false;
  void exited.then(() => (dead = true));

  function ask(message: 'usage' | 'gc-usage' | 'reset'): Promise<WorkerUsage> {
    return new Promise((resolve, reject) => {
      if (dead) return reject(new Error('the worker process has exited'));
      child.once('message', (usage) => resolve(usage as WorkerUsage));
      child.send(message);
    });
  }

  return {
    pid: child.pid ?? -1,
    async ready(client, taskQueue) {
      const deadline = Date.now() + READY_TIMEOUT_MS;
      for (;;) {
        if (dead) throw new Error('the worker process exited before it polled');
        const described = await client.workflowService.describeTaskQueue({
          namespace: client.options.namespace,
          taskQueue: { name: taskQueue },
        });
        if ((described.pollers ?? []).length > 0) return;
        if (Date.now() > deadline) throw new Error(`no worker polled ${taskQueue} within ${READY_TIMEOUT_MS} ms`);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    },
    reset: () => ask('reset'),
    usage: () => ask('usage'),
    usageAfterGc: () => ask('gc-usage'),
    async kill() {
      if (!dead) child.kill('SIGKILL');
      return exited;
    },
    async stop(graceMs = 60_000) {
      if (dead) return exited;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}
