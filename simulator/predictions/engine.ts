import { randomInt } from 'node:crypto';
import { modelName } from '../models/model';
import { withDefaults } from '../models/schema';
import { InputImageError } from '../render/input-image';
import type { Renderer } from '../render/renderer';
import type { PredictionJson, SimulatorStats, WebhookEventName } from '../types';
import type { WebhookDispatcher } from '../webhooks/dispatcher';
import { isTerminal, stateAt, type PredictionEntry, type PredictionState } from './entry';
import { predictionJson } from './json';
import type { PredictionStore } from './store';

export interface EngineTimings {
  now: () => number;
  startMs: number;
  predictMs: number;
  retentionMs: number;
}

/** What a create request decides; the engine adds the times, seed and outcome. */
export interface NewPrediction
  extends Pick<
    PredictionEntry,
    'id' | 'model' | 'version' | 'input' | 'webhook' | 'webhookEventsFilter' | 'origin' | 'outputOrigin'
  > {
  cancelAfterMs?: number;
  /** From faults: fail with this error, or never finish. */
  forcedError?: string;
  neverFinish?: boolean;
  /** From a `long-run` fault: the prediction was created this long ago (its clock skipped ahead). */
  skippedMs?: number;
  /** From a `cold-boot` fault: how long it stays `starting` (instead of the simulator's `startSeconds`). */
  bootMs?: number;
}

const DEFAULT_EVENTS: WebhookEventName[] = ['output', 'completed'];
/** The scheduler re-checks at least this often, so an injected clock that jumps is noticed. */
const MAX_TIMER_MS = 1000;

interface Progress {
  startNotified: boolean;
  endNotified: boolean;
  waiters: Set<() => void>;
}

/**
 * Creates predictions and moves them along. Status is a function of the clock (entry.ts); this class only
 * does what needs side effects: rendering outputs, webhook deliveries and releasing `Prefer: wait` holds.
 * One timer serves all predictions, set for the next moment anything changes.
 */
