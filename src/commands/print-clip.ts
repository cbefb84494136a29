import type { Clip } from '../domain/types';

/** The result on stdout: one JSON line with --json (nothing else goes to stdout), indented JSON otherwise. */
export function printClip(clip: Clip, json: boolean): void {
  process.stdout.write(`${json ? JSON.stringify(clip) : JSON.stringify(clip, null, 2)}\n`);
}

/**
 * Runs `work` with stdout reserved for the one JSON document printed after it: with `json`, whatever this process
 * (or a library in it) writes to stdout meanwhile goes to stderr. Children that inherit the stdout file descriptor
 * are not covered: give them other stdio (the embedded Temporal server runs with `--output none`).
 */
export async function withStdoutReserved<T>(json: boolean, work: () => Promise<T>): Promise<T> {
  if (!json) return work();
  const { stdout, stderr } = process;
  const write = stdout.write;
  stdout.write = ((...args: Parameters<typeof stderr.write>) => stderr.write(...args)) as typeof stdout.write;
  try {
    return await work();
  } finally {
    stdout.write = write;
  }
}
