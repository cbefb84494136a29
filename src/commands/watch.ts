import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { canonicalClipWorkflowId } from '../domain/clip-identity';
import { followClip, workflowUiUrl } from '../client/run-clip';
import { loadConfig } from '../config';
import { parseCommandArgs, UsageError } from './args';
import { followClipCommand } from './temporal-client';

export const WATCH_USAGE = `Usage: clipgen watch WORKFLOW_ID [--json]

Attaches to a clip's workflow (e.g. clip-{jobId}-{clipIndex}), running or finished, on the cluster at
TEMPORAL_ADDRESS: prints its Web UI link, shows its progress until it ends, then prints the Clip (--json: only the
Clip, as one JSON line, on stdout) or its failure.

While it follows, a cluster that stops answering is retried for CLIPGEN_RECONNECT_TIMEOUT (default 5 minutes).

Exit codes: 0 the clip succeeded, 1 it failed (its failure type and message on stderr), 2 usage, 3 configuration,
4 Temporal stopped answering for CLIPGEN_RECONNECT_TIMEOUT (the clip may still be running: watch it again).`;

export async function watchCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, { json: { type: 'boolean' } }, WATCH_USAGE, {
    allowPositionals: true,
  });
  if (values.help) {
    console.log(WATCH_USAGE);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError(`clipgen watch takes one workflow id\n\n${WATCH_USAGE}`);
  const [given] = positionals;
  const config = loadConfig();
  return followClipCommand(config, values.json ?? false, async (client, display, followOptions) => {
    const { handle, description } = await describeClip(client, given);
    const { workflowId } = handle;
    display.note(`Web UI: ${workflowUiUrl(config.temporal.uiUrl, config.temporal.namespace, workflowId)}`);
    display.note(`${workflowId}: ${description.status.name.toLowerCase()}`);
    return followClip(handle, followOptions);
  });
}

/**
 * The clip under its canonical id (lowercase job id: clip-AAAA…-0 is clip-aaaa…-0); under the id as given only if
 * there is none, for a clip started with its job id in capitals before ids were made canonical. Fails with
 * WorkflowNotFoundError (a clear message) when there is no such workflow.
 */
async function describeClip(client: Client, given: string) {
  const canonical = canonicalClipWorkflowId(given);
  const handle = client.workflow.getHandle(canonical);
  try {
    return { handle, description: await handle.describe() };
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError) || canonical === given) throw err;
    const asGiven = client.workflow.getHandle(given);
    return { handle: asGiven, description: await asGiven.describe() };
  }
}