export class PredictionEngine {
  private readonly active = new Map<string, { entry: PredictionEntry; progress: Progress }>();
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    private readonly timings: EngineTimings,
    private readonly store: PredictionStore,
    private readonly renderer: Renderer,
    private readonly webhooks: WebhookDispatcher,
    private readonly stats: Pick<SimulatorStats, 'predictionsCreated'>,
  ) {}

  create(request: NewPrediction): PredictionEntry {
    const createdMs = this.timings.now() - (request.skippedMs ?? 0);
    const startMs = createdMs + (request.bootMs ?? this.timings.startMs);
    const entry: PredictionEntry = {
      seq: this.store.allocateSeq(),
      id: request.id,
      model: request.model,
      version: request.version,
      input: request.input,
      webhook: request.webhook,
      webhookEventsFilter: request.webhookEventsFilter,
      origin: request.origin,
      outputOrigin: request.outputOrigin,
      seed: Number.isInteger(request.input.seed) ? Number(request.input.seed) : randomInt(0, 2 ** 31),
      createdMs,
      startMs,
      runEndMs: request.neverFinish ? Infinity : startMs + (request.skippedMs ?? 0) + this.timings.predictMs,
      deadlineMs: request.cancelAfterMs === undefined ? undefined : createdMs + request.cancelAfterMs,
    };
    this.store.add(entry);
    const name = modelName(request.model);
    this.stats.predictionsCreated[name] = (this.stats.predictionsCreated[name] ?? 0) + 1;
    this.active.set(entry.id, { entry, progress: { startNotified: false, endNotified: false, waiters: new Set() } });
    this.planOutput(entry, request);
    this.sweep();
    return entry;
  }

  state(entry: PredictionEntry): PredictionState {
    return stateAt(entry, this.timings.now());
  }

  json(entry: PredictionEntry): PredictionJson {
    return predictionJson(entry, this.timings.now(), this.timings.retentionMs);
  }

  isDataRemoved(entry: PredictionEntry): boolean {
    const completedMs = this.state(entry).completedMs;
    return completedMs !== null && this.timings.now() >= completedMs + this.timings.retentionMs;
  }

  /**
   * Idempotent: a terminal prediction is left as it is. With `delayMs` (a `slow-cancel` fault) the cancel is
   * asynchronous: the prediction keeps its status (and keeps running, billed) until it stops `delayMs` later.
   */
  cancel(entry: PredictionEntry, delayMs = 0): void {
    const now = this.timings.now();
    if (isTerminal(stateAt(entry, now).status)) return;
    // A cancel already under way stands: asking again neither hurries nor delays it.
    entry.canceledMs ??= now + delayMs;
    this.sweep();
  }

  runningCount(): number {
    const now = this.timings.now();
    return this.store.all().filter((entry) => !isTerminal(stateAt(entry, now).status)).length;
  }

  /** Resolves when the prediction is terminal, after `timeoutMs` of real time, or when `signal` aborts. */
  waitForTerminal(entry: PredictionEntry, timeoutMs: number, signal: AbortSignal): Promise<void> {
    const tracked = this.active.get(entry.id);
    if (!tracked || this.closed || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        tracked.progress.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      signal.addEventListener('abort', done, { once: true });
      tracked.progress.waiters.add(done);
    });
  }

  /** Fires due webhooks and releases holds; then sets the timer for the next change. */
  sweep(): void {
    if (this.closed) return;
    const now = this.timings.now();
    for (const { entry, progress } of this.active.values()) {
      const state = stateAt(entry, now);
      this.notifyWebhook(entry, state, progress);
      if (isTerminal(state.status)) {
        this.active.delete(entry.id);
        for (const release of [...progress.waiters]) release();
      }
    }
    this.schedule(now);
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    for (const { progress } of this.active.values()) for (const release of [...progress.waiters]) release();
    this.active.clear();
  }

  private planOutput(entry: PredictionEntry, request: NewPrediction): void {
    if (request.forcedError !== undefined) {
      entry.modelError = request.forcedError;
      return;
    }
    const plan = request.model.plan(withDefaults(request.input, request.model.schema));
    if (!plan.ok) {
      entry.modelError = plan.error;
      return;
    }
    entry.videoOutputDurationSeconds = plan.videoOutputDurationSeconds;
    if (request.neverFinish) return;
    this.renderer.render(request.model.key, plan.render).then(
      (video) => {
        entry.output = { readyMs: this.timings.now(), path: video.path };
        this.sweep();
      },
      (error: unknown) => {
        if (this.closed) return;
        // An input image the model cannot fetch or open fails it with that reason, as a real model's does.
        const reason = error instanceof InputImageError ? error.message : 'Failed to encode the output video';
        entry.renderFailure = { atMs: this.timings.now(), error: reason };
        this.sweep();
      },
    );
  }

  private notifyWebhook(entry: PredictionEntry, state: PredictionState, progress: Progress): void {
    if (entry.webhook === undefined) return;
    const events = entry.webhookEventsFilter ?? DEFAULT_EVENTS;
    if (!progress.startNotified && state.startedMs !== null) {
      progress.startNotified = true;
      if (events.includes('start') || events.includes('logs')) this.sendWebhook(entry, state.startedMs);
    }
    if (!progress.endNotified && isTerminal(state.status) && state.completedMs !== null) {
      progress.endNotified = true;
      // One message for the end: the output appears as the prediction completes, so the two coincide.
      const wanted =
        events.includes('completed') ||
        events.includes('logs') ||
        (events.includes('output') && state.status === 'succeeded');
      if (wanted) this.sendWebhook(entry, state.completedMs);
    }
  }

  private sendWebhook(entry: PredictionEntry, atMs: number): void {
    this.webhooks.send({
      predictionId: entry.id,
      url: entry.webhook as string,
      body: JSON.stringify(predictionJson(entry, atMs, this.timings.retentionMs)),
      subject: { model: modelName(entry.model), modelKey: entry.model.key },
    });
  }

  private schedule(now: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    let next = Infinity;
    for (const { entry } of this.active.values()) {
      for (const moment of [
        entry.startMs,
        entry.runEndMs,
        entry.deadlineMs ?? Infinity,
        entry.canceledMs ?? Infinity,
      ]) {
        if (moment > now && moment < next) next = moment;
      }
    }
    if (next === Infinity) return;
    this.timer = setTimeout(() => this.sweep(), Math.min(MAX_TIMER_MS, Math.max(1, next - now)));
  }
}
