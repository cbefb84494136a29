#!/usr/bin/env node
import { describeClipFailure } from './client/run-clip';
import { ConfigError, loadConfig } from './config';
import { UsageError } from './commands/args';
import { demoCommand } from './commands/demo';
import { generateCommand } from './commands/generate';
import { runSimulatorCommand } from './simulator';
import { runWorker } from './worker';

const USAGE = `Usage: clipgen <command> [options]

Commands:
  demo        generate one clip end to end on embedded defaults (no account needed)
  generate    start one clip on a running cluster and wait for it
  worker      run the clipgen worker
  simulator   run the Replicate-compatible simulator

Run "clipgen <command> --help" for a command's options.`;

const COMMANDS: Record<string, (argv: string[]) => Promise<number>> = {
  demo: demoCommand,
  generate: generateCommand,
  worker: async () => {
    await runWorker(loadConfig());
    return 0;
  },
  simulator: async (argv) => {
    await runSimulatorCommand(argv);
    return 0;
  },
};

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(USAGE);
    return name ? 0 : 1;
  }
  const command = COMMANDS[name];
  if (!command) {
    console.error(`Unknown command "${name}".\n\n${USAGE}`);
    return 2;
  }
  try {
    return await command(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(err.message);
      return 2;
    }
    if (err instanceof ConfigError) {
      console.error(err.message);
      return 3;
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
