import { Connection } from '@temporalio/client';
import { redactUrl, type ClipgenConfig } from '../config';
import { openLedger } from '../ledger';
import { temporalConnectionOptions } from '../temporal/connection-options';

export interface HealthResult {
  name: string;
  ok: boolean;
  /** What was checked and, on failure, why it failed; never a secret. */
  detail: string;
  ms: number;
}

/** Checks, each within `timeoutMs`, that Temporal answers for the namespace and that a Postgres ledger opens. */
export async function checkHealth(config: ClipgenConfig, timeoutMs: number): Promise<HealthResult[]> {
  return Promise.all([checkTemporal(config, timeoutMs), checkLedger(config, timeoutMs)]);
}

async function checkTemporal(config: ClipgenConfig, timeoutMs: number): Promise<HealthResult> {
  const options = temporalConnectionOptions(config.temporal);
  const what = `${options.address}, namespace ${config.temporal.namespace}`;
  return timed('temporal', what, timeoutMs, async () => {
    const connection = await Connection.connect({ ...options, connectTimeout: timeoutMs });
    try {
      await connection.withDeadline(Date.now() + timeoutMs, () =>
        connection.workflowService.describeNamespace({ namespace: config.temporal.namespace }),
      );
    } finally {
      await connection.close();
    }
  });
}

async function checkLedger(config: ClipgenConfig, timeoutMs: number): Promise<HealthResult> {
  const { databaseUrl } = config.ledger;
  if (!databaseUrl) {
    return { name: 'ledger', ok: true, detail: `embedded PGlite in ${config.ledger.pgliteDir} (not opened)`, ms: 0 };
  }
  return timed('ledger', `postgres ${redactUrl(databaseUrl)}, schema up to date`, timeoutMs, async () => {
    // Read-only: fails when migrations are pending rather than applying them (the worker does at start).
    const ledger = await openLedger({ databaseUrl, migrate: false });
    await ledger.close();
  });
}

async function timed(name: string, what: string, timeoutMs: number, check: () => Promise<void>): Promise<HealthResult> {
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([check(), timeout]);
    return { name, ok: true, detail: what, ms: Date.now() - started };
  } catch (error) {
    return { name, ok: false, detail: `${what}: ${describeError(error)}`, ms: Date.now() - started };
  } finally {
    clearTimeout(timer);
  }
}

function describeError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  // A driver's message may quote the connection string it was given.
  return message.replace(/\b(postgres(?:ql)?:\/\/[^:\s/]+:)[^@\s]+@/g, '$1***@').split('\n')[0];
}
