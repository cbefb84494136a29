import { loadConfig } from '../config';
import { runDemo } from '../demo/run-demo';
import { parseCommandArgs, parseJobIdFlag, parseModelFlag, parseNumberFlag } from './args';
import { printClip, withStdoutReserved } from './print-clip';

export const DEMO_USAGE = `Usage: clipgen demo [--prompt TEXT] [--duration S] [--image PATH|URL] [--model ID] [--job-id UUID] [--json]

Generates one clip end to end with no account: an embedded Temporal dev server (unless TEMPORAL_ADDRESS is set),
the Replicate simulator (unless REPLICATE_API_TOKEN is set), local storage and the PGlite ledger under ./.clipgen.
Without --image the clip is text to video (CogVideoX); with one it is image to video (Stable Video Diffusion).
It prints the clip's Web UI link (the embedded UI lives while the demo runs), shows its progress (a live line on a
terminal) and prints the Clip; --json prints only the Clip, as one JSON line, on stdout (everything else, the
embedded servers' output included, goes to stderr). --image takes a local file path or an http(s) URL.

Exit codes: 0 the clip succeeded, 1 it failed (its failure type and message on stderr), 2 usage, 3 configuration,
4 a TEMPORAL_ADDRESS cluster stopped answering for CLIPGEN_RECONNECT_TIMEOUT while the clip was followed.`;

const DEFAULT_PROMPT = 'A paper boat drifting down a rain-soaked street at dusk, cinematic';

export async function demoCommand(argv: string[]): Promise<number> {
  const { values } = parseCommandArgs(
    argv,
    {
      prompt: { type: 'string' },
      duration: { type: 'string' },
      image: { type: 'string' },
      model: { type: 'string' },
      'job-id': { type: 'string' },
      json: { type: 'boolean' },
    },
    DEMO_USAGE,
  );
  if (values.help) {
    console.log(DEMO_USAGE);
    return 0;
  }
  const json = values.json ?? false;
  const options = {
    prompt: values.prompt ?? DEFAULT_PROMPT,
    duration: parseNumberFlag(values.duration, '--duration') ?? (values.image ? 3 : 6),
    image: values.image,
    model: parseModelFlag(values.model, '--model'),
    jobId: values['job-id'] === undefined ? undefined : parseJobIdFlag(values['job-id'], '--job-id'),
  };
  const config = loadConfig();
  const clip = await withStdoutReserved(json, () => runDemo(options, config));
  printClip(clip, json);
  return 0;
}
