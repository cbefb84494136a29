import { runClip, workflowUiUrl } from '../client/run-clip';
import { loadConfig } from '../config';
import { parseCommandArgs } from './args';
import { CLIP_INPUT_OPTIONS, clipInputFromFlags } from './clip-input-flags';
import { followClipCommand } from './temporal-client';

export const GENERATE_USAGE = `Usage: clipgen generate --job-id UUID --clip-index N --prompt TEXT --duration S [--image URL]
                        [--negative-prompt TEXT] [--model ID] [--fallback ID|none]
                        [--settings JSON] [--seed N] [--fps N] [--resolution R] [--aspect-ratio A] [--motion N]
                        [--cond-aug X] [--steps N] [--guidance X] [--extend-prompt|--no-extend-prompt]
                        [--deadline D] [--start-limit D] [--poll-interval D] [--environment production|development]
                        [--attach] [--json]
       clipgen generate --input FILE.json [any flag above, which replaces that field]

Starts one clip (workflow clip-{jobId}-{clipIndex}, the job id in lowercase) on the Temporal cluster at
TEMPORAL_ADDRESS (default localhost:7233), where a clipgen worker must be running, prints its Web UI link, shows its
progress and prints the Clip. --json prints only the Clip, as one JSON line, on stdout. A clip already running is
not started again: follow it with clipgen watch, or give --attach. While it follows, a cluster that stops answering
is retried for CLIPGEN_RECONNECT_TIMEOUT (default 5 minutes).

--input      a whole GenerateClipInput as JSON (README: Input); - reads it from stdin
--model      the primary model (default: svd with --image, else cogvideox); given alone, it has no fallback
--fallback   the model to switch to when the primary is unavailable, or none (default: cogvideox after svd,
             hailuo-02 after cogvideox)
--settings   GenerationSettings as a JSON object, e.g. '{"fps": 7, "motion": 127}'; the single flags
             (--seed, --fps, --resolution, --aspect-ratio, --motion, --cond-aug, --steps, --guidance,
             --extend-prompt) replace its fields
--deadline, --start-limit, --poll-interval
             durations such as 90s or "2 minutes", or milliseconds: how long the prediction may run once started,
             how long it may wait to start before the fallback is tried, how often it is polled (default:
             CLIP_DEADLINE, CLIP_START_LIMIT, CLIP_POLL_INTERVAL, else the model's own and 3s)
--attach     when the clip is already running, follow that run (its own input) instead of failing

The input is checked before anything starts: a value the clip's validation refuses is a usage error naming its flag.

Exit codes: 0 the clip succeeded, 1 it failed (its failure type and message on stderr) or the cluster cannot be
reached, 2 usage, 3 configuration, 4 Temporal stopped answering for CLIPGEN_RECONNECT_TIMEOUT while the clip was
followed (it may still be running: the message names it and the clipgen watch command).`;

export async function generateCommand(argv: string[]): Promise<number> {
  const { values } = parseCommandArgs(
    argv,
    { ...CLIP_INPUT_OPTIONS, attach: { type: 'boolean' }, json: { type: 'boolean' } },
    GENERATE_USAGE,
  );
  if (values.help) {
    console.log(GENERATE_USAGE);
    return 0;
  }
  const draft = clipInputFromFlags(values);
  const config = loadConfig();
  const input = draft.validate(config);
  return followClipCommand(config, values.json ?? false, (client, display, followOptions) =>
    runClip(input, {
      ...followOptions,
      client,
      taskQueue: config.temporal.taskQueue,
      searchAttributes: config.temporal.searchAttributes,
      attach: values.attach ?? false,
      onStarted: (workflowId) =>
        display.note(`Web UI: ${workflowUiUrl(config.temporal.uiUrl, config.temporal.namespace, workflowId)}`),
      onAttached: (workflowId) => {
        display.note(`${workflowId} is already running; following it (--attach)`);
        display.note(`Web UI: ${workflowUiUrl(config.temporal.uiUrl, config.temporal.namespace, workflowId)}`);
      },
    }),
  );
}
