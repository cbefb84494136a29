import { IllegalStateError } from '@temporalio/common';
import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';

/**
 * Installs the SDK's process-wide logger at `level` (sdk-core follows it). Must run before the first worker or
 * connection; later calls, or a runtime someone else installed first, leave the existing one in place.
 */
export function installRuntimeLogger(level: LogLevel): void {
  try {
    Runtime.install({
      logger: new DefaultLogger(level),
      telemetryOptions: { logging: { filter: { core: level, other: level } } },
    });
  } catch (error) {
    if (!(error instanceof IllegalStateError)) throw error;
  }
}
