#!/usr/bin/env node
import { ConfigError } from './config';
import { UsageError } from './commands/args';

const USAGE = `Usage: clipgen <command> [options]

Commands:
  demo        generate one clip end to end on embedded defaults (no account needed)
  generate    start one clip on a running cluster and wait for it
  watch       attach to a clip's workflow: progress, then its result or failure
  worker      run the clipgen worker
  health      check that Temporal and the ledger answer (exit 0) or not (exit 1)
  doctor      check the Replicate token, the catalogue models' input schemas (drift) and the webhook secret
  simulator   run the Replicate-compatible simulator
  webhooks    receive Replicate webhooks and signal the clips' workflows
  migrate     apply the cost ledger's migrations (supabase/migrations)
  cost        a job's costs, actual vs estimate; or the estimate error report
  reconcile   compare the cost ledger with Replicate's list of predictions

Run "clipgen <command> --help" for a command's options.
Exit codes: 0 success, 1 the clip (or the command) failed, 2 usage, 3 configuration,
            4 lost contact with Temporal while following a clip (it may still be running: clipgen watch it).`;

/** Exit code of generate, watch and demo when they gave up following a clip the cluster no longer answered for. */
export const EXIT_FOLLOW_LOST = 4;

type Command = (argv: string[]) => Promise<number>;

/** Each command's module is loaded when it runs: `--help`, a usage error or `health` need no Temporal worker. */
const COMMANDS: Record<string, () => Promise<Command>> = {
  demo: async () => (await import('./commands/run-demo')).demoCommand,
  generate: async () => (await import('./commands/generate')).generateCommand,
  watch: async () => (await import('./commands/watch')).watchCommand,
  worker: async () => (await import('./commands/services')).workerCommand,
  health: async () => (await import('./commands/services')).healthCommand,
  simulator: async () => {
    const { runSimulatorCommand } = await import('../simulator');
    return async (argv) => {
      await runSimulatorCommand(argv);
      return 0;
    };
  },
  webhooks: async () => (await import('./commands/services')).webhooksCommand,
  migrate: async () => (await import('./commands/ledger')).migrateCommand,
  cost: async () => (await import('./commands/cost')).costCommand,
  reconcile: async () => (await import('./commands/reconcile')).reconcileCommand,
  doctor: async () => (await import('./commands/doctor')).doctorCommand,
};

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(USAGE);
    return name ? 0 : 2;
  }
  const loadCommand = COMMANDS[name];
  if (!loadCommand) {
    console.error(`Unknown command "${name}".\n\n${USAGE}`);
    return 2;
  }
  try {
    const command = await loadCommand();
    return await command(rest);
  } catch (err) {
    return reportFailure(name, err);
  }
}

/** Prints why a command failed and returns its exit code. */
async function reportFailure(name: string, err: unknown): Promise<number> {
  if (err instanceof UsageError || (name === 'simulator' && (await isSimulatorUsageError(err)))) {
    console.error((err as Error).message);
    return 2;
  }
  if (err instanceof ConfigError) {
    console.error(err.message);
    return 3;
  }
  const { TemporalUnreachableWhileFollowingError, describeClipFailure } = await import('./client/run-clip');
  if (err instanceof TemporalUnreachableWhileFollowingError) {
    console.error(`clipgen ${name}: ${err.message}`);
    return EXIT_FOLLOW_LOST;
  }
  console.error(`clipgen ${name} failed: ${describeClipFailure(err)}`);
  return 1;
}

async function isSimulatorUsageError(err: unknown): Promise<boolean> {
  const { UsageError: SimulatorUsageError } = await import('../simulator');
  return err instanceof SimulatorUsageError;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
