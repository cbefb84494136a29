import type { SimulatorStats } from './types';

export type MutableStats = Omit<SimulatorStats, 'running'>;

export function emptyStats(): MutableStats {
  return { predictionsCreated: {}, cancels: 0, requests: {}, webhooksDelivered: 0, webhooksFailed: 0 };
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
  };
}
