import { followClip } from '../client/run-clip';
import { workflowUiUrl } from '../client/web-ui-link';
import { loadConfig } from '../config';
import { parseCommandArgs, UsageError } from './args';
import { printClip } from './print-clip';
import { createProgressDisplay } from './progress-display';
import { connectClient } from './temporal-client';

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
  const { client, close } = await connectClient(config);
  const display = createProgressDisplay();
  try {
    const handle = client.workflow.getHandle(workflowId);
    // Fails with WorkflowNotFoundError (a clear message) when there is no such workflow.
    const description = await handle.describe();
    display.note(`Web UI: ${workflowUiUrl(config.temporal.uiUrl, config.temporal.namespace, workflowId)}`);
    display.note(`${workflowId}: ${description.status.name.toLowerCase()}`);
    const clip = await followClip(handle, { onProgress: (progress) => display.update(progress) });
    display.done();
    printClip(clip, values.json ?? false);
    return 0;
  } finally {
    display.done();
    await close();
  }
}
