import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { openLedger } from '../../src/ledger';
import { freePort } from '../../src/temporal/dev-server';
import { createDevServerEnv } from '../helpers/temporal-env';
import { runCli } from './run-cli';

jest.setTimeout(90_000);

let env: TestWorkflowEnvironment;

beforeAll(async () => {
  env = await createDevServerEnv();
});

afterAll(async () => {
  await env?.teardown();
});

/** `clipgen health`, the compose worker's HEALTHCHECK. */
describe('clipgen health', () => {
  it('exits 0 when Temporal answers for the namespace (and the ledger, embedded or Postgres, is fine)', async () => {
    const databaseUrl = process.env.DATABASE_URL ?? '';
    if (databaseUrl) await (await openLedger({ databaseUrl })).close(); // the worker would have migrated it

    const result = await runCli(['health'], { TEMPORAL_ADDRESS: env.address, DATABASE_URL: databaseUrl });

    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`ok   temporal: ${env.address}, namespace default`);
    expect(result.stdout).toMatch(
      databaseUrl ? /ok {3}ledger: postgres .*schema up to date/ : /ok {3}ledger: embedded/,
    );
  });

  it('exits 1 naming what failed when Temporal is unreachable or the namespace is unknown', async () => {
    const address = `127.0.0.1:${await freePort()}`;
    const unreachable = await runCli(['health', '--timeout', '2'], { TEMPORAL_ADDRESS: address, DATABASE_URL: '' });
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toContain(`FAIL temporal: ${address}, namespace default: `);

    const unknown = await runCli(['health'], { TEMPORAL_ADDRESS: env.address, TEMPORAL_NAMESPACE: 'nope' });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/FAIL temporal: .*namespace nope: .*nope/);
  });

  it('exits 1 without printing the password when Postgres refuses it', async () => {
    const port = await freePort();
    const result = await runCli(['health', '--timeout', '3'], {
      TEMPORAL_ADDRESS: env.address,
      DATABASE_URL: `postgres://clipgen:s3cret-pw@127.0.0.1:${port}/clipgen`,
    });

    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`FAIL ledger: postgres postgres://clipgen:***@127.0.0.1:${port}/clipgen`);
    expect(result.stdout + result.stderr).not.toContain('s3cret-pw');
  });
});
