import { runClip } from '../client/run-clip';
import { workflowUiUrl } from '../client/web-ui-link';
import { loadConfig } from '../config';
import { chooseModels } from '../domain/catalogue';
import type { ClipPrompt, GenerateClipInput, ModelChoice } from '../domain/types';
import { clipDefaults } from '../client/clip-defaults';
import { UsageError, parseCommandArgs, parseJobIdFlag, parseModelFlag, parseNumberFlag, requireString } from './args';
import { followClipCommand } from './follow-clip-command';

export const GENERATE_USAGE = `Usage: clipgen generate --job-id UUID --clip-index N --prompt TEXT --duration S
                        [--image URL] [--model ID] [--fallback ID|none] [--json]

Starts one clip (workflow clip-{jobId}-{clipIndex}, the job id in lowercase) on the Temporal cluster at
TEMPORAL_ADDRESS (default localhost:7233), where a clipgen worker must be running, prints its Web UI link, shows its
progress and prints the Clip. --json prints only the Clip, as one JSON line, on stdout. A clip already running is
not started again: follow it with clipgen watch.

--model      the primary model (default: svd with --image, else cogvideox); given alone, it has no fallback
--fallback   the model to switch to when the primary is unavailable, or none (default: cogvideox after svd,
             hailuo-02 after cogvideox)

Exit codes: 0 the clip succeeded, 1 it failed (its failure type and message on stderr), 2 usage, 3 configuration.`;

export async function generateCommand(argv: string[]): Promise<number> {
  const { values } = parseCommandArgs(
    argv,
    {
      'job-id': { type: 'string' },
      'clip-index': { type: 'string' },
      prompt: { type: 'string' },
      duration: { type: 'string' },
      image: { type: 'string' },
      model: { type: 'string' },
      fallback: { type: 'string' },
      json: { type: 'boolean' },
    },
    GENERATE_USAGE,
  );
  if (values.help) {
    console.log(GENERATE_USAGE);
    return 0;
  }
  const jobId = parseJobIdFlag(values['job-id'], '--job-id');
  const clip: ClipPrompt = {
    clipIndex: parseNumberFlag(values['clip-index'], '--clip-index') ?? 0,
    prompt: requireString(values.prompt, '--prompt'),
    duration: parseNumberFlag(requireString(values.duration, '--duration'), '--duration') as number,
    ...(values.image ? { imageUrl: values.image } : {}),
  };
  const models = modelChoice(values.model, values.fallback, clip);
  const config = loadConfig();
  const input: GenerateClipInput = { jobId, clip, ...(models ? { models } : {}), ...clipDefaults(config) };
  return followClipCommand(config, values.json ?? false, (client, display) =>
    runClip(input, {
      client,
      taskQueue: config.temporal.taskQueue,
      searchAttributes: config.temporal.searchAttributes,
      onStarted: (workflowId) =>
        display.note(`Web UI: ${workflowUiUrl(config.temporal.uiUrl, config.temporal.namespace, workflowId)}`),
      onProgress: (progress) => display.update(progress),
    }),
  );
}

/**
 * --model and --fallback as the workflow's `models`; undefined (the workflow's default pair) when neither is given.
 * A --fallback without --model keeps the default primary for this clip, so `--fallback none` really means none.
 */
function modelChoice(
  model: string | undefined,
  fallback: string | undefined,
  clip: ClipPrompt,
): ModelChoice | undefined {
  const primary = parseModelFlag(model, '--model');
  if (fallback === undefined) return primary ? { primary, fallback: null } : undefined;
  const choice = {
    primary: primary ?? chooseModels({ jobId: '', clip }).primary,
    fallback: fallback === 'none' ? null : (parseModelFlag(fallback, '--fallback') ?? null),
  };
  if (choice.fallback === choice.primary) {
    throw new UsageError(`--fallback must differ from the primary model (${choice.primary}); use none for no fallback`);
  }
  return choice;
}
