import { runClip } from '../client/run-clip';
import { workflowUiUrl } from '../client/web-ui-link';
import { loadConfig } from '../config';
import type { GenerateClipInput, ModelId } from '../domain/types';
import { clipDefaults } from '../client/clip-defaults';
import { parseCommandArgs, parseNumberFlag, requireString } from './args';
import { followClipCommand } from './follow-clip-command';

export const GENERATE_USAGE = `Usage: clipgen generate --job-id UUID --clip-index N --prompt TEXT --duration S
                        [--image URL] [--model ID] [--fallback ID|none] [--json]

Starts one clip (workflow clip-{jobId}-{clipIndex}) on the Temporal cluster at TEMPORAL_ADDRESS (default
localhost:7233), where a clipgen worker must be running, prints its Web UI link, shows its progress and prints the
Clip. --json prints only the Clip, as one JSON line, on stdout.

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
  const config = loadConfig();
  const input: GenerateClipInput = {
    jobId: requireString(values['job-id'], '--job-id'),
    clip: {
      clipIndex: parseNumberFlag(values['clip-index'], '--clip-index') ?? 0,
      prompt: requireString(values.prompt, '--prompt'),
      duration: parseNumberFlag(requireString(values.duration, '--duration'), '--duration') as number,
      ...(values.image ? { imageUrl: values.image } : {}),
    },
    ...(values.model
      ? {
          models: {
            primary: values.model as ModelId,
            fallback: values.fallback === 'none' ? null : ((values.fallback as ModelId | undefined) ?? null),
          },
        }
      : {}),
    ...clipDefaults(config),
  };
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
