import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { compiledCliEntry } from '../helpers/compiled-cli';

const ROOT = path.join(__dirname, '..', '..');

/** A long-running `clipgen <command>` (compiled, test/helpers/compiled-cli.ts) whose output a test can wait on. */
export class CliProcess {
  stdout = '';
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Once it has exited and its output has all been read (`exited` can come before the last of it). */
  readonly closed: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly child: ChildProcess;
  private waiters: Array<() => void> = [];

  constructor(args: string[], env: NodeJS.ProcessEnv) {
    this.child = spawn(process.execPath, [compiledCliEntry(), ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout?.on('data', (chunk: Buffer) => this.append('stdout', chunk));
    this.child.stderr?.on('data', (chunk: Buffer) => this.append('stderr', chunk));
    this.exited = new Promise((resolve, reject) => {
      this.child.once('error', reject);
      this.child.once('exit', (code, signal) => resolve({ code, signal }));
    });
    this.closed = new Promise((resolve, reject) => {
      this.child.once('error', reject);
      this.child.once('close', (code, signal) => resolve({ code, signal }));
    });
  }

  /** Resolves with the first line of `stream` matching `pattern`; rejects after `timeoutMs` or when the process exits. */
  waitForLine(pattern: RegExp, timeoutMs = 60_000, stream: 'stdout' | 'stderr' = 'stderr'): Promise<string> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const line = this[stream].split('\n').find((candidate) => pattern.test(candidate));
        if (line === undefined) return false;
        cleanup();
        resolve(line);
        return true;
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`no ${stream} line matched ${pattern} within ${timeoutMs} ms; ${stream}:\n${this[stream]}`));
      }, timeoutMs);
      const onExit = () => {
        if (check()) return;
        cleanup();
        reject(new Error(`process exited before a line matched ${pattern}; ${stream}:\n${this[stream]}`));
      };
      const cleanup = () => {
        clearTimeout(timer);
        this.waiters = this.waiters.filter((waiter) => waiter !== waiter_);
        this.child.off('exit', onExit);
      };
      const waiter_ = () => void check();
      if (check()) return;
      this.waiters.push(waiter_);
      this.child.once('exit', onExit);
    });
  }

  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** Stops it (SIGKILL) if it still runs; for afterAll. */
  async kill(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGKILL');
      await this.exited;
    }
  }

  private append(stream: 'stdout' | 'stderr', chunk: Buffer): void {
    this[stream] += chunk.toString();
    for (const waiter of [...this.waiters]) waiter();
  }
}
