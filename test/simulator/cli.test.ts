import { spawn } from 'node:child_process';
import path from 'node:path';
import { parseSimulatorArgs } from '../../simulator';
import { compiledCliEntry } from '../helpers/compiled-cli';

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

describe('clipgen simulator process', () => {
  it('prints its URL, serves the API with the configured token and stops cleanly on SIGTERM', async () => {
    const child = spawn(process.execPath, [compiledCliEntry(), 'simulator', '--port', '0'], {
      cwd: path.resolve(__dirname, '../..'),
      env: { ...process.env, SIMULATOR_TOKEN: 'cli-token' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no URL printed: ${output}`)), 20_000);
        child.stdout.on('data', () => {
          const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
          if (match) {
            clearTimeout(timer);
            resolve(match[1]);
          }
        });
      });
      expect(output).not.toContain('cli-token');
      const refused = await fetch(`${url}/v1/predictions`, { headers: { authorization: 'Bearer other' } });
      expect(refused.status).toBe(401);
      const accepted = await fetch(`${url}/v1/predictions`, { headers: { authorization: 'Bearer cli-token' } });
      expect(await accepted.json()).toEqual({ next: null, previous: null, results: [] });
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(output).toContain('Replicate simulator stopped');
  });
});
