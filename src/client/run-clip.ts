import {
  ServiceError,
  WorkflowExecutionAlreadyStartedError,
  WorkflowFailedError,
  isGrpcServiceError,
  type Client,
  type WorkflowHandle,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { ClipgenConfig } from '../config';
import type { ClipProgress } from '../domain/progress';
import type { Clip, GenerateClipInput } from '../domain/types';
import type { generateClipWorkflow } from '../workflows';
import { clipWorkflowOptions } from '../domain/clip-workflow-options';

/** How long a follow keeps reconnecting to an unreachable cluster by default (CLIPGEN_RECONNECT_TIMEOUT). */
export const DEFAULT_RECONNECT_TIMEOUT_MS = 5 * 60_000;

export interface FollowClipOptions {
  /** Called with the workflow's `progress` query about once a second while the clip runs. */
  onProgress?: (progress: ClipProgress) => void;
  progressIntervalMs?: number;
  /**
   * How long to keep reconnecting while the cluster cannot be reached before giving up with
   * TemporalUnreachableWhileFollowingError (default 5 minutes). The clip runs on the cluster, not here: an outage
   * of the connection says nothing about the clip.
   */
  reconnectTimeoutMs?: number;
  /** Called once when the cluster stops answering, and once when it answers again. */
  onUnreachable?: (error: unknown) => void;
  onReconnected?: (downForMs: number) => void;
  /** What the failure message calls the cluster (its address). */
  clusterName?: string;
}

export interface RunClipOptions extends FollowClipOptions {
  client: Client;
  taskQueue: string;
  /** Set the ClipJobId/ClipIndex/ClipModel search attributes at start (registered on the cluster). */
  searchAttributes?: boolean;
  /** Called once the workflow has started, with its id. */
  onStarted?: (workflowId: string) => void;
  /** When the clip is already running, follow that run instead of failing with WorkflowExecutionAlreadyStartedError. */
  attach?: boolean;
  /** Called instead of onStarted when `attach` found the clip already running. */
  onAttached?: (workflowId: string) => void;
}

/** Starts one clip's workflow (or, with `attach`, finds it running) and waits for its result, reporting progress. */
export async function runClip(input: GenerateClipInput, options: RunClipOptions): Promise<Clip> {
  let handle: WorkflowHandle;
  try {
    handle = await options.client.workflow.start<typeof generateClipWorkflow>(
      'generateClipWorkflow',
      clipWorkflowOptions(input, options.taskQueue, { searchAttributes: options.searchAttributes }),
    );
    options.onStarted?.(handle.workflowId);
  } catch (err) {
    if (!options.attach || !(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    handle = options.client.workflow.getHandle(err.workflowId);
    options.onAttached?.(err.workflowId);
  }
  return followClip(handle, options);
}

/**
 * Waits for a started clip's result, reporting its progress (a query needs a worker; unanswered ones are skipped).
 * Rides out a cluster that cannot be reached for up to `reconnectTimeoutMs`, then gives up with
 * TemporalUnreachableWhileFollowingError: the clip itself may well still be running.
 */
export async function followClip(handle: WorkflowHandle, options: FollowClipOptions = {}): Promise<Clip> {
  const { onProgress } = options;
  // One query at a time: while the cluster is unreachable, each one retries for a while before it gives up.
  let querying = false;
  const report = () => {
    if (querying) return;
    querying = true;
    void handle
      .query<ClipProgress>('progress')
      .then(onProgress, () => undefined)
      .finally(() => (querying = false));
  };
  if (onProgress) report();
  const timer = onProgress ? setInterval(report, options.progressIntervalMs ?? 1000) : undefined;
  try {
    return (await resultThroughOutages(handle, options)) as Clip;
  } finally {
    if (timer) clearInterval(timer);
  }
}

/** Each wait for the result is one slice this long, so that an outage is noticed within it. */
const RESULT_SLICE_MS = 10_000;
/** How long a reachability probe may take. */
const PROBE_TIMEOUT_MS = 5_000;
const FIRST_BACKOFF_MS = 500;
const MAX_BACKOFF_MS = 10_000;
/** Errors in a row from a cluster that answers its probe before they are taken as the answer. */
const MAX_ERRORS_WHILE_REACHABLE = 5;

// gRPC status codes that can come from a connection problem rather than from the request itself.
const GRPC_CANCELLED = 1;
const GRPC_UNKNOWN = 2;
const GRPC_DEADLINE_EXCEEDED = 4;
const GRPC_RESOURCE_EXHAUSTED = 8;
const GRPC_ABORTED = 10;
const GRPC_INTERNAL = 13;
const GRPC_UNAVAILABLE = 14;
const TRANSIENT_CODES = new Set([
  GRPC_CANCELLED,
  GRPC_UNKNOWN,
  GRPC_DEADLINE_EXCEEDED,
  GRPC_RESOURCE_EXHAUSTED,
  GRPC_ABORTED,
  GRPC_INTERNAL,
  GRPC_UNAVAILABLE,
]);

/**
 * handle.result() in slices of RESULT_SLICE_MS (the SDK's own retries give up after about a minute of outage,
 * and a long poll cut short by its slice's deadline is simply made again). After a slice that ends in a connection
 * error, the cluster is probed: while it answers the wait goes on; while it does not, it is retried with backoff
 * until it has been unreachable for reconnectTimeoutMs.
 */
async function resultThroughOutages(handle: WorkflowHandle, options: FollowClipOptions): Promise<unknown> {
  const { client } = handle;
  const reconnectTimeoutMs = options.reconnectTimeoutMs ?? DEFAULT_RECONNECT_TIMEOUT_MS;
  let unreachableSince: number | null = null;
  let backoffMs = FIRST_BACKOFF_MS;
  let errorsWhileReachable = 0;
  for (;;) {
    const sliceMs =
      unreachableSince === null
        ? RESULT_SLICE_MS
        : Math.max(1000, Math.min(RESULT_SLICE_MS, unreachableSince + reconnectTimeoutMs - Date.now()));
    try {
      const result = await client.withDeadline(Date.now() + sliceMs, () => handle.result());
      if (unreachableSince !== null) options.onReconnected?.(Date.now() - unreachableSince);
      return result;
    } catch (err) {
      const code = grpcCode(err);
      if (code === undefined || !TRANSIENT_CODES.has(code)) throw err;
      if (await answers(client)) {
        if (unreachableSince !== null) options.onReconnected?.(Date.now() - unreachableSince);
        unreachableSince = null;
        backoffMs = FIRST_BACKOFF_MS;
        // A slice that merely ran out is the normal case; anything else, again and again, is an answer.
        if (code !== GRPC_DEADLINE_EXCEEDED && ++errorsWhileReachable >= MAX_ERRORS_WHILE_REACHABLE) throw err;
        continue;
      }
      errorsWhileReachable = 0;
      if (unreachableSince === null) {
        unreachableSince = Date.now();
        options.onUnreachable?.(err);
      }
      const left = unreachableSince + reconnectTimeoutMs - Date.now();
      if (left <= 0) {
        throw new TemporalUnreachableWhileFollowingError(
          handle.workflowId,
          reconnectTimeoutMs,
          options.clusterName,
          err,
        );
      }
      await sleep(Math.min(backoffMs, left));
      backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
    }
  }
}

/** Whether the cluster answers at all, within PROBE_TIMEOUT_MS. */
async function answers(client: WorkflowHandle['client']): Promise<boolean> {
  try {
    await client.withDeadline(Date.now() + PROBE_TIMEOUT_MS, () => client.connection.workflowService.getSystemInfo({}));
    return true;
  } catch (err) {
    const code = grpcCode(err);
    return code !== undefined && !TRANSIENT_CODES.has(code);
  }
}

function grpcCode(err: unknown): number | undefined {
  if (isGrpcServiceError(err)) return err.code;
  if (err instanceof ServiceError && isGrpcServiceError(err.cause)) return err.cause.code;
  return undefined;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * The cluster could not be reached for the whole reconnect window while a clip was followed. Says nothing about the
 * clip: it runs on the cluster and may well still be running, or have finished.
 */
export class TemporalUnreachableWhileFollowingError extends Error {
  override name = 'TemporalUnreachableWhileFollowingError';

  constructor(
    readonly workflowId: string,
    readonly reconnectTimeoutMs: number,
    readonly clusterName: string | undefined,
    cause: unknown,
  ) {
    super(
      `lost contact with Temporal${clusterName ? ` at ${clusterName}` : ''} for ${describeMs(reconnectTimeoutMs)} ` +
        `while following ${workflowId}, and gave up (CLIPGEN_RECONNECT_TIMEOUT). The clip runs on the cluster, not ` +
        `in this command: it may still be running, or have finished. Once Temporal answers, follow it with: ` +
        `clipgen watch ${workflowId} (do not run generate again for it: a finished clip would be generated, and ` +
        `paid for, again).`,
      { cause },
    );
  }
}

function describeMs(ms: number): string {
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  return `${Math.round(ms / 100) / 10} s`;
}

/**
 * "Type: message" for a failed clip, e.g. "InvalidInput: clip.duration must be ..."; for a start refused because the
 * clip is already running, which workflow that is and how to follow it.
 */
export function describeClipFailure(err: unknown): string {
  if (err instanceof WorkflowExecutionAlreadyStartedError) {
    return (
      `${err.workflowId} is already running (one run per job and clip); follow it with: ` +
      `clipgen watch ${err.workflowId} (or run the same generate with --attach)`
    );
  }
  if (err instanceof WorkflowFailedError) {
    const cause = err.cause;
    if (cause instanceof ApplicationFailure) return `${cause.type ?? 'Error'}: ${cause.message}`;
    if (cause) return `${cause.name}: ${cause.message}`;
  }
  return err instanceof Error ? err.message : String(err);
}

/**
 * The configured poll interval, deadline and start limit (CLIP_POLL_INTERVAL, CLIP_DEADLINE, CLIP_START_LIMIT) for
 * the clips the CLI starts.
 */
export function clipDefaults(
  config: ClipgenConfig,
): Pick<GenerateClipInput, 'pollInterval' | 'deadline' | 'startLimit'> {
  return {
    ...(config.clip.pollInterval !== null ? { pollInterval: config.clip.pollInterval } : {}),
    ...(config.clip.deadline !== null ? { deadline: config.clip.deadline } : {}),
    ...(config.clip.startLimit !== null ? { startLimit: config.clip.startLimit } : {}),
  };
}

/** The Temporal Web UI page of one workflow, e.g. http://localhost:8233/namespaces/default/workflows/clip-…-0. */
export function workflowUiUrl(uiBaseUrl: string, namespace: string, workflowId: string): string {
  const base = uiBaseUrl.replace(/\/+$/, '');
  return `${base}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}
