import { installRuntimeLogger } from '../../src/temporal/runtime-logger';

/** Keeps the SDK's INFO/WARN chatter (expected activity failures, worker state) out of test output. */
export function installQuietRuntime(): void {
  installRuntimeLogger('ERROR');
}
