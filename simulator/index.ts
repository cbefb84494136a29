export { startSimulator } from './simulator';
export { runSimulatorCommand, parseSimulatorArgs, UsageError } from './cli';
export type { Simulator, SimulatorOptions, SimulatorStats, PredictionRecord, PredictionJson } from './types';
export type { Fault, FaultController, FaultRoute, FaultKind } from './faults';
export type { SchemaDrift, SchemaDriftController, SchemaDriftKind } from './models/drift';
export { signWebhook } from './webhooks/dispatcher';
export { SIMULATED_MODELS } from './models/catalogue';
