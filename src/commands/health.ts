import { loadConfig } from '../config';
import { checkHealth } from '../health/check-health';
import { parseCommandArgs, parseNumberFlag, UsageError } from './args';

export const HEALTH_USAGE = `Usage: clipgen health [--timeout S]

Checks what the worker needs: the Temporal cluster at TEMPORAL_ADDRESS answers for TEMPORAL_NAMESPACE, and the
Postgres ledger at DATABASE_URL opens (an embedded PGlite ledger belongs to its one process and is not opened).
Exits 0 when everything answers within --timeout seconds (default 5), 1 otherwise; usable as a Docker HEALTHCHECK.`;

export async function healthCommand(argv: string[]): Promise<number> {
  const { values } = parseCommandArgs(argv, { timeout: { type: 'string' } }, HEALTH_USAGE);
  if (values.help) {
    console.log(HEALTH_USAGE);
    return 0;
  }
  const timeoutSeconds = parseNumberFlag(values.timeout, '--timeout') ?? 5;
  if (timeoutSeconds <= 0) throw new UsageError('--timeout must be positive');
  const results = await checkHealth(loadConfig(), timeoutSeconds * 1000);
  for (const result of results) {
    const line = `${result.ok ? 'ok  ' : 'FAIL'} ${result.name}: ${result.detail} (${result.ms} ms)`;
    (result.ok ? process.stdout : process.stderr).write(`${line}\n`);
  }
  return results.every((result) => result.ok) ? 0 : 1;
}
