import type { ModelId, PredictionSnapshot } from '../../src/domain/types';

/** A succeeded prediction with nothing reported (no output, metrics or times) but what `overrides` give. */
export function predictionSnapshot(model: ModelId, overrides: Partial<PredictionSnapshot> = {}): PredictionSnapshot {
  return {
    id: 'p1',
    model,
    status: 'succeeded',
    outputUrl: null,
    error: null,
    predictTime: null,
    videoOutputDurationSeconds: null,
    createdAt: null,
    startedAt: null,
    completedAt: null,
    dataRemoved: false,
    ...overrides,
  };
}
