import { parseArgs, type ParseArgsConfig } from 'node:util';
import { canonicalJobId, isJobId } from '../domain/clip-identity';
import { shortenText } from '../domain/text';
import { MODEL_IDS, isModelId, type ModelId } from '../domain/types';

export class UsageError extends Error {
  override name = 'UsageError';
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** parseArgs with errors a user can act on. */
export function parseCommandArgs<T extends Options>(
  argv: string[],
  options: T,
  usage: string,
  { allowPositionals = false }: { allowPositionals?: boolean } = {},
) {
  try {
    return parseArgs({
      args: argv,
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals,
    });
  } catch (err) {
    throw new UsageError(`${err instanceof Error ? err.message : String(err)}\n\n${usage}`);
  }
}

export function requireString(value: unknown, flag: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw new UsageError(`${flag} is required`);
  return value;
}

export function parseNumberFlag(value: unknown, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (typeof value !== 'string' || value.trim() === '' || !Number.isFinite(number)) {
    throw new UsageError(`${flag} must be a number (got ${shownValue(String(value))})`);
  }
  return number;
}

/** A model id of the catalogue, refused as a usage mistake naming the flag (not the workflow's `models.primary`). */
export function parseModelFlag(value: string | undefined, flag: string): ModelId | undefined {
  if (value === undefined || isModelId(value)) return value;
  throw new UsageError(`${flag} must be one of ${MODEL_IDS.join(', ')} (got ${shownValue(value)})`);
}

/** A job id is a UUID, taken in its canonical (lowercase) form: AAAA… and aaaa… are one job. */
export function parseJobIdFlag(value: unknown, flag: string): string {
  const jobId = requireString(value, flag);
  if (!isJobId(jobId)) throw new UsageError(`${flag} must be a UUID (got ${shownValue(jobId)})`);
  return canonicalJobId(jobId);
}

/** A value quoted in a message, cut short (with its length) when it is long: a pasted file is not echoed back. */
export function shownValue(value: string, maxCharacters = 60): string {
  const shown = JSON.stringify(shortenText(value, maxCharacters));
  return value.length > maxCharacters ? `${shown}, ${value.length} characters` : shown;
}
