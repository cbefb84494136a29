import fs from 'node:fs';
import { ApplicationFailure } from '@temporalio/common';
import { clipDefaults } from '../client/run-clip';
import type { ClipgenConfig } from '../config';
import { chooseModels } from '../domain/catalogue';
import { FailureType } from '../domain/failures';
import { shortenText } from '../domain/text';
import type { ClipPrompt, GenerateClipInput, GenerationSettings } from '../domain/types';
import { validateGenerateClipInput } from '../domain/validation';
import { UsageError, parseJobIdFlag, parseModelFlag, parseNumberFlag, requireString } from './args';

/** `clipgen generate`'s flags for the fields of GenerateClipInput (parseArgs options). */
export const CLIP_INPUT_OPTIONS = {
  input: { type: 'string' },
  'job-id': { type: 'string' },
  'clip-index': { type: 'string' },
  prompt: { type: 'string' },
  'negative-prompt': { type: 'string' },
  duration: { type: 'string' },
  image: { type: 'string' },
  model: { type: 'string' },
  fallback: { type: 'string' },
  settings: { type: 'string' },
  resolution: { type: 'string' },
  'aspect-ratio': { type: 'string' },
  fps: { type: 'string' },
  seed: { type: 'string' },
  motion: { type: 'string' },
  'cond-aug': { type: 'string' },
  steps: { type: 'string' },
  guidance: { type: 'string' },
  'extend-prompt': { type: 'boolean' },
  'no-extend-prompt': { type: 'boolean' },
  'poll-interval': { type: 'string' },
  deadline: { type: 'string' },
  'start-limit': { type: 'string' },
  environment: { type: 'string' },
} as const;

export type ClipInputFlags = {
  [K in keyof typeof CLIP_INPUT_OPTIONS]?: (typeof CLIP_INPUT_OPTIONS)[K] extends {
    type: 'boolean';
  }
    ? boolean
    : string;
};

/** The single flags for GenerationSettings; anything else goes through --settings JSON. */
const SETTING_FLAGS = {
  resolution: { key: 'resolution', kind: 'string' },
  'aspect-ratio': { key: 'aspectRatio', kind: 'string' },
  fps: { key: 'fps', kind: 'number' },
  seed: { key: 'seed', kind: 'number' },
  motion: { key: 'motion', kind: 'number' },
  'cond-aug': { key: 'condAug', kind: 'number' },
  steps: { key: 'steps', kind: 'number' },
  guidance: { key: 'guidance', kind: 'number' },
} as const satisfies Record<string, { key: keyof GenerationSettings; kind: 'string' | 'number' }>;

type Raw = Record<string, unknown>;

/**
 * The GenerateClipInput the flags describe (checked as usage at once; validated with `validate`): `--input FILE.json` (or - for stdin) as the base, each flag replacing its
 * field, then CLIP_POLL_INTERVAL/CLIP_DEADLINE/CLIP_START_LIMIT for what neither sets. It is checked by the workflow's own validation
 * before anything is started; a refusal is a UsageError naming the flag (or --settings, or --input FILE) it came from.
 */
export function clipInputFromFlags(values: ClipInputFlags): ClipInputDraft {
  const file = values.input === undefined ? undefined : readInputFile(values.input);
  const raw: Raw = { ...file };
  /** Field path → the flag that set it. */
  const sources = new Map<string, string>();
  const set = (target: Raw, key: string, value: unknown, path: string, flag: string) => {
    if (value === undefined) return;
    target[key] = value;
    sources.set(path, flag);
  };

  if (values['job-id'] !== undefined || !file)
    set(raw, 'jobId', parseJobIdFlag(values['job-id'], '--job-id'), 'jobId', '--job-id');

  const clipFlags = ['clip-index', 'prompt', 'negative-prompt', 'duration', 'image'] as const;
  const clip: Raw = isPlainObject(file?.clip) ? { ...file.clip } : {};
  // A file's clip that is not an object is left for the validation to name, unless flags give the clip.
  if (!file || isPlainObject(file.clip) || clipFlags.some((flag) => values[flag] !== undefined)) raw.clip = clip;
  set(clip, 'clipIndex', parseNumberFlag(values['clip-index'], '--clip-index'), 'clip.clipIndex', '--clip-index');
  clip.clipIndex ??= 0;
  set(clip, 'prompt', file ? values.prompt : requireString(values.prompt, '--prompt'), 'clip.prompt', '--prompt');
  set(clip, 'negativePrompt', values['negative-prompt'], 'clip.negativePrompt', '--negative-prompt');
  const duration = file ? values.duration : requireString(values.duration, '--duration');
  set(clip, 'duration', parseNumberFlag(duration, '--duration'), 'clip.duration', '--duration');
  set(clip, 'imageUrl', values.image, 'clip.imageUrl', '--image');

  const models = modelChoice(values, clip as unknown as ClipPrompt, file?.models);
  if (models) {
    raw.models = models.choice;
    for (const [path, flag] of models.sources) sources.set(path, flag);
  }

  const settings = settingsFromFlags(values, file?.settings, sources);
  if (settings !== undefined) raw.settings = settings;

  set(raw, 'pollInterval', durationFlag(values['poll-interval']), 'pollInterval', '--poll-interval');
  set(raw, 'deadline', durationFlag(values.deadline), 'deadline', '--deadline');
  set(raw, 'startLimit', durationFlag(values['start-limit']), 'startLimit', '--start-limit');
  set(raw, 'environment', values.environment, 'environment', '--environment');

  return {
    validate(config) {
      const input: Raw = { ...raw };
      for (const [key, value] of Object.entries(clipDefaults(config))) input[key] ??= value;
      try {
        return validateGenerateClipInput(input);
      } catch (err) {
        if (err instanceof ApplicationFailure && err.type === FailureType.InvalidInput) {
          throw new UsageError(attributeToFlag(err.message, sources, values.input));
        }
        throw err;
      }
    },
  };
}

