import type { LogEntry } from '@temporalio/worker';

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
