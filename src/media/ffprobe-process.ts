import { spawn } from 'node:child_process';

export interface FfprobeOutcome {
  /** Null when the process was ended by a signal. */
  exitCode: number | null;
  /** The signal that ended the process (e.g. SIGSEGV when it crashed), else null. */
  signal: NodeJS.Signals | null;
  stdout: string;
  /** The end of stderr (ffprobe's error messages are at the end). */
  stderr: string;
}

const MAX_STDOUT_CHARS = 4 * 1024 * 1024;
const MAX_STDERR_CHARS = 16 * 1024;

/**
 * Runs ffprobe and collects its output. The child is killed (SIGKILL) as soon as `signal` aborts, and the
 * promise then rejects with the signal's reason, so a stalled probe never outlives its deadline.
 */
export function runFfprobe(args: string[], ffprobePath: string, signal: AbortSignal): Promise<FfprobeOutcome> {
  return new Promise((resolve, reject) => {
    signal.throwIfAborted();
    const child = spawn(ffprobePath, args, { stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
    let stdout = '';
    let stderr = '';
    const onAbort = () => {
      child.kill('SIGKILL');
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      if (stdout.length < MAX_STDOUT_CHARS) stdout += text;
    });
    child.stderr.setEncoding('utf8').on('data', (text: string) => {
      stderr = (stderr + text).slice(-MAX_STDERR_CHARS);
    });
    child.on('error', (error) => {
      signal.removeEventListener('abort', onAbort);
      reject(error);
    });
    child.on('close', (exitCode, exitSignal) => {
      signal.removeEventListener('abort', onAbort);
      resolve({ exitCode, signal: exitSignal, stdout, stderr });
    });
  });
}