/** The input the flags give, before the configured defaults and the validation. */
export interface ClipInputDraft {
  /** With the configured clip defaults for what the flags leave unset; a refused field is a UsageError. */
  validate(config: ClipgenConfig): GenerateClipInput;
}

function readInputFile(file: string): Raw {
  let text: string;
  try {
    text = fs.readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (err) {
    throw new UsageError(`--input ${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`--input ${file} is not JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  if (!isPlainObject(parsed)) {
    throw new UsageError(`--input ${file} must hold one JSON object, a GenerateClipInput (README: Input)`);
  }
  return parsed;
}

/**
 * --model and --fallback over the file's `models`; undefined leaves the file's choice (or the workflow's default
 * pair). --model alone has no fallback; a --fallback without --model keeps the primary this clip would get, so
 * `--fallback none` really means none.
 */
function modelChoice(values: ClipInputFlags, clip: ClipPrompt, fileModels: unknown) {
  const primary = parseModelFlag(values.model, '--model');
  const sources: Array<[string, string]> = [];
  if (primary) sources.push(['models.primary', '--model']);
  if (values.fallback === undefined) {
    return primary ? { choice: { primary, fallback: null }, sources } : undefined;
  }
  sources.push(['models.fallback', '--fallback']);
  const filePrimary = isPlainObject(fileModels) ? fileModels.primary : undefined;
  const choice = {
    primary: primary ?? filePrimary ?? defaultPrimary(clip),
    fallback: values.fallback === 'none' ? null : (parseModelFlag(values.fallback, '--fallback') ?? null),
  };
  if (choice.fallback === choice.primary) {
    throw new UsageError(`--fallback must differ from the primary model (${choice.primary}); use none for no fallback`);
  }
  return { choice, sources };
}

function defaultPrimary(clip: ClipPrompt) {
  return chooseModels({ jobId: '', clip }).primary;
}

/** The file's settings, then --settings JSON's, then each single flag's; undefined when none of them says anything. */
function settingsFromFlags(values: ClipInputFlags, fileSettings: unknown, sources: Map<string, string>): unknown {
  const fromJson = values.settings === undefined ? undefined : parseSettingsJson(values.settings);
  const single: Raw = {};
  for (const [flag, { key, kind }] of Object.entries(SETTING_FLAGS)) {
    const value = values[flag as keyof typeof SETTING_FLAGS];
    if (value !== undefined) single[key] = kind === 'number' ? parseNumberFlag(value, `--${flag}`) : value;
  }
  if (values['extend-prompt'] && values['no-extend-prompt']) {
    throw new UsageError('--extend-prompt and --no-extend-prompt contradict each other: give one');
  }
  if (values['extend-prompt'] || values['no-extend-prompt']) single.extendPrompt = !!values['extend-prompt'];
  if (!fromJson && Object.keys(single).length === 0) return fileSettings;

  for (const key of Object.keys(fromJson ?? {})) sources.set(`settings.${key}`, '--settings');
  for (const [flag, { key }] of Object.entries(SETTING_FLAGS)) {
    if (values[flag as keyof typeof SETTING_FLAGS] !== undefined) sources.set(`settings.${key}`, `--${flag}`);
  }
  if ('extendPrompt' in single) {
    sources.set('settings.extendPrompt', values['extend-prompt'] ? '--extend-prompt' : '--no-extend-prompt');
  }
  return { ...(isPlainObject(fileSettings) ? fileSettings : {}), ...fromJson, ...single };
}

function parseSettingsJson(text: string): Raw {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (isPlainObject(parsed)) return parsed;
  throw new UsageError(
    `--settings must be a JSON object such as '{"fps": 7, "motion": 127}' (got ${JSON.stringify(shortenText(text, 60))})`,
  );
}

/** A duration such as 90s or "2 minutes", or milliseconds (digits only). */
function durationFlag(value: string | undefined): string | number | undefined {
  if (value === undefined) return undefined;
  return /^\d+$/.test(value.trim()) ? Number(value) : value;
}

/**
 * The validation's message (which starts with the field's path) in the words of the command line: the path replaced
 * by the flag that set it ("--fps must be an integer from 1 to 60 (got 0)"), or prefixed with --settings or
 * --input FILE when the field came from there.
 */
function attributeToFlag(message: string, sources: Map<string, string>, inputFile: string | undefined): string {
  const path = /^[A-Za-z]\w*(?:\.\w+)*/.exec(message)?.[0] ?? '';
  const flag = sources.get(path);
  if (flag === '--settings') return `--settings: ${message}`;
  if (flag) return `${flag}${message.slice(path.length)}`;
  if (inputFile !== undefined) return `--input ${inputFile}: ${message}`;
  return message;
}

function isPlainObject(value: unknown): value is Raw {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
