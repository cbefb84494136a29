import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { main } from '../../src/cli';
import { freePort } from '../../src/temporal/dev-server';
import { runCli } from './run-cli';

jest.setTimeout(60_000);

/**
 * Mistakes that are refused before anything starts, each with a message that says what was wrong and what to do:
 * run in process where nothing is started, as a child process where the exit code and streams matter.
 */
describe('messages that tell the user what to do', () => {
  let stderr: jest.SpyInstance;
  const saved = { ...process.env };
  const printed = () => stderr.mock.calls.join('\n');
  let dir: string;

  beforeAll(async () => {
    dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'clipgen-usage-'));
  });
  afterAll(async () => {
    await fs.promises.rm(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    jest.spyOn(console, 'log').mockImplementation(() => undefined);
    stderr = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    // Were a mistake missed, generate would try this address and exit 1, not 2.
    process.env.TEMPORAL_ADDRESS = '127.0.0.1:1';
  });
  afterEach(() => {
    process.env = { ...saved };
    jest.restoreAllMocks();
  });

  const generate = (...flags: string[]) =>
    main(['generate', '--job-id', randomUUID(), '--prompt', 'waves', '--duration', '3', ...flags]);

  it('names --job-id for a 3,000-character job id without echoing it back', async () => {
    expect(await main(['generate', '--job-id', 'x'.repeat(3000), '--prompt', 'waves', '--duration', '3'])).toBe(2);

    expect(printed()).toMatch(/^--job-id must be a UUID \(got "x+…", 3000 characters\)$/);
    expect(printed().length).toBeLessThan(200);
  });

  it('names --model for an unknown model', async () => {
    expect(await generate('--model', 'sora-9')).toBe(2);
    expect(printed()).toContain('--model must be one of svd, cogvideox, kling-v2.1, hailuo-02 (got "sora-9")');
  });

  it.each([
    [['--fps', '0'], '--fps must be an integer from 1 to 60 (got 0)'],
    [['--seed=-1'], '--seed must be an integer from 0 to'],
    [['--resolution', 'huge'], '--resolution must be a resolution such as "720p" or "1080p" (got "huge")'],
    [['--aspect-ratio', '4:3'], '--aspect-ratio must be one of 16:9, 9:16, 1:1 (got "4:3")'],
    [['--guidance', 'lots'], '--guidance must be a number (got "lots")'],
    [['--settings', '{"fps": 0}'], '--settings: settings.fps must be an integer from 1 to 60 (got 0)'],
    [['--settings', '{"frameRate": 7}'], '--settings: settings.frameRate is not a known field'],
    [['--settings', 'fps=7'], `--settings must be a JSON object such as '{"fps": 7, "motion": 127}' (got "fps=7")`],
    [['--negative-prompt', '\u0007'], '--negative-prompt must not contain control characters'],
    [['--deadline', 'soon'], '--deadline must be a duration such as "3s" or "2 minutes"'],
    [['--deadline', '2 days'], '--deadline must be from 1 second to 24 hours'],
    [['--poll-interval', '10'], '--poll-interval must be from 100 ms to 1 hour (got 10, 10 ms)'],
    [['--start-limit', '7 hours'], '--start-limit must be from 1 second to 6 hours'],
    [['--environment', 'staging'], '--environment must be one of production, development (got "staging")'],
    [['--image', 'file:///etc/passwd'], '--image must be an http or https URL (got a file: URL)'],
    [['--extend-prompt', '--no-extend-prompt'], '--extend-prompt and --no-extend-prompt contradict each other'],
  ])('generate %j is a usage mistake naming the flag', async (flags, message) => {
    expect(await generate(...flags)).toBe(2);
    expect(printed()).toContain(message);
  });

  it('generate --input names the file for what it holds, and refuses a file that is missing or not an object', async () => {
    const file = path.join(dir, 'bad-input.json');
    const input = { jobId: randomUUID(), clip: { clipIndex: 0, prompt: 'waves', duration: 3, imageURL: 'x' } };
    await fs.promises.writeFile(file, JSON.stringify(input));

    expect(await main(['generate', '--input', file])).toBe(2);
    expect(printed()).toContain(`--input ${file}: clip.imageURL is not a known field`);

    expect(await main(['generate', '--input', path.join(dir, 'missing.json')])).toBe(2);
    expect(printed()).toContain(`--input ${path.join(dir, 'missing.json')} cannot be read (ENOENT)`);

    await fs.promises.writeFile(file, '[1, 2]');
    expect(await main(['generate', '--input', file])).toBe(2);
    expect(printed()).toContain(`--input ${file} must hold one JSON object`);
  });

  it.each([
    [
      '99999999.999999',
      "--set-budget must be at most 999999.999999 USD, the most the ledger's numeric(12,6) columns hold " +
        '(got "99999999.999999"); use none for no limit',
    ],
    ['1.1234567', '--set-budget must have at most 6 decimals, as the ledger keeps them (got "1.1234567")'],
    ['$5', '--set-budget must be an amount in USD such as 2.50, or none (got "$5")'],
  ])('cost --set-budget %s says what the ledger can hold', async (budget, message) => {
    expect(await main(['cost', '--job-id', randomUUID(), '--set-budget', budget])).toBe(2);
    expect(printed()).toBe(message);
  });

  it('a malformed DATABASE_URL is a configuration error (exit 3) that does not print the password', async () => {
    const result = await runCli(['cost', '--job-id', randomUUID()], {
      DATABASE_URL: 'postgres://clipgen:hunter#2@db:5432/clipgen',
      PGLITE_DIR: path.join(dir, 'ledger'),
    });

    expect(result.code).toBe(3);
    expect(result.stderr).toContain('DATABASE_URL is not a valid URL');
    expect(result.stderr).not.toContain('hunter');
    expect(result.stderr).not.toContain('migrations');
  });

  it('LOG_LEVEL is taken in any case', async () => {
    const result = await runCli(['migrate', '--dry-run'], {
      LOG_LEVEL: 'info',
      DATABASE_URL: '',
      PGLITE_DIR: path.join(dir, 'ledger'),
    });

    expect(result.stderr).not.toContain('LOG_LEVEL');
    expect(result.code).toBe(0);
  });

  it('names the address it tried, and how to change it, when Temporal cannot be reached at start', async () => {
    const address = `127.0.0.1:${await freePort()}`;

    // Killed well before the test's own timeout, so a CLI that hangs fails on what it printed.
    const result = await runCli(
      ['generate', '--job-id', randomUUID(), '--prompt', 'waves', '--duration', '3'],
      { TEMPORAL_ADDRESS: address },
      40_000,
    );

    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`cannot reach Temporal at ${address} within 10 s`);
    expect(result.stderr).toContain('Set TEMPORAL_ADDRESS=host:port');
  });
});
