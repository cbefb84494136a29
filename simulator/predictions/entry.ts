import type { SimulatedModel } from '../models/model';
import type { SimulatedStatus, WebhookEventName } from '../types';

/** Everything the simulator knows about one prediction; its status is derived from these times. */
export interface PredictionEntry {
  /** Creation order, for newest-first listing and cursors. */
  seq: number;
  id: string;
  model: SimulatedModel;
  /** 64-hex id, or 'hidden' for official models run by name. */
  version: string;
  /** The input exactly as sent. */
  input: Record<string, unknown>;
  webhook?: string;
  webhookEventsFilter?: WebhookEventName[];
  /** Origin for urls.*. */
  origin: string;
  /** Origin for the output link: with a host name, as replicate.delivery's (see RequestContext.outputOrigin). */
  outputOrigin: string;
  seed: number;
  createdMs: number;
  startMs: number;
  /** When predict() returns; Infinity for a `never-finish` fault. */
  runEndMs: number;
  /** A model error (input the model rejects, or a `prediction-failed` fault): fails at runEndMs. */
  modelError?: string;
  videoOutputDurationSeconds?: number;
  /** Set once the MP4 exists (simulated clock). */
  output?: { readyMs: number; path: string };
  renderFailure?: { atMs: number; error: string };
  /** When a cancel stops it: the request's time, or later for an asynchronous (`slow-cancel`) one. */
  canceledMs?: number;
  deadlineMs?: number;
}

export interface PredictionState {
  status: SimulatedStatus;
  startedMs: number | null;
  completedMs: number | null;
  error: string | null;
  /** The moment it will finish by itself, when that is known (for the scheduler). */
  naturalEndMs: number;
}

const TERMINAL: readonly SimulatedStatus[] = ['succeeded', 'failed', 'canceled', 'aborted'];

export function isTerminal(status: SimulatedStatus): boolean {
  return TERMINAL.includes(status);
}

function naturalEnd(entry: PredictionEntry): { atMs: number; status: SimulatedStatus; error: string | null } {
  if (entry.modelError !== undefined) return { atMs: entry.runEndMs, status: 'failed', error: entry.modelError };
  if (entry.renderFailure) {
    return {
      atMs: Math.max(entry.runEndMs, entry.renderFailure.atMs),
      status: 'failed',
      error: entry.renderFailure.error,
    };
  }
  // A prediction only succeeds once its output exists ("completed_at means the outputs were uploaded too").
  if (entry.output) return { atMs: Math.max(entry.runEndMs, entry.output.readyMs), status: 'succeeded', error: null };
  return { atMs: Infinity, status: 'succeeded', error: null };
}

/** The prediction's state as of `nowMs`. Pure: the same entry and time always give the same state. */
export function stateAt(entry: PredictionEntry, nowMs: number): PredictionState {
  const natural = naturalEnd(entry);
  const stopMs = Math.min(entry.canceledMs ?? Infinity, entry.deadlineMs ?? Infinity);
  if (stopMs <= nowMs && stopMs < natural.atMs) {
    const started = stopMs >= entry.startMs;
    const byUser = stopMs === entry.canceledMs;
    return {
      status: started || byUser ? 'canceled' : 'aborted',
      startedMs: started ? entry.startMs : null,
      completedMs: stopMs,
      error: null,
      naturalEndMs: natural.atMs,
    };
  }
  if (natural.atMs <= nowMs) {
    return {
      status: natural.status,
      startedMs: entry.startMs,
      completedMs: natural.atMs,
      error: natural.error,
      naturalEndMs: natural.atMs,
    };
  }
  const started = entry.startMs <= nowMs;
  return {
    status: started ? 'processing' : 'starting',
    startedMs: started ? entry.startMs : null,
    completedMs: null,
    error: null,
    naturalEndMs: natural.atMs,
  };
}
