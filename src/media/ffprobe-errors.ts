import { constants } from 'node:os';
import type { ApplicationFailure } from '@temporalio/common';
import { clipFailure, FailureType } from '../domain/failures';
import type { FfprobeOutcome } from './ffprobe-process';

/**
 * Classifies a failed ffprobe run over a local file. ffprobe dying of a signal (a crash, or killed by the system)
 * says nothing about the video: that is retryable, and the message names the signal. Any other failure means
 * ffprobe read the bytes and could not make an MP4 video of them: a GenerationError.
 */
export function ffprobeFailure(
  outcome: FfprobeOutcome,
  where: string,
  filePath: string,
  sniffed: string | null,
): ApplicationFailure {
  const crash = crashSignal(outcome);
  if (crash) {
    const how = outcome.signal ? `killed by ${crash}` : `exit code ${outcome.exitCode}, ${crash}`;
    return clipFailure(FailureType.Retryable, `ffprobe crashed (${how}) while probing ${where}`);
  }
  if (sniffed) return clipFailure(FailureType.Generation, `${where} is not a playable video: ${sniffed}`);
  const lastLine =
    outcome.stderr
      .trim()
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean)
      .pop() ?? `ffprobe exited with code ${outcome.exitCode}`;
  // ffprobe names its input (our spool file) in its messages; the output's URL says more.
  const detail = lastLine.split(`file:${filePath}: `).join('').split(`${filePath}: `).join('');
  return clipFailure(FailureType.Generation, `${where} is not a playable video (ffprobe: ${detail})`);
}

/**
 * The signal that ended ffprobe: the process's own, or the one a shell wrapper reports as exit code 128 + N
 * (139 after SIGSEGV). Null for an ordinary exit.
 */
function crashSignal(outcome: FfprobeOutcome): string | null {
  if (outcome.signal) return outcome.signal;
  const code = outcome.exitCode;
  if (code === null) return 'an unknown signal';
  if (code <= 128 || code > 128 + 64) return null;
  const name = Object.entries(constants.signals).find(([, number]) => number === code - 128)?.[0];
  return name ?? null;
}
