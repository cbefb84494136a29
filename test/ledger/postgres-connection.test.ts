import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { ledgerFailure, scrubSecrets } from '../../src/ledger/errors';
import { createPostgresDatabase, createPostgresLedger } from '../../src/ledger/postgres';
import { describePostgres } from './backends';
import { failureOf } from '../helpers/failures';

const PASSWORD = 'S3cr3t:p@ss/word%';
const urlWithPassword = (port: number) =>
  `postgres://clipgen:${encodeURIComponent(PASSWORD)}@127.0.0.1:${port}/clipgen_test`;

async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as net.AddressInfo).port;
}

async function closedPort(): Promise<number> {
  const server = net.createServer();
  const port = await listen(server);
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function expectNoPassword(error: unknown): void {
  const shown = JSON.stringify({ message: (error as Error).message, stack: (error as Error).stack });
  expect(shown).not.toContain(PASSWORD);
  expect(shown).not.toContain(encodeURIComponent(PASSWORD));
}

describe('a Postgres ledger that cannot be reached', () => {
  it('fails every call as RetryableError, without the password', async () => {
    const ledger = createPostgresLedger({ connectionString: urlWithPassword(await closedPort()) });
    try {
      for (const call of [ledger.migrate(), ledger.ensureJob(randomUUID()), ledger.getJob(randomUUID())]) {
        const failure = await failureOf(call);
        expect(failure).toMatchObject({ type: 'RetryableError', nonRetryable: false });
        expect(failure.message).toMatch(/ECONNREFUSED/);
        expectNoPassword(failure);
      }
    } finally {
      await ledger.close();
    }
  });

  it('gives up on a server that never answers after the connection timeout', async () => {
    const silent = net.createServer(() => undefined);
    const port = await listen(silent);
    const ledger = createPostgresLedger({ connectionString: urlWithPassword(port), connectionTimeoutMs: 300 });
    const started = Date.now();
    try {
      const failure = await failureOf(ledger.ensureJob(randomUUID()));
      expect(failure).toMatchObject({ type: 'RetryableError', nonRetryable: false });
      expect(failure.message).toMatch(/timeout/i);
      expectNoPassword(failure);
      expect(Date.now() - started).toBeLessThan(3_000);
    } finally {
      await ledger.close();
      silent.close();
    }
  });
});

describe('scrubSecrets', () => {
  it.each([
    ['a known secret', 'failed for S3cr3t:p@ss/word%', 'failed for ***'],
    [
      'a URL password',
      'cannot parse postgres://user:hunter2@db.example:5432/x',
      'cannot parse postgres://user:***@db.example:5432/x',
    ],
    ['a keyword password', "host=db password='hunter 2' user=u", 'host=db password=*** user=u'],
    [
      'a query-string password',
      'postgres://db/x?user=u&password=hunter2&ssl=1',
      'postgres://db/x?user=u&password=***&ssl=1',
    ],
  ])('removes %s', (_, text, expected) => {
    expect(scrubSecrets(text, [PASSWORD])).toBe(expected);
  });
});

describePostgres('a reachable Postgres ledger', (url) => {
  it('fails a wrong password as AuthenticationError, without the password', async () => {
    const wrong = new URL(url);
    wrong.password = encodeURIComponent(PASSWORD);
    const ledger = createPostgresLedger({ connectionString: wrong.toString() });
    try {
      const failure = await failureOf(ledger.getJob(randomUUID()));
      expect(failure).toMatchObject({ type: 'AuthenticationError', nonRetryable: true });
      expect(failure.message).toMatch(/SQLSTATE 28P01/);
      expectNoPassword(failure);
    } finally {
      await ledger.close();
    }
  });

  it('cancels a statement past its timeout as RetryableError, and the pool stays usable', async () => {
    const db = createPostgresDatabase({ connectionString: url, statementTimeoutMs: 200, max: 1 });
    try {
      const started = Date.now();
      const slow = db.transaction((session) => session.query('select pg_sleep(5)'));
      const failure = await failureOf(slow.catch((error: unknown) => Promise.reject(ledgerFailure(error, 'sleep'))));
      expect(failure).toMatchObject({ type: 'RetryableError', nonRetryable: false });
      expect(failure.message).toMatch(/SQLSTATE 57014/);
      expect(Date.now() - started).toBeLessThan(2_000);

      const [row] = await db.transaction((session) => session.query<{ ok: number }>('select 1 as ok'));
      expect(row).toEqual({ ok: 1 });
    } finally {
      await db.close();
    }
  });

  it('leaves no session state behind: the timeout is local to its transaction', async () => {
    const db = createPostgresDatabase({ connectionString: url, statementTimeoutMs: 1_234, max: 1 });
    try {
      const read = () =>
        db.transaction((session) =>
          session.query<{ timeout: string }>(`select current_setting('statement_timeout') as timeout`),
        );
      expect(await read()).toEqual([{ timeout: '1234ms' }]);
      const longer = await db.transaction(
        (session) => session.query<{ timeout: string }>(`select current_setting('statement_timeout') as timeout`),
        { statementTimeoutMs: 60_000 },
      );
      expect(longer).toEqual([{ timeout: '1min' }]);
      // Same single pooled connection, outside any of our transactions:
      const [outside] = await db.transaction(async (session) => {
        await session.exec('commit');
        const rows = await session.query<{ timeout: string }>(`select current_setting('statement_timeout') as timeout`);
        await session.exec('begin');
        return rows;
      });
      expect(outside.timeout).toBe('0');
    } finally {
      await db.close();
    }
  });
});
