import { main } from '../../src/cli';

/** The CLI's exit codes: 0 success, 1 failure, 2 usage, 3 configuration (clip failures: generate/watch tests). */
describe('clipgen exit codes and help', () => {
  let stdout: jest.SpyInstance;
  let stderr: jest.SpyInstance;
  const saved = { ...process.env };

  beforeEach(() => {
    stdout = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    stderr = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  });

  afterEach(() => {
    process.env = { ...saved };
    jest.restoreAllMocks();
  });

  it.each(['demo', 'generate', 'watch', 'worker', 'health'])('%s --help prints its usage and exits 0', async (name) => {
    expect(await main([name, '--help'])).toBe(0);
    expect(stdout.mock.calls.join('\n')).toContain(`Usage: clipgen ${name}`);
  });

  it('exits 2 on a usage mistake or an unknown command, and with no command', async () => {
    expect(await main(['generate', '--no-such-flag'])).toBe(2);
    expect(await main(['launch'])).toBe(2);
    expect(await main([])).toBe(2);
    expect(stderr.mock.calls.join('\n')).toContain('Unknown command "launch"');
  });

  it('exits 3 naming every bad variable on a configuration error', async () => {
    process.env.LOG_LEVEL = 'LOUD';
    process.env.TEMPORAL_UI_URL = 'nowhere';

    expect(await main(['watch', 'clip-x-0'])).toBe(3);

    const printed = stderr.mock.calls.join('\n');
    expect(printed).toContain('LOG_LEVEL must be one of TRACE, DEBUG, INFO, WARN, ERROR (got "LOUD")');
    expect(printed).toContain('TEMPORAL_UI_URL must be an http(s) URL');
  });

  it('documents exit code 4 and the flags for every input field in the help', async () => {
    expect(await main(['--help'])).toBe(0);
    expect(await main(['generate', '--help'])).toBe(0);

    const help = stdout.mock.calls.join('\n');
    expect(help).toContain('4 lost contact with Temporal while following a clip');
    for (const flag of ['--input', '--settings', '--negative-prompt', '--seed', '--deadline', '--start-limit']) {
      expect(help).toContain(flag);
    }
    expect(help).toContain('--poll-interval');
    expect(help).toContain('--attach');
  });
});
