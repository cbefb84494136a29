import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { WORKER_READY } from './worker-process';

const ROOT = path.join(__dirname, '..', '..', '..');
const WORKER_SCRIPT = path.join(__dirname, 'worker-process.ts');

/** A worker process (test/reliability/support/worker-process.ts) that a test can SIGKILL and replace. */
export class WorkerChild {
  /** Everything the process wrote, for assertions about logs and for failure messages. */
  output = '';
  private readonly exited: Promise<number | null>;

  private constructor(private readonly child: ChildProcess) {
    child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  /** Starts a worker with exactly `env` (plus PATH/HOME) and resolves once it polls its task queue. */
  static async start(env: Record<string, string>, readyTimeoutMs = 60_000): Promise<WorkerChild> {
    // tsx as a loader, not its CLI: the CLI would run the worker in a grandchild that a SIGKILL here would miss.
    const child = spawn(process.execPath, ['--import', 'tsx', WORKER_SCRIPT], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const worker = new WorkerChild(child);
    await worker.ready(readyTimeoutMs);
    return worker;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** SIGKILL: no shutdown code runs, in-flight activities are simply gone. */
  async kill(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.exited;
  }

  /** SIGTERM, then SIGKILL if it has not stopped within `graceMs`. */
  async stop(graceMs = 15_000): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  private ready(timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.child.kill('SIGKILL');
        reject(new Error(`worker not ready within ${timeoutMs} ms:\n${this.output}`));
      }, timeoutMs);
      const check = () => {
        if (!this.output.includes(WORKER_READY)) return;
        clearTimeout(timer);
        this.child.stdout?.off('data', check);
        resolve();
      };
      this.child.stdout?.on('data', check);
      void this.exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`worker exited with ${code} before it was ready:\n${this.output}`));
      });
    });
  }
}
