import type { SimulatorContext } from './context';
import type { OutputStats, PredictionRecord, SimulatorStats } from './types';

export type MutableStats = Omit<SimulatorStats, 'running'>;

export function emptyStats(): MutableStats {
  return { predictionsCreated: {}, cancels: 0, requests: {}, webhooksDelivered: 0, webhooksFailed: 0, outputs: {} };
}

/** The output counters of one prediction, created on first use. */
export function outputStats(stats: MutableStats, predictionId: string): OutputStats {
  stats.outputs[predictionId] ??= { requests: 0, rangeRequests: 0, bytes: 0 };
  return stats.outputs[predictionId];
}

export function countRequest(stats: MutableStats, endpoint: string): void {
  stats.requests[endpoint] = (stats.requests[endpoint] ?? 0) + 1;
}

/** A copy, so callers can compare snapshots taken at different times. */
export function snapshotStats(stats: MutableStats, running: number): SimulatorStats {
  return {
    predictionsCreated: { ...stats.predictionsCreated },
    cancels: stats.cancels,
    running,
    requests: { ...stats.requests },
    webhooksDelivered: stats.webhooksDelivered,
    webhooksFailed: stats.webhooksFailed,
    outputs: Object.fromEntries(Object.entries(stats.outputs).map(([id, output]) => [id, { ...output }])),
  };
}

/** Every prediction, oldest first, as the API would return it now, plus its catalogue key. */
export function predictionRecords(sim: SimulatorContext): PredictionRecord[] {
  return sim.store.all().map((entry) => Object.freeze({ ...sim.engine.json(entry), modelKey: entry.model.key }));
}

export function currentStats(sim: SimulatorContext): SimulatorStats {
  return snapshotStats(sim.stats, sim.engine.runningCount());
}
