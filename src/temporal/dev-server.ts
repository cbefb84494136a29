import net from 'node:net';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { CLIP_SEARCH_ATTRIBUTES } from '../domain/search-attributes';
import { TEMPORAL_CLI, findTemporalBinary } from './binaries';

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
  const env = await TestWorkflowEnvironment.createLocal({
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
  });
  return { env, uiUrl: `http://127.0.0.1:${uiPort}` };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}
