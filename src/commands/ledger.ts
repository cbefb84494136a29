/**
 * The ledger as the commands open it (the configured one, never migrated behind the operator's back), and
 * `clipgen migrate`.
 */
import { loadConfig, type ClipgenConfig } from '../config';
import { createPgliteLedger, createPostgresLedger, openLedger } from '../ledger';
import { passwordsOf, scrubSecrets } from '../ledger/errors';
import { defaultMigrationsDirectory, readMigrationFiles } from '../ledger/migrations';
import type { CostLedger } from '../ledger/types';
import { parseCommandArgs } from './args';

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

export const MIGRATE_USAGE = `Usage: clipgen migrate [--dry-run]

Applies the SQL files of supabase/migrations that the cost ledger has not applied yet, each in its own
transaction, recorded in supabase_migrations.schema_migrations (as the Supabase CLI records them, so
"supabase db push" and this command skip each other's work). The ledger is DATABASE_URL's Postgres, else
PGlite in PGLITE_DIR. On Supabase use the direct or session connection string (port 5432), not the
transaction pooler (6543).

Options:
  --dry-run   list the pending migrations, apply nothing`;

export async function migrateCommand(argv: string[]): Promise<number> {
  const { values } = parseCommandArgs(argv, { 'dry-run': { type: 'boolean' } }, MIGRATE_USAGE);
  if (values.help) {
    console.log(MIGRATE_USAGE);
    return 0;
  }
  const config = loadConfig();
  const ledger = await openUnmigratedLedger(config);
  try {
    const target = describeLedger(config);
    if (values['dry-run']) {
      const pending = await ledger.pendingMigrations();
      console.log(
        pending.length === 0
          ? `${target} is up to date.`
          : `${target} lacks ${pending.length} migration(s):\n${listed(pending)}`,
      );
      return 0;
    }
    const applied = await ledger.migrate();
    console.log(
      applied.length === 0
        ? `${target} is up to date; nothing to apply.`
        : `Applied ${applied.length} migration(s) to ${target}:\n${listed(applied)}`,
    );
    return 0;
  } finally {
    await ledger.close();
  }
}

/** '  20261125160000_cost_ledger' lines. */
function listed(versions: string[]): string {
  const names = new Map(readMigrationFiles(defaultMigrationsDirectory()).map((file) => [file.version, file.name]));
  return versions.map((version) => `  ${version}_${names.get(version) ?? '?'}`).join('\n');
}
