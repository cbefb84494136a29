import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { WorkerUsage } from './worker-process';

export interface ChildWorker {
  /** Resolves once the worker polls its task queue. */
  ready(client: Client, taskQueue: string): Promise<void>;
  /** Collects garbage, restarts the peak-RSS sampling and returns the usage at that point. */
  reset(): Promise<WorkerUsage>;
  usage(): Promise<WorkerUsage>;
  /** SIGTERM (the worker drains and exits), SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<number | null>;
}

const READY_TIMEOUT_MS = 120_000;

/**
 * Forks bench/support/worker-process.ts (through tsx) with `env` as its whole configuration, plus
 * DATABASE_URL=$BENCH_DATABASE_URL when that is set (else the ledger is PGlite in the worker's data dir).
 */
export function spawnChildWorker(env: Record<string, string>): ChildWorker {
  const child: ChildProcess = fork(path.join(__dirname, 'worker-process.ts'), [], {
    execArgv: ['--import', 'tsx', '--expose-gc'],
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      // The embedded PGlite ledger holds a few hundred MB of RSS; a Postgres ledger leaves the worker's own memory.
      ...(process.env.BENCH_DATABASE_URL ? { DATABASE_URL: process.env.BENCH_DATABASE_URL } : {}),
      ...env,
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let dead = false;
  void exited.then(() => (dead = true));

  function ask(message: 'usage' | 'reset'): Promise<WorkerUsage> {
    return new Promise((resolve, reject) => {
      if (dead) return reject(new Error('the worker process has exited'));
      child.once('message', (usage) => resolve(usage as WorkerUsage));
      child.send(message);
    });
  }

  return {
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
