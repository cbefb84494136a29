import { spawn, type ChildProcess } from 'node:child_process';
import { Connection } from '@temporalio/client';
import { findTemporalCli } from '../helpers/temporal-binaries';

/**
 * `temporal server start-dev` run as a process of its own, on a fixed port and a SQLite file, so that a test can kill
 * it (an outage: clients get connection refused) and start it again on the same address with every workflow intact.
 */
export class DevServerProcess {
  private child: ChildProcess | undefined;
  private output = '';

  constructor(
    readonly port: number,
    readonly dbFile: string,
  ) {}

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Starts the server (unless it runs) and resolves once it answers. */
  async start(timeoutMs = 60_000): Promise<void> {
    if (this.running) return;
    const binary = findTemporalCli() ?? 'temporal';
    const args = ['server', 'start-dev', '--headless', '--ip', '127.0.0.1', '--port', String(this.port)];
    args.push('--db-filename', this.dbFile, '--log-level', 'error', '--output', 'none');
    const child = spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.child = child;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`temporal exited (${child.exitCode}):\n${this.output}`);
      try {
        const connection = await Connection.connect({ address: this.address, connectTimeout: 1000 });
        await connection.close();
        return;
      } catch (error) {
        if (Date.now() > deadline) throw new Error(`temporal did not answer at ${this.address}: ${error}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  }

  /** Kills it (SIGKILL, a crash) and resolves once it is gone and its port is free. */
  async kill(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }
}
