import fs from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';
import type { Duration } from '@temporalio/common';
import type { PriceOverrides } from './domain/catalogue';
import { durationToMs as msToNumber } from './domain/duration';
import { parsePriceOverrides } from './domain/pricing';

export type Env = Record<string, string | undefined>;

/** Everything clipgen reads from the environment, validated once at start. */
export interface ClipgenConfig {
  dataDir: string;
  temporal: {
    /** Unset means "start an embedded dev server" for the demo, and localhost:7233 for the worker. */
    address: string | null;
    namespace: string;
    taskQueue: string;
    apiKey: string | null;
    /** TLS settings beyond an API key's plain TLS; null means none. */
    tls: TemporalTlsFiles | null;
    /** Base of the Web UI links the CLI prints. */
    uiUrl: string;
    /** Set ClipJobId/ClipIndex/ClipModel when starting clips (they must be registered on the cluster). */
    searchAttributes: boolean;
  };
  replicate: {
    apiToken: string | null;
    baseUrl: string;
    requestTimeoutMs: number;
    /** True when REPLICATE_SIMULATOR_URL stands in for Replicate because no token is set. */
    usingSimulator: boolean;
  };
  /** Defaults the CLI puts on the clips it starts; null leaves the workflow's own default. */
  clip: {
    pollInterval: Duration | null;
    deadline: Duration | null;
    /** How long a prediction may stay `starting` (queued or booting) before the fallback is tried. */
    startLimit: Duration | null;
  };
  /** How `generate`, `watch` and `demo` follow a clip. */
  follow: {
    /** How long to keep reconnecting to a cluster that stopped answering before giving up (exit code 4). */
    reconnectTimeoutMs: number;
  };
  worker: WorkerTuning;
  storage: {
    backend: 'local' | 'supabase';
    bucket: string;
    localDir: string;
    supabaseUrl: string | null;
    supabaseServiceRoleKey: string | null;
    supabase: SupabaseStorageSettings;
  };
  ledger: {
    databaseUrl: string | null;
    pgliteDir: string;
    /** Apply pending migrations when the worker starts; when false it only checks that none are pending. */
    migrateOnStart: boolean;
  };
  /** USD unit prices replacing the catalogue's, per model (CLIPGEN_PRICE_OVERRIDES). */
  priceOverrides: PriceOverrides;
  download: {
    maxBytes: number;
    allowPrivateHosts: boolean;
  };
  probeTimeoutMs: number;
  /** Where outputs are fetched to on the worker's disk, to be probed and stored (SPOOL_DIR). */
  spoolDir: string;
  webhooks: WebhookConfig;
}

/** TLS to Temporal: a client certificate (mTLS), and/or a private CA or server name for the server's certificate. */
export interface TemporalTlsFiles {
  certPath: string | null;
  keyPath: string | null;
  /** Server root CA; null trusts the system's CAs (Temporal Cloud). */
  caPath: string | null;
  serverName: string | null;
}

export interface WorkerTuning {
  /**
   * NODE_ENV=production requires the workflow bundle `npm run build` wrote beside the compiled code; otherwise that
   * bundle is loaded when it is there (the built CLI) and the workflows are bundled on start when it is not (src/).
   */
  workflowBundle: 'prebuilt' | 'prebuilt-if-present' | 'bundle-on-start';
  maxConcurrentActivities: number;
  maxConcurrentWorkflowTasks: number;
  /** Threads that run workflow code; null means the SDK's default (one). */
  workflowThreads: number | null;
  /** Workflows kept in memory between their tasks; null means the SDK's default, sized from the heap limit. */
  maxCachedWorkflows: number | null;
  /** Per worker; null means unlimited. */
  maxActivitiesPerSecond: number | null;
  /** Over all workers of the task queue (the server enforces it); keeps the fleet under Replicate's rate limits. */
  maxTaskQueueActivitiesPerSecond: number | null;
  /** How long running activities may finish after SIGINT/SIGTERM before they are cancelled. */
  shutdownGraceTime: Duration;
  logLevel: 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
}

/** Supabase Storage settings beyond URL, key and bucket (README "Storage (Supabase)"). */
export interface SupabaseStorageSettings {
  /** What storeClip returns: the bucket's public URL, or a signed URL (a private bucket needs signed). */
  urlMode: 'public' | 'signed';
  signedUrlTtlSeconds: number;
  /** Create the bucket when the worker starts and it is missing (development; off in production). */
  createBucket: boolean;
  /** Clips up to this size are buffered and sent in one request; larger ones use the resumable upload. */
  standardUploadMaxBytes: number;
  cacheControlSeconds: number;
  /** Per HTTP request to Storage (a 6 MB chunk included). */
  requestTimeoutMs: number;
}

