import { hailuo02, hailuoVariantMetrics } from '../models/hailuo';
import { klingV21, klingVariantMetrics } from '../models/kling';
import { modelName } from '../models/model';
import { isoMicros, secondsMicros } from '../time';
import type { PredictionJson } from '../types';
import { isTerminal, stateAt, type PredictionEntry, type PredictionState } from './entry';

export function outputUrl(entry: PredictionEntry): string {
  return `${entry.outputOrigin}/delivery/${entry.id}/output.mp4`;
}

/** The variant metrics each official model reports with its output duration (docs/simulator.md). */
const VARIANT_METRICS: Record<string, (input: Record<string, unknown>) => { resolution_target: string }> = {
  [klingV21.key]: klingVariantMetrics,
  [hailuo02.key]: hailuoVariantMetrics,
};

function metricsOf(entry: PredictionEntry, state: PredictionState): PredictionJson['metrics'] {
  if (!isTerminal(state.status) || state.completedMs === null) return undefined;
  const metrics: NonNullable<PredictionJson['metrics']> = {};
  // Only time spent running is billed (predict_time); a prediction stopped before it started has none.
  if (state.startedMs !== null) metrics.predict_time = secondsMicros(state.completedMs - state.startedMs);
  metrics.total_time = secondsMicros(state.completedMs - entry.createdMs);
  if (state.status === 'succeeded' && entry.videoOutputDurationSeconds !== undefined) {
    metrics.video_output_duration_seconds = entry.videoOutputDurationSeconds;
    Object.assign(metrics, VARIANT_METRICS[entry.model.key]?.(entry.input));
  }
  return metrics;
}

/** The prediction as GET /v1/predictions/{id} returns it at `nowMs`. */
export function predictionJson(entry: PredictionEntry, nowMs: number, retentionMs: number): PredictionJson {
  const state = stateAt(entry, nowMs);
  const removed = state.completedMs !== null && nowMs >= state.completedMs + retentionMs;
  const base = `${entry.origin}/v1/predictions/${entry.id}`;
  const json: PredictionJson = {
    id: entry.id,
    model: modelName(entry.model),
    version: entry.version,
    input: removed ? {} : entry.input,
    logs: removed ? null : logsAt(entry, state, nowMs),
    output: state.status === 'succeeded' && !removed ? outputUrl(entry) : null,
    data_removed: removed,
    error: state.error,
    status: state.status,
    source: 'api',
    created_at: isoMicros(entry.createdMs),
    started_at: state.startedMs === null ? null : isoMicros(state.startedMs),
    completed_at: state.completedMs === null ? null : isoMicros(state.completedMs),
    urls: { get: base, cancel: `${base}/cancel`, web: `https://replicate.com/p/${entry.id}` },
  };
  const metrics = metricsOf(entry, state);
  if (metrics) json.metrics = metrics;
  if (entry.deadlineMs !== undefined) json.deadline = isoMicros(entry.deadlineMs);
  if (entry.webhook !== undefined) json.webhook = entry.webhook;
  if (entry.webhookEventsFilter !== undefined) json.webhook_events_filter = entry.webhookEventsFilter;
  return json;
}

/**
 * The prediction as the API answers a create, get, cancel or list: Replicate's published schema has no `webhook` or
 * `webhook_events_filter`, so they are left out unless the simulator echoes them (`echoWebhook`). Webhook deliveries,
 * `predictions()` and `/_admin/predictions` keep them: they show what was sent.
 */
export function answerJson(json: PredictionJson, echoWebhook: boolean): PredictionJson {
  if (echoWebhook) return json;
  const { webhook: _webhook, webhook_events_filter: _events, ...answer } = json;
  return answer;
}

const STEPS = 25;
const BAR_WIDTH = 10;

/** A tqdm-style progress line, which the client's parseProgressFromLogs understands. */
function progressLine(fraction: number): string {
  const done = Math.floor(fraction * STEPS);
  const percent = Math.floor((100 * done) / STEPS);
  const filled = Math.round((BAR_WIDTH * done) / STEPS);
  const bar = '█'.repeat(filled) + ' '.repeat(BAR_WIDTH - filled);
  return `${String(percent).padStart(3)}%|${bar}| ${done}/${STEPS}`;
}

/** What predict() has printed by `nowMs`: the seed, then progress through the run. */
export function logsAt(entry: PredictionEntry, state: PredictionState, nowMs: number): string {
  if (state.startedMs === null) return '';
  const lines = [`Using seed: ${entry.seed}`];
  const until = Math.min(state.completedMs ?? nowMs, nowMs);
  const runMs = entry.runEndMs - entry.startMs;
  const fraction =
    state.status === 'succeeded' ? 1 : runMs === Infinity ? 0 : Math.min(1, (until - entry.startMs) / runMs);
  lines.push(progressLine(Math.max(0, fraction)));
  return `${lines.join('\n')}\n`;
}
