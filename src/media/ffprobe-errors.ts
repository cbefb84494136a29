import type { ApplicationFailure } from '@temporalio/common';
import { clipFailure, FailureType } from '../domain/failures';

const RULES: ReadonlyArray<[RegExp, FailureType, string]> = [
  [/Server returned (404|410)/i, FailureType.Generation, 'is missing or expired'],
  [/Server returned (401|403)/i, FailureType.Authentication, 'refused access'],
  [/Server returned (5\d\d|429)|5XX Server Error/i, FailureType.Retryable, 'is temporarily unavailable'],
  [
    /Connection refused|Connection timed out|Operation timed out|Connection reset|Network is unreachable|No route to host|Broken pipe|name resolution|Could not resolve/i,
    FailureType.Retryable,
    'could not be reached',
  ],
];

/** Classifies a failed ffprobe run from its stderr: network trouble is retryable, unreadable media is not. */
export function ffprobeFailure(stderr: string, exitCode: number | null, where: string): ApplicationFailure {
  const lastLine =
    stderr
      .trim()
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean)
      .pop() ?? `ffprobe exited with code ${exitCode}`;
  // ffprobe names the input in its messages; keep only what it says about it (the URL may carry a token).
  const detail = lastLine.replace(/^\S+:\/\/\S+:\s*/, '');
  for (const [pattern, type, summary] of RULES) {
    if (pattern.test(stderr)) return clipFailure(type, `${where} ${summary} (ffprobe: ${detail})`);
  }
  return clipFailure(FailureType.Generation, `${where} is not a playable video (ffprobe: ${detail})`);
}
