import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { doctorText } from '../../src/commands/doctor';
import { runDoctor } from '../../src/replicate/model-schemas';
import type { Simulator } from '../../simulator';
import { TOKEN, startTestSimulator } from '../simulator/helpers';
import { runCli } from './run-cli';

jest.setTimeout(120_000);

/** `clipgen doctor` against the simulator: its models' schemas, made to drift through the admin hook. */
describe('clipgen doctor', () => {
  let sim: Simulator;
  const env = (overrides: Record<string, string> = {}) => ({
    REPLICATE_API_TOKEN: TOKEN,
    REPLICATE_BASE_URL: sim.baseUrl,
    REPLICATE_SIMULATOR_URL: '',
    REPLICATE_WEBHOOK_SECRET: '',
    ...overrides,
  });

  beforeAll(async () => {
    sim = await startTestSimulator({ token: TOKEN });
  });
  afterAll(async () => {
    await sim?.close();
  });
  afterEach(() => sim.schemaDrift.clear());

  it('passes on the simulator as it is: token, every model, the webhook secret; exit code 0', async () => {
    const result = await runCli(['doctor'], env({ REPLICATE_WEBHOOK_SECRET: sim.webhookSecret }));

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines).toEqual([
      `Replicate at ${sim.baseUrl}`,
      'ok   token: accepted (user clipgen-simulator)',
      expect.stringMatching(
        /^ok {3}schema svd: stability-ai\/stable-video-diffusion 3f0457e4 \(pinned version, the latest\) takes all 7 inputs/,
      ),
      expect.stringMatching(/^ok {3}schema cogvideox: cuuupid\/cogvideox-5b 5b14e2c2 \(pinned version, the latest\)/),
      expect.stringMatching(/^ok {3}schema kling-v2.1: kwaivgi\/kling-v2.1 [0-9a-f]{8} \(latest version\) takes all 5/),
      expect.stringMatching(/^ok {3}schema hailuo-02: minimax\/hailuo-02 [0-9a-f]{8} \(latest version\)/),
      'ok   webhook secret: reachable, and REPLICATE_WEBHOOK_SECRET matches it',
      'All checks passed.',
    ]);
    expect(result.stdout).not.toContain(sim.webhookSecret);
    // Free: nothing but GETs.
    expect(sim.stats().predictionsCreated).toEqual({});
  });

  it('names each drifted field (renamed input, changed enum, narrowed range) and exits 1', async () => {
    const drifts = [
      { model: 'svd', kind: 'rename-input', input: 'input_image', to: 'image' },
      { model: 'kwaivgi/kling-v2.1', kind: 'set-enum', input: 'mode', values: ['std', 'pro'] },
      { model: 'cogvideox', kind: 'set-range', input: 'steps', minimum: 10, maximum: 50 },
    ];
    const added = await fetch(`${sim.url}/_admin/schema-drift`, { method: 'POST', body: JSON.stringify(drifts) });
    expect(added.status).toBe(201);
    expect(sim.schemaDrift.list()).toEqual(drifts);

    const text = await runCli(['doctor'], env());
    expect(text.code).toBe(1);
    expect(text.stdout).toContain(
      'FAIL schema svd: stability-ai/stable-video-diffusion 3f0457e4 (pinned version, the latest) has drifted from ' +
        'what clipgen sends (1 difference)\n' +
        '       - input input_image is gone and image (string) is new and required: renamed to image? ' +
        '(every create sends it)\n',
    );
    expect(text.stdout).toContain('       - input mode: value "standard" no longer allowed (allowed: "std", "pro")\n');
    expect(text.stdout).toContain('       - input steps: range narrowed to ≥ 10 and ≤ 50; clipgen may send 1–120\n');
    expect(text.stdout).toMatch(/^ok {3}schema hailuo-02: /m);
    expect(text.stdout).toMatch(/3 checks failed \(docs\/live-checks\.md\)\.\n$/);

    const json = await runCli(['doctor', '--json'], env());
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout);
    expect(report).toMatchObject({ ok: false, problems: 3, token: { status: 'ok' }, webhookSecret: { status: 'ok' } });
    const drifted = Object.fromEntries(
      report.models.map((model: { model: string; drift: { field: string; kind: string }[] }) => [
        model.model,
        model.drift.map(({ field, kind }) => `${field}: ${kind}`),
      ]),
    );
    expect(drifted).toEqual({
      svd: ['input_image: renamed-input'],
      cogvideox: ['steps: range-narrowed'],
      'kling-v2.1': ['mode: enum-value-not-allowed'],
      'hailuo-02': [],
    });
    expect(report.models[0]).toMatchObject({
      status: 'fail',
      drift: [{ field: 'input_image', kind: 'renamed-input', renamedTo: 'image' }],
    });

    // The admin hook's other verbs.
    expect(await (await fetch(`${sim.url}/_admin/schema-drift`)).json()).toEqual({ schemaDrift: drifts });
    const refused = await fetch(`${sim.url}/_admin/schema-drift`, {
      method: 'POST',
      body: JSON.stringify({ model: 'veo-3', kind: 'remove-input', input: 'prompt' }),
    });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ detail: 'schema drift: unknown model "veo-3"' });
    await fetch(`${sim.url}/_admin/schema-drift`, { method: 'DELETE' });
    expect(sim.schemaDrift.list()).toEqual([]);
  });

  it('says so when the token is refused, skips the rest, and exits 1 without printing the token', async () => {
    const badToken = 'r8_NotTheRightTokenAtAll0123456789';
    const result = await runCli(['doctor'], env({ REPLICATE_API_TOKEN: badToken }));

    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      'FAIL token: refused by Replicate (HTTP 401: You did not pass a valid authentication token): ' +
        'check REPLICATE_API_TOKEN\n',
    );
    expect(result.stdout).toContain('skip schema svd: skipped: the token was refused\n');
    expect(result.stdout).toContain('skip webhook secret: skipped: the token was refused\n');
    expect(result.stdout + result.stderr).not.toContain(badToken);
  });

  it('reports a webhook secret it cannot reach, or one that differs from REPLICATE_WEBHOOK_SECRET', async () => {
    const proxy = await startProxy(sim, (url) => url.startsWith('/v1/webhooks/'));
    try {
      const unreachable = await runCli(['doctor'], env({ REPLICATE_BASE_URL: `${proxy.url}/v1` }));
      expect(unreachable.code).toBe(1);
      expect(unreachable.stdout).toContain(
        'FAIL webhook secret: unreachable: GET /v1/webhooks/default/secret: HTTP 503: Service Unavailable\n',
      );
      expect(unreachable.stdout).toMatch(/^ok {3}token: /m);
      expect(unreachable.stdout).toContain('1 check failed');
    } finally {
      await proxy.close();
    }

    const differs = await runCli(['doctor'], env({ REPLICATE_WEBHOOK_SECRET: 'whsec_c29tZXRoaW5nIGVsc2U=' }));
    expect(differs.code).toBe(1);
    expect(differs.stdout).toContain(
      "FAIL webhook secret: REPLICATE_WEBHOOK_SECRET differs from the account's secret: the receiver would refuse",
    );
    expect(differs.stdout).not.toContain('c29tZXRoaW5nIGVsc2U');
  });

  it("compares a community model's pinned version, and notes what a newer latest version would need", async () => {
    const newer = 'f'.repeat(64);
    // Replicate as the simulator, except that SVD's latest version is a newer one without `seed`.
    const fetchWithNewerSvd: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      if (!String(input).endsWith('/models/stability-ai/stable-video-diffusion')) return response;
      const model = await response.json();
      model.latest_version.id = newer;
      delete model.latest_version.openapi_schema.components.schemas.Input.properties.seed;
      return new Response(JSON.stringify(model), { status: 200, headers: { 'content-type': 'application/json' } });
    };

    const report = await runDoctor({ apiToken: TOKEN, baseUrl: sim.baseUrl, fetch: fetchWithNewerSvd });

    expect(report.ok).toBe(true);
    expect(report.models[0]).toMatchObject({
      model: 'svd',
      status: 'ok',
      version: '3f0457e4619daac51203dedb472816fd4af51f3149fa7a9e0b5ffcf1b8172438',
      drift: [],
      notes: [
        'a newer version ffffffff exists (clipgen runs the pinned one); moving the pin to it would need:',
        '  input seed is no longer in the schema (sent when a clip or setting asks for it); new inputs of the same ' +
          'type: decoding_t',
      ],
    });
    expect(doctorText(report)).toContain(
      'ok   schema svd: stability-ai/stable-video-diffusion 3f0457e4 (pinned version) takes all 7 inputs clipgen ' +
        'may send\n' +
        '       note: a newer version ffffffff exists (clipgen runs the pinned one); moving the pin to it would need:\n' +
        '       note:   input seed is no longer in the schema (sent when a clip or setting asks for it); new inputs ' +
        'of the same type: decoding_t\n',
    );
  });

  it('exits 3 without a token, and 0 for --help', async () => {
    const missing = await runCli(['doctor'], env({ REPLICATE_API_TOKEN: '' }));
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain('REPLICATE_API_TOKEN is not set');

    const help = await runCli(['doctor', '--help'], env());
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: clipgen doctor [--json]');
  });
});

/** Forwards GETs to the simulator, except those `refuse` picks, which get Replicate's 503. */
async function startProxy(sim: Simulator, refuse: (url: string) => boolean) {
  const server = http.createServer((req, res) => {
    const url = req.url ?? '/';
    if (refuse(url)) {
      res.writeHead(503, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ detail: 'Service Unavailable', status: 503 }));
      return;
    }
    void fetch(`${sim.url}${url}`, { headers: { authorization: req.headers.authorization ?? '' } }).then(
      async (upstream) => {
        res.writeHead(upstream.status, { 'content-type': 'application/json' });
        res.end(await upstream.text());
      },
      () => res.destroy(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
