import { IllegalStateError } from '@temporalio/common';
import { DefaultLogger, Runtime } from '@temporalio/worker';

let installed = false;

/**
 * Keeps the SDK's INFO chatter out of test output: SDK logs at WARN, sdk-core at ERROR (core warns on every worker
 * that the time-skipping server lacks a heartbeat capability). Must run before the first worker or environment.
 */
export function installQuietRuntime(): void {
  if (installed) return;
  installed = true;
  try {
    Runtime.install({
      logger: new DefaultLogger('ERROR'),
      telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' } } },
    });
  } catch (error) {
    // Already installed or instantiated in this process (e.g. by a test's own setup): keep that runtime.
    if (!(error instanceof IllegalStateError)) throw error;
  }
}
