import { buildCompiledCli } from './compiled-cli';
import { workflowBundle } from './workflow-bundle';

/**
 * Jest global setup: says which suites this machine skips, builds the CLI the tests spawn and the workflow bundle the
 * in-process workers share (else the first files to start, in parallel, would each run webpack).
 */
export default async function globalSetup(): Promise<void> {
  announceSkippedSuites();
  await buildCompiledCli();
  await workflowBundle();
}

/**
 * A line, at the top of the run, for each kind of suite this machine cannot run, so that a green run without them
 * says so instead of leaving them out silently (each such suite is also reported as skipped, its name saying why).
 */
function announceSkippedSuites(): void {
  if (!process.env.DATABASE_URL) {
    process.stderr.write(
      '\nPostgreSQL suites are skipped: DATABASE_URL is not set. To run them, point it at a database you can ' +
        'write to (e.g. DATABASE_URL=postgres://clipgen:clipgen@127.0.0.1:5432/clipgen_test; see docs/testing.md).\n',
    );
  }
  if (!process.env.SUPABASE_TEST_URL || !process.env.SUPABASE_TEST_SERVICE_ROLE_KEY) {
    process.stderr.write(
      'The storage contract against a real Supabase Storage is skipped: set SUPABASE_TEST_URL and ' +
        'SUPABASE_TEST_SERVICE_ROLE_KEY to run it (docs/testing.md); it runs against the stand-in either way.\n',
    );
  }
}
