import { Client, Connection } from '@temporalio/client';
import { runClip } from '../client/run-clip';
import { loadConfig } from '../config';
import { describeProgress } from '../domain/progress';
import type { GenerateClipInput, ModelId } from '../domain/types';
import { parseCommandArgs, parseNumberFlag, requireString } from './args';

export const GENERATE_USAGE = `Usage: clipgen generate --job-id UUID --clip-index N --prompt TEXT --duration S
                        [--image URL] [--model ID] [--fallback ID|none] [--json]

Starts one clip on the Temporal cluster at TEMPORAL_ADDRESS (default localhost:7233), where a clipgen worker
must be running, waits for it and prints the Clip (as JSON on the last line with --json).`;

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
  };
  const address = config.temporal.address ?? 'localhost:7233';
  const connection = await Connection.connect({
    address,
    ...(config.temporal.apiKey ? { apiKey: config.temporal.apiKey, tls: true } : {}),
  });
  try {
    const client = new Client({ connection, namespace: config.temporal.namespace });
    let lastLine = '';
    const clip = await runClip(input, {
      client,
      taskQueue: config.temporal.taskQueue,
      onProgress: (progress) => {
        const line = describeProgress(progress);
        if (line !== lastLine) process.stderr.write(`  ${line}\n`);
        lastLine = line;
      },
    });
    console.log(values.json ? JSON.stringify(clip) : JSON.stringify(clip, null, 2));
    return 0;
  } finally {
    await connection.close();
  }
}
