import { untilStopped } from '../src/http/listen';
import { startSimulator } from './simulator';
import type { SimulatorOptions } from './types';

const USAGE = `Usage: clipgen simulator [options]

Serves a Replicate-compatible API (https://api.replicate.com/v1) with real MP4 outputs.

Options:
  --port N              port to listen on (default 8787; 0 picks a free one)
  --host H              interface to bind (default 127.0.0.1)
  --token T             accept only this bearer token (default: env SIMULATOR_TOKEN, else any token)
  --predict-seconds N   how long a prediction runs (default 3)
  --start-seconds N     starting -> processing delay (default 0.2)
  --render-scale F      scale rendered frame sizes, e.g. 0.25 (default 1; frame counts and rates never change)
  --public-url URL      origin used in returned links (default: from the request's Host header)
  --retention-seconds N seconds until a finished prediction's data is removed (default 3600)
  --cache-dir DIR       where rendered videos are cached
  -h, --help            show this help
`;

const DEFAULT_PORT = 8787;

type Flag =
  | 'port'
  | 'host'
  | 'token'
  | 'predict-seconds'
  | 'start-seconds'
  | 'render-scale'
  | 'public-url'
  | 'retention-seconds'
  | 'cache-dir';
const FLAGS: Flag[] = [
  'port',
  'host',
  'token',
  'predict-seconds',
  'start-seconds',
  'render-scale',
  'public-url',
  'retention-seconds',
  'cache-dir',
];

export class UsageError extends Error {}

/** Parses `clipgen simulator` arguments (a leading 'simulator' is skipped); `env` supplies SIMULATOR_TOKEN. */
export function parseSimulatorArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): SimulatorOptions | 'help' {
  const args = argv[0] === 'simulator' ? argv.slice(1) : [...argv];
  const values = new Map<Flag, string>();
  while (args.length > 0) {
    const arg = args.shift() as string;
    if (arg === '-h' || arg === '--help') return 'help';
    const [name, inline] = arg.startsWith('--') ? arg.slice(2).split(/=(.*)/s, 2) : [arg, undefined];
    if (!FLAGS.includes(name as Flag)) throw new UsageError(`unknown option ${arg}`);
    const value = inline ?? args.shift();
    if (value === undefined) throw new UsageError(`--${name} needs a value`);
    values.set(name as Flag, value);
  }
  const number = (flag: Flag): number | undefined => {
    const text = values.get(flag);
    if (text === undefined) return undefined;
    const parsed = Number(text);
    if (text.trim() === '' || !Number.isFinite(parsed)) throw new UsageError(`--${flag} must be a number`);
    return parsed;
  };
  const port = number('port') ?? DEFAULT_PORT;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError('--port must be 0-65535');
  return {
    port,
    host: values.get('host'),
    token: values.get('token') ?? (env.SIMULATOR_TOKEN || undefined),
    predictSeconds: number('predict-seconds'),
    startSeconds: number('start-seconds'),
    renderScale: number('render-scale'),
    publicUrl: values.get('public-url'),
    retentionSeconds: number('retention-seconds'),
    cacheDir: values.get('cache-dir'),
  };
}

/** `clipgen simulator`: serves until SIGINT or SIGTERM, then closes cleanly. */
export async function runSimulatorCommand(argv: string[]): Promise<void> {
  const parsed = parseSimulatorArgs(argv);
  if (parsed === 'help') {
    process.stdout.write(USAGE);
    return;
  }
  const simulator = await startSimulator(parsed);
  process.stdout.write(
    `Replicate simulator listening on ${simulator.url}\n` +
      `  REPLICATE_BASE_URL=${simulator.baseUrl}\n` +
      `  auth: ${parsed.token ? 'only the configured token' : 'any bearer token'}\n` +
      `  webhook secret: GET ${simulator.baseUrl}/webhooks/default/secret\n` +
      `  admin: ${simulator.url}/_admin/stats, ${simulator.url}/_admin/faults\n`,
  );
  await untilStopped();
  await simulator.close();
  process.stdout.write('Replicate simulator stopped\n');
}
