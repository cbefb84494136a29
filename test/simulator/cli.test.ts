import type http from 'node:http';
import { parseSimulatorArgs } from '../../simulator';
import { CliProcess } from '../commands/cli-process';
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

/** `clipgen simulator` on a free port, with its token; resolved with its API's base URL once it listens. */
async function startSimulatorProcess(args: string[]): Promise<{ simulator: CliProcess; url: string }> {
  const simulator = new CliProcess(['simulator', '--port', '0', ...args], { SIMULATOR_TOKEN: 'cli-token' });
  const LISTENING = /listening on (http:\/\/127\.0\.0\.1:\d+)/;
  try {
    const line = await simulator.waitForLine(LISTENING, 20_000, 'stdout');
    return { simulator, url: LISTENING.exec(line)?.[1] ?? '' };
  } catch (err) {
    await simulator.kill();
    throw err;
  }
}

/** SIGTERM, then its exit code once its output has all been read. */
async function stop(simulator: CliProcess): Promise<number | null> {
  simulator.signal('SIGTERM');
  return (await simulator.closed).code;
}

describe('clipgen simulator process', () => {
  it('prints its URL, serves the API with the configured token and stops cleanly on SIGTERM', async () => {
    const { simulator, url } = await startSimulatorProcess([]);
    try {
      expect(simulator.stdout).not.toContain('cli-token');
      const refused = await fetch(`${url}/v1/predictions`, { headers: { authorization: 'Bearer other' } });
      expect(refused.status).toBe(401);
      const accepted = await fetch(`${url}/v1/predictions`, { headers: { authorization: 'Bearer cli-token' } });
      expect(await accepted.json()).toEqual({ next: null, previous: null, results: [] });
    } finally {
      expect(await stop(simulator)).toBe(0);
    }
    expect(simulator.stdout).toContain('Replicate simulator stopped');
  });

  it('delivers a burst of webhooks at once without warning of a listener leak', async () => {
    // Answers none until every delivery is in flight at once, as when a burst of predictions ends together.
    const burst = 30;
    const held: http.ServerResponse[] = [];
    const receiver = await startTestServer((_request, res) => {
      held.push(res);
      if (held.length === burst) for (const waiting of held) waiting.writeHead(204).end();
    });
    const { simulator, url } = await startSimulatorProcess(['--predict-seconds', '0.5']);
    try {
      for (let i = 0; i < burst; i++) {
        const created = await fetch(`${url}/v1/predictions`, {
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
      expect(await stop(simulator)).toBe(0);
      await receiver.close();
    }
    expect(simulator.stderr).not.toContain('MaxListenersExceededWarning');
  });
});
