import { spawn } from 'node:child_process';
import path from 'node:path';
import type http from 'node:http';
import { parseSimulatorArgs } from '../../simulator';
import { compiledCliEntry } from '../helpers/compiled-cli';
import { COGVIDEOX_VERSION, eventually, startTestServer } from './helpers';

describe('clipgen simulator arguments', () => {
  it('reads flags in both spellings and the token from SIMULATOR_TOKEN', () => {
    expect(
      parseSimulatorArgs(['simulator', '--port', '9000', '--predict-seconds=12', '--render-scale', '0.5'], {
        SIMULATOR_TOKEN: 'env-token',
      }),
    ).toMatchObject({ port: 9000, predictSeconds: 12, renderScale: 0.5, token: 'env-token' });
    expect(parseSimulatorArgs(['--token', 'flag-token'], { SIMULATOR_TOKEN: 'env-token' })).toMatchObject({
      token: 'flag-token',
    });
    expect(parseSimulatorArgs([], {})).toMatchObject({ port: 8787, token: undefined });
    expect(parseSimulatorArgs(['--help'], {})).toBe('help');
  });

  it('refuses unknown flags, missing values and bad numbers', () => {
    expect(() => parseSimulatorArgs(['--verbose'], {})).toThrow('unknown option --verbose');
    expect(() => parseSimulatorArgs(['--port'], {})).toThrow('--port needs a value');
    expect(() => parseSimulatorArgs(['--port', '99999'], {})).toThrow('--port must be 0-65535');
    expect(() => parseSimulatorArgs(['--predict-seconds', 'soon'], {})).toThrow('--predict-seconds must be a number');
  });
});

interface SimulatorProcess {
  url: string;
  output: () => string;
  stderr: () => string;
  /** SIGTERM, then its exit code. */
  stop: () => Promise<number | null>;
}

async function startSimulatorProcess(args: string[]): Promise<SimulatorProcess> {
  const child = spawn(process.execPath, [compiledCliEntry(), 'simulator', '--port', '0', ...args], {
    cwd: path.resolve(__dirname, '../..'),
    env: { ...process.env, SIMULATOR_TOKEN: 'cli-token' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  const stop = () => {
    child.kill('SIGTERM');
    return exited;
  };
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URL printed: ${output}${stderr}`)), 20_000);
      child.stdout.on('data', () => {
        const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      });
    });
    return { url, output: () => output, stderr: () => stderr, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

describe('clipgen simulator process', () => {
  it('prints its URL, serves the API with the configured token and stops cleanly on SIGTERM', async () => {
    const simulator = await startSimulatorProcess([]);
    try {
      expect(simulator.output()).not.toContain('cli-token');
      const refused = await fetch(`${simulator.url}/v1/predictions`, { headers: { authorization: 'Bearer other' } });
      expect(refused.status).toBe(401);
      const accepted = await fetch(`${simulator.url}/v1/predictions`, {
        headers: { authorization: 'Bearer cli-token' },
      });
      expect(await accepted.json()).toEqual({ next: null, previous: null, results: [] });
    } finally {
      expect(await simulator.stop()).toBe(0);
    }
    expect(simulator.output()).toContain('Replicate simulator stopped');
  });

  it('delivers a burst of webhooks at once without warning of a listener leak', async () => {
    // Answers none until every delivery is in flight at once, as when a burst of predictions ends together.
    const burst = 30;
    const held: http.ServerResponse[] = [];
    const receiver = await startTestServer((_request, res) => {
      held.push(res);
      if (held.length === burst) for (const waiting of held) waiting.writeHead(204).end();
    });
    const simulator = await startSimulatorProcess(['--predict-seconds', '0.5']);
    try {
      for (let i = 0; i < burst; i++) {
        const created = await fetch(`${simulator.url}/v1/predictions`, {
          method: 'POST',
          headers: { authorization: 'Bearer cli-token', 'content-type': 'application/json' },
          body: JSON.stringify({
            version: COGVIDEOX_VERSION,
            input: { prompt: `clip ${i}` },
            webhook: `${receiver.url}/hooks/replicate`,
            webhook_events_filter: ['completed'],
          }),
        });
        expect(created.status).toBe(201);
      }
      await eventually(() => held.length === burst, 20_000);
    } finally {
      expect(await simulator.stop()).toBe(0);
      await receiver.close();
    }
    expect(simulator.stderr()).not.toContain('MaxListenersExceededWarning');
  });
});
