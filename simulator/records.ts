import type { SimulatorContext } from './context';
import { snapshotStats } from './stats';
import type { PredictionRecord, SimulatorStats } from './types';

/** Every prediction, oldest first, as the API would return it now, plus its catalogue key. */
export function predictionRecords(sim: SimulatorContext): PredictionRecord[] {
  return sim.store.all().map((entry) => Object.freeze({ ...sim.engine.json(entry), modelKey: entry.model.key }));
}

export function currentStats(sim: SimulatorContext): SimulatorStats {
  return snapshotStats(sim.stats, sim.engine.runningCount());
}
