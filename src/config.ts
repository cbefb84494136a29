import path from 'node:path';

/** Everything clipgen reads from the environment, validated once at start. */
export interface ClipgenConfig {
  dataDir: string;
  temporal: {
    /** Unset means "start an embedded dev server" for the demo, and localhost:7233 for the worker. */
    address: string | null;
    namespace: string;
    taskQueue: string;
    apiKey: string | null;
  };
  replicate: {
    apiToken: string | null;
    baseUrl: string;
    requestTimeoutMs: number;
  };
  storage: {
    backend: 'local' | 'supabase';
    bucket: string;
    localDir: string;
    supabaseUrl: string | null;
    supabaseServiceRoleKey: string | null;
  };
  ledger: {
    databaseUrl: string | null;
    pgliteDir: string;
  };
  download: {
    maxBytes: number;
    allowPrivateHosts: boolean;
  };
  probeTimeoutMs: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

/** Reads and validates the configuration; every problem is reported at once, naming its variable. */
export function loadConfig(env: Env = process.env, cwd: string = process.cwd()): ClipgenConfig {
  const problems: string[] = [];
  const read = new EnvReader(env, problems);
  const dataDir = path.resolve(cwd, read.string('CLIPGEN_DATA_DIR') ?? '.clipgen');

  const config: ClipgenConfig = {
    dataDir,
    temporal: {
      address: read.string('TEMPORAL_ADDRESS'),
      namespace: read.string('TEMPORAL_NAMESPACE') ?? 'default',
      taskQueue: read.string('TEMPORAL_TASK_QUEUE') ?? 'video-generator',
      apiKey: read.string('TEMPORAL_API_KEY'),
    },
    replicate: {
      apiToken: read.string('REPLICATE_API_TOKEN'),
      baseUrl: read.url('REPLICATE_BASE_URL') ?? 'https://api.replicate.com/v1',
      requestTimeoutMs: read.positiveInteger('REPLICATE_REQUEST_TIMEOUT_MS') ?? 30_000,
    },
    storage: {
      backend: read.oneOf('STORAGE_BACKEND', ['local', 'supabase'] as const) ?? 'local',
      bucket: read.string('STORAGE_BUCKET') ?? 'video-clips',
      localDir: path.resolve(cwd, read.string('LOCAL_STORAGE_DIR') ?? path.join(dataDir, 'storage')),
      supabaseUrl: read.url('SUPABASE_URL'),
      supabaseServiceRoleKey: read.string('SUPABASE_SERVICE_ROLE_KEY'),
    },
    ledger: {
      databaseUrl: read.string('DATABASE_URL'),
      pgliteDir: path.resolve(cwd, read.string('PGLITE_DIR') ?? path.join(dataDir, 'ledger')),
    },
    download: {
      maxBytes: read.positiveInteger('DOWNLOAD_MAX_BYTES') ?? 2 * 1024 ** 3,
      allowPrivateHosts: read.boolean('DOWNLOAD_ALLOW_PRIVATE_HOSTS') ?? false,
    },
    probeTimeoutMs: read.positiveInteger('PROBE_TIMEOUT_MS') ?? 60_000,
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

/** A copy that is safe to print: secrets are replaced by whether they are set. */
export function redactConfig(config: ClipgenConfig): unknown {
  const secret = (value: string | null) => (value ? '(set)' : '(not set)');
  return {
    ...config,
    temporal: { ...config.temporal, apiKey: secret(config.temporal.apiKey) },
    replicate: { ...config.replicate, apiToken: secret(config.replicate.apiToken) },
    storage: { ...config.storage, supabaseServiceRoleKey: secret(config.storage.supabaseServiceRoleKey) },
    ledger: { ...config.ledger, databaseUrl: config.ledger.databaseUrl ? redactUrl(config.ledger.databaseUrl) : null },
  };
}

function redactUrl(value: string): string {
  try {
    const url = new URL(value);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return '(set, unparseable)';
  }
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

  boolean(name: string): boolean | null {
    const value = this.string(name)?.toLowerCase();
    if (value === undefined || value === null) return null;
    if (['1', 'true', 'yes'].includes(value)) return true;
    if (['0', 'false', 'no'].includes(value)) return false;
    this.problems.push(`${name} must be true or false (got "${value}")`);
    return null;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[]): T | null {
    const value = this.string(name);
    if (value === null) return null;
    if ((allowed as readonly string[]).includes(value)) return value as T;
    this.problems.push(`${name} must be one of ${allowed.join(', ')} (got "${value}")`);
    return null;
  }
}
