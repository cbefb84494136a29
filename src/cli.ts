#!/usr/bin/env node
import { TemporalUnreachableWhileFollowingError, describeClipFailure } from './client/run-clip';
import { ConfigError } from './config';
import { UsageError } from './commands/args';
import { costCommand } from './commands/cost';
import { demoCommand } from './commands/run-demo';
import { doctorCommand } from './commands/doctor';
import { generateCommand } from './commands/generate';
import { migrateCommand } from './commands/ledger';
import { reconcileCommand } from './commands/reconcile';
import { watchCommand } from './commands/watch';
import { healthCommand, webhooksCommand, workerCommand } from './commands/services';
import { runSimulatorCommand, UsageError as SimulatorUsageError } from '../simulator';

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

const COMMANDS: Record<string, (argv: string[]) => Promise<number>> = {
  demo: demoCommand,
  generate: generateCommand,
  watch: watchCommand,
  worker: workerCommand,
  health: healthCommand,
  simulator: async (argv) => {
    await runSimulatorCommand(argv);
    return 0;
  },
  webhooks: webhooksCommand,
  migrate: migrateCommand,
  cost: costCommand,
  reconcile: reconcileCommand,
  doctor: doctorCommand,
};

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(USAGE);
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    console.error(`Unknown command "${name}".\n\n${USAGE}`);
    return 2;
  }
  try {
    return await command(rest);
  } catch (err) {
    if (err instanceof UsageError || err instanceof SimulatorUsageError) {
      console.error(err.message);
      return 2;
    }
    if (err instanceof ConfigError) {
      console.error(err.message);
      return 3;
    }
    if (err instanceof TemporalUnreachableWhileFollowingError) {
      console.error(`clipgen ${name}: ${err.message}`);
      return EXIT_FOLLOW_LOST;
    }
    console.error(`clipgen ${name} failed: ${describeClipFailure(err)}`);
    return 1;
  }
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