/** The standard upload is buffered in memory, so its threshold stays small (Supabase recommends TUS above 6 MB). */
const MAX_STANDARD_UPLOAD_BYTES = 50 * 1024 * 1024;

function readSupabaseStorageSettings(read: EnvReader, problems: string[]): SupabaseStorageSettings {
  const standardUploadMaxBytes = read.positiveInteger('STORAGE_STANDARD_UPLOAD_MAX_BYTES') ?? 6 * 1024 * 1024;
  if (standardUploadMaxBytes > MAX_STANDARD_UPLOAD_BYTES) {
    problems.push(`STORAGE_STANDARD_UPLOAD_MAX_BYTES must be at most ${MAX_STANDARD_UPLOAD_BYTES} (50 MiB)`);
  }
  return {
    urlMode: read.oneOf('STORAGE_URL_MODE', ['public', 'signed'] as const) ?? 'signed',
    signedUrlTtlSeconds: read.positiveInteger('STORAGE_SIGNED_URL_TTL_SECONDS') ?? 24 * 60 * 60,
    createBucket: read.boolean('STORAGE_CREATE_BUCKET') ?? false,
    standardUploadMaxBytes,
    cacheControlSeconds: read.positiveInteger('STORAGE_CACHE_CONTROL_SECONDS') ?? 3600,
    requestTimeoutMs: read.positiveInteger('STORAGE_REQUEST_TIMEOUT_MS') ?? 60_000,
  };
}

/** Replicate webhooks (README "Webhooks"): on when WEBHOOK_PUBLIC_URL is set. */
export interface WebhookConfig {
  /** Where Replicate reaches the receiver (https in production); null means plain polling. */
  publicUrl: string | null;
  /** `whsec_…`; null means "fetch it from Replicate when the receiver starts". Never printed. */
  secret: string | null;
  host: string;
  port: number;
  /**
   * The longest a workflow waits for its webhook before a safety-net poll; null (the default): it polls only when it
   * must act anyway, at the prediction's start limit and its deadline.
   */
  fallbackPollIntervalMs: number | null;
  /** Run the receiver inside each worker process rather than as `clipgen webhooks`. */
  inWorker: boolean;
}

export const DEFAULT_WEBHOOK_PORT = 8788;
const SECRET_SHAPE = /^whsec_[A-Za-z0-9+/]+={0,2}$/;

