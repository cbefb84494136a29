import { followClip } from '../client/run-clip';
import { workflowUiUrl } from '../client/web-ui-link';
import { loadConfig } from '../config';
import { parseCommandArgs, UsageError } from './args';
import { followClipCommand } from './follow-clip-command';

export const WATCH_USAGE = `Usage: clipgen watch WORKFLOW_ID [--json]

Attaches to a clip's workflow (e.g. clip-{jobId}-{clipIndex}), running or finished, on the cluster at
TEMPORAL_ADDRESS: prints its Web UI link, shows its progress until it ends, then prints the Clip (--json: only the
Clip, as one JSON line, on stdout) or its failure.

Exit codes: 0 the clip succeeded, 1 it failed (its failure type and message on stderr), 2 usage, 3 configuration.`;

export async function watchCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, { json: { type: 'boolean' } }, WATCH_USAGE, {
    allowPositionals: true,
  });
  if (values.help) {
    console.log(WATCH_USAGE);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError(`clipgen watch takes one workflow id\n\n${WATCH_USAGE}`);
  const [workflowId] = positionals;
  const config = loadConfig();
  return followClipCommand(config, values.json ?? false, async (client, display) => {
    const handle = client.workflow.getHandle(workflowId);
    // Fails with WorkflowNotFoundError (a clear message) when there is no such workflow.
    const description = await handle.describe();
    display.note(`Web UI: ${workflowUiUrl(config.temporal.uiUrl, config.temporal.namespace, workflowId)}`);
    display.note(`${workflowId}: ${description.status.name.toLowerCase()}`);
    return followClip(handle, { onProgress: (progress) => display.update(progress) });
  });
}
