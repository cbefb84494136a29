import { IllegalStateError } from '@temporalio/common';
import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';
import { formatLogLine } from './log-line';

/**
 * Installs the SDK's process-wide logger at `level` (sdk-core follows it), one line per entry on stderr. Must run
 * before the first worker or connection; later calls, or a runtime someone else installed first, leave the existing
 * one in place.
 */
export function installRuntimeLogger(level: LogLevel): void {
  try {
    Runtime.install({
      logger: new DefaultLogger(level, (entry) => process.stderr.write(`${formatLogLine(entry)}\n`)),
      // Core's own lines go through the same logger, so every line has one format.
      telemetryOptions: { logging: { filter: { core: level, other: level }, forward: {} } },
    });
  } catch (error) {
    if (!(error instanceof IllegalStateError)) throw error;
  }
}
