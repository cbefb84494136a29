import { IllegalStateError } from '@temporalio/common';
import { DefaultLogger, Runtime, type LogEntry, type LogLevel } from '@temporalio/worker';

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

/**
 * One log entry as one line: `2026-11-25T16:50:01.123Z [INFO] message {"jobId":"…","clipIndex":0,…}`, so a line
 * can be grepped by jobId and parsed by log shippers (the SDK's default prints multi-line objects).
 */
export function formatLogLine({ level, timestampNanos, message, meta }: LogEntry): string {
  const time = new Date(Number(timestampNanos / 1_000_000n)).toISOString();
  const attributes = meta && Object.keys(meta).length > 0 ? ` ${JSON.stringify(meta, jsonSafe)}` : '';
  return `${time} [${level}] ${message}${attributes}`;
}

function jsonSafe(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Error) {
    const type = (value as { type?: unknown }).type;
    return { name: value.name, message: value.message, ...(typeof type === 'string' ? { type } : {}) };
  }
  return value;
}
