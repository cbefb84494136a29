import type { Clip } from '../domain/types';

/** The result on stdout: one JSON line with --json (nothing else goes to stdout), indented JSON otherwise. */
export function printClip(clip: Clip, json: boolean): void {
  process.stdout.write(`${json ? JSON.stringify(clip) : JSON.stringify(clip, null, 2)}\n`);
}
