import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { clipDefaults, runClip, workflowUiUrl } from '../client/run-clip';
import { loadConfig, type ClipgenConfig } from '../config';
import { openActivityDeps } from '../dependencies';
import type { Clip, ModelId } from '../domain/types';
import { serveFile } from '../http/listen';
import { startSimulator } from '../../simulator';
import { temporalConnectionOptions } from '../temporal/connection-options';
import { startEmbeddedTemporal } from '../temporal/dev-server';
import { installRuntimeLogger } from '../temporal/runtime-logger';
import { createClipWorker } from '../worker';
import { UsageError, parseCommandArgs, parseJobIdFlag, parseModelFlag, parseNumberFlag, shownValue } from './args';
import { createProgressDisplay, printClip, withStdoutReserved, type ProgressDisplay } from './output';
import { TemporalUnreachableError } from './temporal-client';

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

export interface DemoOptions {
  prompt: string;
  duration: number;
  /** A local image file or an http(s) URL to use as the first frame. */
  image?: string;
  model?: ModelId;
  jobId?: string;
  /** Where progress and notes go (stderr by default, so stdout can carry only the result). */
  display?: ProgressDisplay;
}

/**
 * One clip end to end on embedded defaults: a Temporal dev server when TEMPORAL_ADDRESS is unset, the Replicate
 * simulator when REPLICATE_API_TOKEN is unset, local storage and the PGlite ledger under ./.clipgen.
 * Everything it starts, it stops.
 */
export async function runDemo(options: DemoOptions, baseConfig: ClipgenConfig): Promise<Clip> {
  const display = options.display ?? createProgressDisplay();
  const log = (line: string) => display.note(line);
  const cleanups: Array<() => Promise<unknown>> = [];
  const usingSimulator = !baseConfig.replicate.apiToken;
  checkImageArgument(options.image, usingSimulator);
  installRuntimeLogger('WARN');
  try {
    const config = structuredClone(baseConfig);
    if (usingSimulator) {
      const simulator = await startSimulator({ predictSeconds: 4 });
      cleanups.push(() => simulator.close());
      config.replicate = { ...config.replicate, apiToken: 'clipgen-demo', baseUrl: simulator.baseUrl };
      config.download = { ...config.download, allowPrivateHosts: true };
      log(`Replicate simulator at ${simulator.baseUrl} (set REPLICATE_API_TOKEN to use Replicate)`);
    }

    const imageUrl = await resolveImage(options.image, usingSimulator, cleanups);
    const opened = await openActivityDeps(config);
    cleanups.push(() => opened.close());

    const temporal = await connectTemporal(config, cleanups, log);
    const worker = await createClipWorker({
      connection: temporal.workerConnection,
      namespace: config.temporal.namespace,
      taskQueue: config.temporal.taskQueue,
      deps: opened.deps,
      tuning: config.worker,
    });

    const jobId = options.jobId ?? randomUUID();
    const input = {
      jobId,
      clip: { clipIndex: 0, prompt: options.prompt, duration: options.duration, ...(imageUrl ? { imageUrl } : {}) },
      ...(options.model ? { models: { primary: options.model, fallback: null } } : {}),
      ...clipDefaults(config),
    };
    const clip = await worker.runUntil(
      runClip(input, {
        client: temporal.client,
        taskQueue: config.temporal.taskQueue,
        searchAttributes: temporal.searchAttributes,
        onStarted: (workflowId) =>
          log(`Web UI: ${workflowUiUrl(temporal.uiUrl, config.temporal.namespace, workflowId)}`),
        onProgress: (progress) => display.update(progress),
        reconnectTimeoutMs: config.follow.reconnectTimeoutMs,
        clusterName: temporal.address,
        onUnreachable: () => log(`Temporal at ${temporal.address} does not answer; still following, reconnecting`),
        onReconnected: () => log('Temporal answers again'),
      }),
    );
    display.done();
    const where = clip.videoUrl.startsWith('file:') ? fileURLToPath(clip.videoUrl) : clip.videoUrl;
    log(`Clip stored at ${where}`);
    log(
      `Duration ${clip.actualDuration.toFixed(3)} s (target ${clip.targetDuration} s) · ` +
        `${clip.video.width}x${clip.video.height} ${clip.video.codec} at ${clip.video.fps} fps · ` +
        `cost $${clip.cost} (${clip.costSource}) on ${clip.model} · job ${jobId}`,
    );
    return clip;
  } finally {
    display.done();
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  }
}

async function connectTemporal(
  config: ClipgenConfig,
  cleanups: Array<() => Promise<unknown>>,
  log: (line: string) => void,
) {
  if (config.temporal.address) {
    const { NativeConnection } = await import('@temporalio/worker');
    const connectionOptions = temporalConnectionOptions(config.temporal);
    const unreachable = (err: unknown) => {
      throw new TemporalUnreachableError(connectionOptions.address, false, null, err);
    };
    const workerConnection = await NativeConnection.connect(connectionOptions).catch(unreachable);
    cleanups.push(() => workerConnection.close());
    const connection = await Connection.connect(connectionOptions).catch(unreachable);
    cleanups.push(() => connection.close());
    return {
      address: connectionOptions.address,
      workerConnection,
      client: new Client({ connection, namespace: config.temporal.namespace }),
      uiUrl: config.temporal.uiUrl,
      searchAttributes: config.temporal.searchAttributes,
    };
  }
  const embedded = await startEmbeddedTemporal();
  cleanups.push(() => embedded.env.teardown());
  log(`Temporal dev server started; Web UI at ${embedded.uiUrl} (while the demo runs)`);
  return {
    address: embedded.env.address,
    workerConnection: embedded.env.nativeConnection,
    client: embedded.env.client,
    uiUrl: embedded.uiUrl,
    // The embedded server registers them (startEmbeddedTemporal).
    searchAttributes: true,
  };
}

/**
 * --image is a local file (served to the simulator over http) or an http(s) URL: anything else is a usage mistake,
 * found before anything is started.
 */
function checkImageArgument(image: string | undefined, usingSimulator: boolean): void {
  if (!image || isHttpUrl(image)) return;
  const takes = '--image takes a local file path or an http(s) URL';
  const scheme = /^([a-z][a-z0-9+.-]+):/i.exec(image)?.[1];
  if (scheme) {
    const hint = scheme.toLowerCase() === 'file' ? '; for a local file give its path, without file://' : '';
    throw new UsageError(`${takes} (got a ${scheme}: URL, ${shownValue(image)})${hint}`);
  }
  if (!usingSimulator) {
    throw new UsageError(
      `${takes}; with REPLICATE_API_TOKEN set it must be an http(s) URL Replicate can fetch (local files work only ` +
        `with the simulator; got ${shownValue(image)})`,
    );
  }
  let stat: fs.Stats;
  try {
    stat = fs.statSync(image);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : `cannot be read (${code ?? String(err)})`;
    throw new UsageError(`--image ${shownValue(image)}: ${why}. ${takes}`);
  }
  if (!stat.isFile()) throw new UsageError(`--image ${shownValue(image)} is not a file. ${takes}`);
}

function isHttpUrl(value: string): boolean {
  return /^https?:\/\//i.test(value);
}

async function resolveImage(
  image: string | undefined,
  usingSimulator: boolean,
  cleanups: Array<() => Promise<unknown>>,
) {
  if (!image) return undefined;
  if (isHttpUrl(image) || !usingSimulator) return image;
  const served = await serveFile(image);
  cleanups.push(() => served.close());
  return served.url;
}