function readWebhookConfig(read: EnvReader, problems: string[]): WebhookConfig {
  const publicUrl = read.url('WEBHOOK_PUBLIC_URL');
  const secret = read.string('REPLICATE_WEBHOOK_SECRET');
  if (secret !== null && !SECRET_SHAPE.test(secret)) {
    problems.push('REPLICATE_WEBHOOK_SECRET must be the whsec_… key from GET /v1/webhooks/default/secret');
  }
  const port = read.positiveInteger('WEBHOOK_PORT') ?? DEFAULT_WEBHOOK_PORT;
  if (port > 65_535) problems.push(`WEBHOOK_PORT must be a TCP port (got ${port})`);
  const interval = read.duration('WEBHOOK_FALLBACK_POLL_INTERVAL', { minMs: 1000, maxMs: 3_600_000 });
  const inWorker = read.boolean('WEBHOOKS_IN_WORKER') ?? false;
  if (inWorker && publicUrl === null) {
    problems.push('WEBHOOKS_IN_WORKER=true needs WEBHOOK_PUBLIC_URL (the address Replicate posts to)');
  }
  return {
    publicUrl,
    secret: secret !== null && SECRET_SHAPE.test(secret) ? secret : null,
    host: read.string('WEBHOOK_HOST') ?? '127.0.0.1',
    port,
    fallbackPollIntervalMs: durationMs(interval),
    inWorker,
  };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Reads and validates the configuration; every problem is reported at once, naming its variable. Without `env`,
 * reads the process environment over `<cwd>/.env` (when present).
 */
export function loadConfig(env?: Env, cwd: string = process.cwd()): ClipgenConfig {
  const problems: string[] = [];
  const read = new EnvReader(env ?? withDotEnv(process.env, path.join(cwd, '.env')), problems);
  const dataDir = path.resolve(cwd, read.string('CLIPGEN_DATA_DIR') ?? '.clipgen');

  const config: ClipgenConfig = {
    dataDir,
    temporal: {
      address: read.string('TEMPORAL_ADDRESS'),
      namespace: read.string('TEMPORAL_NAMESPACE') ?? 'default',
      taskQueue: read.string('TEMPORAL_TASK_QUEUE') ?? 'video-generator',
      apiKey: read.string('TEMPORAL_API_KEY'),
      tls: readTemporalTls(read, cwd, problems),
      uiUrl: read.url('TEMPORAL_UI_URL') ?? 'http://localhost:8233',
      searchAttributes: read.boolean('TEMPORAL_SEARCH_ATTRIBUTES') ?? false,
    },
    replicate: readReplicate(read),
    clip: {
      pollInterval: read.duration('CLIP_POLL_INTERVAL', { minMs: 100, maxMs: 3_600_000 }) as Duration | null,
      deadline: read.duration('CLIP_DEADLINE', { minMs: 1000, maxMs: 86_400_000 }) as Duration | null,
      startLimit: read.duration('CLIP_START_LIMIT', { minMs: 1000, maxMs: 21_600_000 }) as Duration | null,
    },
    follow: {
      reconnectTimeoutMs:
        durationMs(read.duration('CLIPGEN_RECONNECT_TIMEOUT', { minMs: 0, maxMs: 86_400_000 })) ?? 300_000,
    },
    worker: {
      workflowBundle: read.string('NODE_ENV') === 'production' ? 'prebuilt' : 'prebuilt-if-present',
      maxConcurrentActivities: read.positiveInteger('WORKER_MAX_CONCURRENT_ACTIVITIES') ?? 100,
      maxConcurrentWorkflowTasks: read.positiveInteger('WORKER_MAX_CONCURRENT_WORKFLOW_TASKS') ?? 40,
      workflowThreads: read.positiveInteger('WORKER_WORKFLOW_THREADS'),
      maxCachedWorkflows: read.positiveInteger('WORKER_MAX_CACHED_WORKFLOWS'),
      maxActivitiesPerSecond: read.positiveNumber('WORKER_MAX_ACTIVITIES_PER_SECOND'),
      maxTaskQueueActivitiesPerSecond: read.positiveNumber('WORKER_MAX_TASK_QUEUE_ACTIVITIES_PER_SECOND'),
      shutdownGraceTime: (read.duration('WORKER_SHUTDOWN_GRACE_TIME', { minMs: 0, maxMs: 3_600_000 }) ??
        '30s') as Duration,
      logLevel:
        read.oneOf('LOG_LEVEL', ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'] as const, { anyCase: true }) ?? 'INFO',
    },
    storage: {
      backend: read.oneOf('STORAGE_BACKEND', ['local', 'supabase'] as const) ?? 'local',
      bucket: read.string('STORAGE_BUCKET') ?? 'video-clips',
      localDir: path.resolve(cwd, read.string('LOCAL_STORAGE_DIR') ?? path.join(dataDir, 'storage')),
      supabaseUrl: read.url('SUPABASE_URL'),
      supabaseServiceRoleKey: read.string('SUPABASE_SERVICE_ROLE_KEY'),
      supabase: readSupabaseStorageSettings(read, problems),
    },
    ledger: {
      databaseUrl: read.postgresUrl('DATABASE_URL'),
      pgliteDir: path.resolve(cwd, read.string('PGLITE_DIR') ?? path.join(dataDir, 'ledger')),
      migrateOnStart: read.boolean('LEDGER_MIGRATE_ON_START') ?? true,
    },
    priceOverrides: readPriceOverrides(read.string('CLIPGEN_PRICE_OVERRIDES'), problems),
    download: {
      maxBytes: read.positiveInteger('DOWNLOAD_MAX_BYTES') ?? 2 * 1024 ** 3,
      // The simulator serves its outputs from a private address (a compose service, 127.0.0.1).
      allowPrivateHosts: read.boolean('DOWNLOAD_ALLOW_PRIVATE_HOSTS') ?? usingSimulator(read),
    },
    probeTimeoutMs: read.positiveInteger('PROBE_TIMEOUT_MS') ?? 60_000,
    spoolDir: path.resolve(cwd, read.string('SPOOL_DIR') ?? path.join(dataDir, 'spool')),
    webhooks: readWebhookConfig(read, problems),
  };

  if (config.storage.backend === 'supabase') {
    if (!config.storage.supabaseUrl) problems.push('SUPABASE_URL is required when STORAGE_BACKEND=supabase');
    if (!config.storage.supabaseServiceRoleKey) {
      problems.push('SUPABASE_SERVICE_ROLE_KEY is required when STORAGE_BACKEND=supabase');
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/** A duration EnvReader.duration accepted, in milliseconds. */
function durationMs(value: string | null): number | null {
  if (value === null) return null;
  return msToNumber((/^\d+(\.\d+)?$/.test(value) ? Number(value) : value) as Duration);
}

/**
 * The environment with a `.env` file's variables underneath it: a variable set in the environment (even to an empty
 * string) wins over the file, as with `node --env-file`. A missing file changes nothing.
 */
function withDotEnv(env: Env, file: string): Env {
  let content: string;
  try {
    content = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return env;
    throw error;
  }
  return { ...parseEnv(content), ...env };
}

export const PRICE_OVERRIDES_VARIABLE = 'CLIPGEN_PRICE_OVERRIDES';

/** `svd=0.001525,kling-v2.1=0.07` → overrides; each mistake is added to `problems`, naming the variable. */
function readPriceOverrides(text: string | null, problems: string[]): PriceOverrides {
  if (text === null) return {};
  const parsed = parsePriceOverrides(text);
  problems.push(...parsed.problems.map((problem) => `${PRICE_OVERRIDES_VARIABLE}: ${problem}`));
  return parsed.overrides;
}

function readTemporalTls(read: EnvReader, cwd: string, problems: string[]): TemporalTlsFiles | null {
  const certPath = read.string('TEMPORAL_TLS_CERT_PATH');
  const keyPath = read.string('TEMPORAL_TLS_KEY_PATH');
  const caPath = read.string('TEMPORAL_TLS_CA_PATH');
  const serverName = read.string('TEMPORAL_TLS_SERVER_NAME');
  if (!certPath !== !keyPath) {
    problems.push('TEMPORAL_TLS_CERT_PATH and TEMPORAL_TLS_KEY_PATH must be set together');
    return null;
  }
  if (!certPath && !caPath && !serverName) return null;
  const resolve = (file: string | null) => (file ? path.resolve(cwd, file) : null);
  return { certPath: resolve(certPath), keyPath: resolve(keyPath), caPath: resolve(caPath), serverName };
}

/** Replicate, or the simulator at REPLICATE_SIMULATOR_URL when no token is set (the compose stack's default). */
function readReplicate(read: EnvReader): ClipgenConfig['replicate'] {
  const apiToken = read.string('REPLICATE_API_TOKEN');
  const baseUrl = read.url('REPLICATE_BASE_URL') ?? 'https://api.replicate.com/v1';
  const requestTimeoutMs = read.positiveInteger('REPLICATE_REQUEST_TIMEOUT_MS') ?? 30_000;
  const simulatorUrl = read.url('REPLICATE_SIMULATOR_URL');
  if (apiToken || !simulatorUrl) return { apiToken, baseUrl, requestTimeoutMs, usingSimulator: false };
  // The simulator wants a bearer token but accepts any.
  return { apiToken: 'clipgen-simulator', baseUrl: simulatorUrl, requestTimeoutMs, usingSimulator: true };
}

function usingSimulator(read: EnvReader): boolean {
  return !read.string('REPLICATE_API_TOKEN') && !!read.string('REPLICATE_SIMULATOR_URL');
}

/** A copy that is safe to print: secrets are replaced by whether they are set. */
export function redactConfig(config: ClipgenConfig): unknown {
  const secret = (value: string | null) => (value ? '(set)' : '(not set)');
  return {
    ...config,
    temporal: { ...config.temporal, apiKey: secret(config.temporal.apiKey) },
    replicate: { ...config.replicate, apiToken: secret(config.replicate.apiToken) },
    storage: { ...config.storage, supabaseServiceRoleKey: secret(config.storage.supabaseServiceRoleKey) },
    ledger: { ...config.ledger, databaseUrl: config.ledger.databaseUrl ? redactUrl(config.ledger.databaseUrl) : null },
    webhooks: { ...config.webhooks, secret: secret(config.webhooks.secret) },
  };
}

/** A URL with its password replaced by ***, safe to print. */
export function redactUrl(value: string): string {
  try {
    const url = new URL(value);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return '(set, unparseable)';
  }
}

/** Why pg could not use `value` as a connection string, or null when it can (its parse, stricter about the form). */
function postgresUrlProblem(value: string): string | null {
  if (value.startsWith('/')) return null;
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(value)?.[1]?.toLowerCase();
  if (scheme !== 'postgres' && scheme !== 'postgresql' && scheme !== 'socket') {
    return 'must be a postgres:// or postgresql:// URL';
  }
  // pg encodes spaces and stray % signs, then parses with WHATWG URL, retrying with a placeholder for an empty host.
  const encoded = / |%[^a-f0-9]|%[a-f0-9][^a-f0-9]/i.test(value)
    ? encodeURI(value).replace(/%25(\d\d)/g, '%$1')
    : value;
  for (const candidate of [encoded, encoded.replace('@/', '@___DUMMY___/')]) {
    try {
      new URL(candidate);
      return null;
    } catch {
      // the next candidate, then the problem
    }
  }
  return 'is not a valid URL (a bad port, or a character such as @ # / ? in the user or password that is not percent-encoded, e.g. @ as %40)';
}

class EnvReader {
  constructor(
    private readonly env: Env,
    private readonly problems: string[],
  ) {}

  string(name: string): string | null {
    const value = this.env[name]?.trim();
    return value ? value : null;
  }

  url(name: string): string | null {
    const value = this.string(name);
    if (value === null) return null;
    try {
      const url = new URL(value);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http(s)');
      return value.replace(/\/+$/, '');
    } catch {
      this.problems.push(`${name} must be an http(s) URL`);
      return null;
    }
  }

  /**
   * A Postgres connection string as the ledger's driver (pg) reads it: a postgres:// or postgresql:// URL (or pg's
   * socket: and /socket/dir forms). The value is never echoed: it may hold a password.
   */
  postgresUrl(name: string): string | null {
    const value = this.string(name);
    if (value === null) return null;
    const problem = postgresUrlProblem(value);
    if (problem === null) return value;
    this.problems.push(
      `${name} ${problem}; expected a URL such as postgres://user:password@host:5432/database (the value is not ` +
        'shown: it may hold a password)',
    );
    return null;
  }

  positiveInteger(name: string): number | null {
    const value = this.string(name);
    if (value === null) return null;
    const number = Number(value);
    if (!Number.isInteger(number) || number <= 0) {
      this.problems.push(`${name} must be a positive integer (got "${value}")`);
      return null;
    }
    return number;
  }

  positiveNumber(name: string): number | null {
    const value = this.string(name);
    if (value === null) return null;
    const number = Number(value);
    if (!Number.isFinite(number) || number <= 0) {
      this.problems.push(`${name} must be a positive number (got "${value}")`);
      return null;
    }
    return number;
  }

  /** A duration such as "30s" or "2 minutes" (or milliseconds), within limits. */
  duration(name: string, limits: { minMs: number; maxMs: number }): string | null {
    const value = this.string(name);
    if (value === null) return null;
    let milliseconds: number;
    try {
      milliseconds = msToNumber((/^\d+(\.\d+)?$/.test(value) ? Number(value) : value) as Duration);
    } catch {
      milliseconds = NaN;
    }
    if (!Number.isFinite(milliseconds) || milliseconds < limits.minMs || milliseconds > limits.maxMs) {
      this.problems.push(
        `${name} must be a duration such as "30s" or "2 minutes", from ${limits.minMs} ms to ${limits.maxMs} ms (got "${value}")`,
      );
      return null;
    }
    return value;
  }

  boolean(name: string): boolean | null {
    const value = this.string(name)?.toLowerCase();
    if (value === undefined || value === null) return null;
    if (['1', 'true', 'yes'].includes(value)) return true;
    if (['0', 'false', 'no'].includes(value)) return false;
    this.problems.push(`${name} must be true or false (got "${value}")`);
    return null;
  }

  /** One of `allowed`; with `anyCase`, in any case (info is INFO). */
  oneOf<T extends string>(name: string, allowed: readonly T[], { anyCase = false } = {}): T | null {
    const value = this.string(name);
    if (value === null) return null;
    const found = allowed.find((option) => (anyCase ? option.toLowerCase() === value.toLowerCase() : option === value));
    if (found !== undefined) return found;
    this.problems.push(`${name} must be one of ${allowed.join(', ')} (got "${value}")`);
    return null;
  }
}
