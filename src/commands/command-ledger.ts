/** The ledger as the commands open it: the configured one, never migrated behind the operator's back. */
import type { ClipgenConfig } from '../config';
import { createPgliteLedger, createPostgresLedger, openLedger } from '../ledger';
import { passwordsOf, scrubSecrets } from '../ledger/errors';
import type { CostLedger } from '../ledger/types';

/**
 * Opens DATABASE_URL's Postgres, else the PGlite directory. Fails with a message saying what to do when the
 * schema lacks migrations (unless `migrate`) or a worker holds the PGlite directory (one process at a time).
 */
export function openCommandLedger(config: ClipgenConfig, options: { migrate?: boolean } = {}): Promise<CostLedger> {
  return openLedger({
    databaseUrl: config.ledger.databaseUrl ?? undefined,
    pgliteDir: config.ledger.pgliteDir,
    migrate: options.migrate ?? false,
  });
}

/** The configured ledger exactly as it is: no migration applied, none checked (for `clipgen migrate`). */
export async function openUnmigratedLedger(config: ClipgenConfig): Promise<CostLedger> {
  const url = config.ledger.databaseUrl;
  return url
    ? createPostgresLedger({ connectionString: url })
    : createPgliteLedger({ dataDir: config.ledger.pgliteDir });
}

/** 'Postgres postgres://clipgen:***@db:5432/clipgen' or 'PGlite in /srv/.clipgen/ledger'. */
export function describeLedger(config: ClipgenConfig): string {
  const url = config.ledger.databaseUrl;
  return url ? `Postgres ${scrubSecrets(url, passwordsOf(url))}` : `PGlite in ${config.ledger.pgliteDir}`;
}

/** Runs `work` with the ledger and always closes it (a PGlite directory's lock is released on close). */
export async function withCommandLedger<T>(
  config: ClipgenConfig,
  work: (ledger: CostLedger) => Promise<T>,
  options: { migrate?: boolean } = {},
): Promise<T> {
  const ledger = await openCommandLedger(config, options);
  try {
    return await work(ledger);
  } finally {
    await ledger.close();
  }
}
