import { spawn } from 'node:child_process';

export interface ProcessResult {
  stdout: Buffer;
  stderr: string;
}

/**
 * Runs a binary to completion. Rejects on a non-zero exit, on `timeoutMs`, or when `signal` aborts
 * (the child is killed in both cases, so nothing outlives the simulator).
 */
export function runProcess(
  binary: string,
  args: string[],
  options: { timeoutMs: number; signal: AbortSignal },
): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    if (options.signal.aborted) {
      reject(new Error('aborted'));
      return;
    }
    const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    let stderr = '';
    let failure: Error | null = null;
    const stop = (reason: Error) => {
      failure = reason;
      child.kill('SIGKILL');
    };
    const timer = setTimeout(() => stop(new Error(`timed out after ${options.timeoutMs} ms`)), options.timeoutMs);
    const onAbort = () => stop(new Error('aborted'));
    options.signal.addEventListener('abort', onAbort, { once: true });
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => {
      // Keep only the tail: ffmpeg's last lines say what went wrong.
      stderr = (stderr + chunk.toString('utf8')).slice(-4000);
    });
    child.on('error', (error) => {
      failure ??= error;
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      options.signal.removeEventListener('abort', onAbort);
      if (failure) reject(failure);
      else if (code !== 0) reject(new Error(`exited with code ${code}: ${stderr.trim().split('\n').pop() ?? ''}`));
      else resolve({ stdout: Buffer.concat(stdout), stderr });
    });
  });
}
