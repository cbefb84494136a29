import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig, redactConfig } from '../../src/config';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env, '/srv/clipgen');
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('has a default for every setting', () => {
    const config = loadConfig({}, '/srv/clipgen');

    expect(config.temporal).toMatchObject({ address: null, uiUrl: 'http://localhost:8233', searchAttributes: false });
    expect(config.temporal.tls).toBeNull();
    expect(config.clip).toEqual({ pollInterval: null, deadline: null, startLimit: null });
    expect(config.worker).toEqual({
      workflowBundle: 'prebuilt-if-present',
      maxConcurrentActivities: 100,
      maxConcurrentWorkflowTasks: 40,
      workflowThreads: null,
      maxCachedWorkflows: null,
      maxActivitiesPerSecond: null,
      maxTaskQueueActivitiesPerSecond: null,
      shutdownGraceTime: '30s',
      logLevel: 'INFO',
    });
    expect(config.replicate).toMatchObject({ baseUrl: 'https://api.replicate.com/v1', usingSimulator: false });
    expect(config.download.allowPrivateHosts).toBe(false);
  });

  it('reads worker tuning, clip defaults and Temporal TLS files', () => {
    const config = loadConfig(
      {
        NODE_ENV: 'production',
        WORKER_MAX_CONCURRENT_ACTIVITIES: '8',
        WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '16',
        WORKER_WORKFLOW_THREADS: '2',
        WORKER_MAX_CACHED_WORKFLOWS: '250',
        WORKER_MAX_ACTIVITIES_PER_SECOND: '2.5',
        WORKER_MAX_TASK_QUEUE_ACTIVITIES_PER_SECOND: '40',
        WORKER_SHUTDOWN_GRACE_TIME: '2 minutes',
        LOG_LEVEL: 'DEBUG',
        CLIP_POLL_INTERVAL: '5s',
        CLIP_DEADLINE: '300000',
        CLIP_START_LIMIT: '15m',
        TEMPORAL_TLS_CERT_PATH: 'certs/client.pem',
        TEMPORAL_TLS_KEY_PATH: '/etc/clipgen/client.key',
        TEMPORAL_TLS_SERVER_NAME: 'ns.tmprl.cloud',
      },
      '/srv/clipgen',
    );

    expect(config.worker).toEqual({
      workflowBundle: 'prebuilt',
      maxConcurrentActivities: 8,
      maxConcurrentWorkflowTasks: 16,
      workflowThreads: 2,
      maxCachedWorkflows: 250,
      maxActivitiesPerSecond: 2.5,
      maxTaskQueueActivitiesPerSecond: 40,
      shutdownGraceTime: '2 minutes',
      logLevel: 'DEBUG',
    });
    expect(config.clip).toEqual({ pollInterval: '5s', deadline: '300000', startLimit: '15m' });
    expect(config.temporal.tls).toEqual({
      certPath: '/srv/clipgen/certs/client.pem',
      keyPath: '/etc/clipgen/client.key',
      caPath: null,
      serverName: 'ns.tmprl.cloud',
    });
  });

  it('reports one clear problem per bad variable, all at once', () => {
    const problems = problemsOf({
      WORKER_MAX_CONCURRENT_ACTIVITIES: 'many',
      WORKER_WORKFLOW_THREADS: '0',
      WORKER_MAX_ACTIVITIES_PER_SECOND: '-1',
      WORKER_SHUTDOWN_GRACE_TIME: 'soon',
      CLIP_POLL_INTERVAL: '10ms',
      LOG_LEVEL: 'LOUD',
      TEMPORAL_UI_URL: 'localhost:8233',
      TEMPORAL_SEARCH_ATTRIBUTES: 'maybe',
      TEMPORAL_TLS_CERT_PATH: 'client.pem',
    });

    expect(problems).toEqual([
      'TEMPORAL_TLS_CERT_PATH and TEMPORAL_TLS_KEY_PATH must be set together',
      'TEMPORAL_UI_URL must be an http(s) URL',
      'TEMPORAL_SEARCH_ATTRIBUTES must be true or false (got "maybe")',
      expect.stringMatching(/^CLIP_POLL_INTERVAL must be a duration .* \(got "10ms"\)$/),
      'WORKER_MAX_CONCURRENT_ACTIVITIES must be a positive integer (got "many")',
      'WORKER_WORKFLOW_THREADS must be a positive integer (got "0")',
      'WORKER_MAX_ACTIVITIES_PER_SECOND must be a positive number (got "-1")',
      expect.stringMatching(/^WORKER_SHUTDOWN_GRACE_TIME must be a duration .* \(got "soon"\)$/),
      'LOG_LEVEL must be one of TRACE, DEBUG, INFO, WARN, ERROR (got "LOUD")',
    ]);
  });

  it('stands the simulator in for Replicate only while no token is set', () => {
    const simulated = loadConfig({ REPLICATE_SIMULATOR_URL: 'http://simulator:8787/v1' }, '/srv');
    expect(simulated.replicate).toMatchObject({ baseUrl: 'http://simulator:8787/v1', usingSimulator: true });
    expect(simulated.download.allowPrivateHosts).toBe(true);

    const real = loadConfig({ REPLICATE_SIMULATOR_URL: 'http://simulator:8787/v1', REPLICATE_API_TOKEN: 'r8_x' }, '/');
    expect(real.replicate).toMatchObject({
      apiToken: 'r8_x',
      baseUrl: 'https://api.replicate.com/v1',
      usingSimulator: false,
    });
    expect(real.download.allowPrivateHosts).toBe(false);
  });

  it('reads .env from the working directory, under the environment', async () => {
    const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'clipgen-dotenv-'));
    const saved = { ...process.env };
    try {
      await fs.promises.writeFile(
        path.join(dir, '.env'),
        '# a comment\nTEMPORAL_NAMESPACE=from-file\nTEMPORAL_TASK_QUEUE="queue from file"\nLOG_LEVEL=WARN\n',
      );
      process.env.LOG_LEVEL = 'ERROR';
      delete process.env.TEMPORAL_NAMESPACE;
      delete process.env.TEMPORAL_TASK_QUEUE;

      const config = loadConfig(undefined, dir);

      expect(config.temporal.namespace).toBe('from-file');
      expect(config.temporal.taskQueue).toBe('queue from file');
      expect(config.worker.logLevel).toBe('ERROR');
    } finally {
      process.env = saved;
      await fs.promises.rm(dir, { recursive: true, force: true });
    }
  });

  it('redacts every secret', () => {
    const secrets = {
      TEMPORAL_API_KEY: 'temporal-secret-key',
      REPLICATE_API_TOKEN: 'r8_secret_token',
      SUPABASE_SERVICE_ROLE_KEY: 'supabase-secret-key',
      DATABASE_URL: 'postgres://clipgen:db-secret-password@db:5432/clipgen',
    };
    const config = loadConfig({ ...secrets, STORAGE_BACKEND: 'supabase', SUPABASE_URL: 'https://x.supabase.co' }, '/');

    const printed = JSON.stringify(redactConfig(config));

    for (const secret of ['temporal-secret-key', 'r8_secret_token', 'supabase-secret-key', 'db-secret-password']) {
      expect(printed).not.toContain(secret);
    }
    expect(printed).toContain('postgres://clipgen:***@db:5432/clipgen');
  });

  it.each(['info', 'Info', 'INFO', ' debug '])('accepts LOG_LEVEL=%s in any case', (level) => {
    expect(loadConfig({ LOG_LEVEL: level }, '/').worker.logLevel).toBe(level.trim().toUpperCase());
  });

  it.each([
    'postgres://clipgen:clipgen@localhost:5432/clipgen',
    'postgresql://postgres.ref:p%40ss@aws-0-eu-west-1.pooler.supabase.com:5432/postgres?sslmode=require',
    'postgres://user:secret with space@db/clipgen',
    'postgres://user@/clipgen?host=/var/run/postgresql',
    'socket:/var/run/postgresql?db=clipgen',
    '/var/run/postgresql clipgen',
  ])('accepts the DATABASE_URL %s, as the driver reads it', (databaseUrl) => {
    expect(loadConfig({ DATABASE_URL: databaseUrl }, '/').ledger.databaseUrl).toBe(databaseUrl);
  });

  it.each([
    ['an unencoded # in the password', 'postgres://clipgen:hunter#2secret@db:5432/clipgen', /is not a valid URL/],
    ['a port that is no number', 'postgres://clipgen:hunter2secret@db:port/clipgen', /is not a valid URL/],
    ['another scheme', 'mysql://clipgen:hunter2secret@db/clipgen', /must be a postgres:\/\/ or postgresql:\/\/ URL/],
    ['no scheme', 'clipgen:hunter2secret@db/clipgen', /must be a postgres:\/\/ or postgresql:\/\/ URL/],
  ])('refuses a DATABASE_URL with %s as a configuration problem, never printing it', (_what, databaseUrl, problem) => {
    const problems = problemsOf({ DATABASE_URL: databaseUrl });

    expect(problems).toEqual([expect.stringMatching(problem)]);
    expect(problems[0]).toMatch(/^DATABASE_URL .*postgres:\/\/user:password@host:5432\/database/);
    expect(problems[0]).not.toContain('hunter');
  });

  it('reads how long the CLI keeps reconnecting while it follows a clip (CLIPGEN_RECONNECT_TIMEOUT)', () => {
    expect(loadConfig({}, '/').follow).toEqual({ reconnectTimeoutMs: 300_000 });
    expect(loadConfig({ CLIPGEN_RECONNECT_TIMEOUT: '90s' }, '/').follow).toEqual({ reconnectTimeoutMs: 90_000 });
    expect(loadConfig({ CLIPGEN_RECONNECT_TIMEOUT: '2500' }, '/').follow).toEqual({ reconnectTimeoutMs: 2_500 });
    expect(problemsOf({ CLIPGEN_RECONNECT_TIMEOUT: 'forever' })).toEqual([
      expect.stringMatching(/^CLIPGEN_RECONNECT_TIMEOUT must be a duration .* \(got "forever"\)$/),
    ]);
  });
});
