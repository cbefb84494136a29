/**
 * `npm run test:live`: settles, against the real Replicate, what no machine here could confirm (docs/live-checks.md).
 * Skipped, and saying so, unless REPLICATE_API_TOKEN and CLIPGEN_LIVE=1 are set; the official-model cases also need
 * CLIPGEN_LIVE_OFFICIAL. Never part of `npm test` (its own jest config; files end in .live.ts, not .test.ts).
 * Every finding is printed at the end and written to $CLIPGEN_LIVE_REPORT (.clipgen/live-findings.json).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type Replicate from 'replicate';
import { planClip } from '../../src/domain/catalogue';
import { REPLICATE_REFS, replicateModelName } from '../../src/domain/replicate-refs';
import type { ClipPrompt } from '../../src/domain/types';
import { createSingleAttemptClient } from '../../src/replicate/client';
import { runDoctor, type DoctorReport } from '../../src/replicate/model-schemas';
import { EXPECTED_COST, LIVE, skipReasons } from './live-settings';
import { solidPngDataUrl } from './png';

const describeLive = LIVE.enabled ? describe : describe.skip;
const itOfficialRun = LIVE.official.includes('run') ? it : it.skip;
const itOfficialCancel = LIVE.official.includes('cancel') ? it : it.skip;
const suiteName = LIVE.enabled
  ? `live contract with Replicate (${LIVE.baseUrl})`
  : `live contract with Replicate: ${skipReasons()[0]}`;

const PROMPT = 'a calm sea at dawn, static camera';
const TERMINAL = ['succeeded', 'failed', 'canceled', 'aborted'];
const MINUTE = 60_000;

interface PredictionJson {
  id: string;
  status: string;
  error?: unknown;
  metrics?: Record<string, unknown>;
  webhook?: string;
  webhook_events_filter?: string[];
  [key: string]: unknown;
}

interface Finding {
  fact: string;
  finding: string;
  cost: string;
  evidence: Record<string, unknown>;
}

const findings: Finding[] = [];
const created: string[] = [];

/** One HTTP request through the project's single-attempt client: a create is never sent twice. */
async function once<T>(run: (client: Replicate) => Promise<T>, headers: Record<string, string> = {}): Promise<T> {
  const single = createSingleAttemptClient({ apiToken: LIVE.token, baseUrl: LIVE.baseUrl }, headers);
  try {
    return await run(single.client);
  } catch (error) {
    const failure = single.failure();
    if (failure?.kind === 'http') throw new Error(`HTTP ${failure.status}: ${failure.body.slice(0, 400)}`);
    throw failure?.kind === 'network' ? failure.error : error;
  }
}

const asJson = (prediction: unknown) => prediction as unknown as PredictionJson;

async function create(options: Record<string, unknown>, cancelAfter: string): Promise<PredictionJson> {
  // Cancel-After is the safety net should this process die before it cancels what it created.
  const prediction = asJson(
    await once((client) => client.predictions.create(options as Parameters<Replicate['predictions']['create']>[0]), {
      'Cancel-After': cancelAfter,
    }),
  );
  created.push(prediction.id);
  return prediction;
}

const get = async (id: string) => asJson(await once((client) => client.predictions.get(id)));
const cancel = async (id: string) => asJson(await once((client) => client.predictions.cancel(id)));

/** Polls until `done` holds or `timeoutMs` passes; the last answer either way. */
async function pollUntil(
  id: string,
  done: (prediction: PredictionJson) => boolean,
  timeoutMs: number,
  intervalMs = 2000,
): Promise<PredictionJson> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const prediction = await get(id);
    if (done(prediction) || Date.now() > deadline) return prediction;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

const isTerminal = (prediction: PredictionJson) => TERMINAL.includes(prediction.status);
const yesNo = (value: boolean) => (value ? 'yes' : 'no');

function clip(duration: number): ClipPrompt {
  return { clipIndex: 0, prompt: PROMPT, duration };
}

function record(finding: Finding): void {
  findings.push(finding);
}

/** The cheapest official plan in the catalogue: Hailuo-02, 6 s at 512p, from a first frame; and its text-only input. */
function cheapestOfficialPlan() {
  const imageUrl = LIVE.imageUrl || solidPngDataUrl(912, 512, [90, 120, 160]);
  const plan = planClip('hailuo-02', { ...clip(6), imageUrl }, { resolution: '512p' });
  const { first_frame_image: _image, ...textOnly } = plan.input;
  return { plan, textOnly, model: replicateModelName(REPLICATE_REFS['hailuo-02']) };
}

const shownInput = (input: Record<string, unknown>) => ({
  ...input,
  ...(typeof input.first_frame_image === 'string'
    ? { first_frame_image: `${input.first_frame_image.slice(0, 40)}…` }
    : {}),
});

let doctor: Promise<DoctorReport> | null = null;
const doctorReport = () => (doctor ??= runDoctor({ apiToken: LIVE.token, baseUrl: LIVE.baseUrl }));

describeLive(suiteName, () => {
  afterAll(async () => {
    // Nothing this run created may keep running (and billing) after it.
    for (const id of created) {
      const prediction = await get(id).catch(() => null);
      if (prediction && !isTerminal(prediction)) await cancel(id).catch(() => undefined);
    }
    printFindings();
  });

  it("free: the token and each catalogue model's input schema (clipgen doctor)", async () => {
    const report = await doctorReport();
    const drift = report.models.flatMap((model) => model.drift.map((one) => `${model.model}: ${one.message}`));
    record({
      fact: "the catalogue's inputs, enums and ranges match the models' published schemas",
      finding: report.models.every((model) => model.status === 'ok')
        ? 'yes: every model takes every input clipgen may send'
        : `no: ${[...drift, ...report.models.filter((m) => m.drift.length === 0 && m.status !== 'ok').map((m) => `${m.model}: ${m.detail}`)].join('; ')}`,
      cost: EXPECTED_COST.free,
      evidence: { token: report.token, models: report.models },
    });
    expect(report.token.status).toBe('ok');
    expect(report.models.map((model) => [model.model, model.status, model.drift])).toEqual(
      report.models.map((model) => [model.model, 'ok', []]),
    );
  });

  it('free: the webhook secret endpoint answers a whsec_ key', async () => {
    const report = await doctorReport();
    record({
      fact: 'GET /v1/webhooks/default/secret answers {"key":"whsec_…"}',
      finding: report.webhookSecret.status === 'ok' ? 'yes' : `no: ${report.webhookSecret.detail}`,
      cost: EXPECTED_COST.free,
      evidence: { webhookSecret: report.webhookSecret },
    });
    expect(report.webhookSecret.status).toBe('ok');
  });

  it(
    '≈ $0: create with a webhook, then get and list: are webhook and webhook_events_filter echoed?',
    async () => {
      const ref = REPLICATE_REFS.cogvideox;
      const plan = planClip('cogvideox', clip(6));
      const prediction = await create(
        {
          version: ref.version,
          input: plan.input,
          webhook: LIVE.webhookUrl,
          webhook_events_filter: ['completed'],
        },
        '5m',
      );
      const fetched = await get(prediction.id);
      const page = await once((client) => client.predictions.list());
      const listed = (page.results as unknown as PredictionJson[]).find((item) => item.id === prediction.id);
      const answer = await cancel(prediction.id);
      const echoed = (json: PredictionJson | undefined) => ({
        webhook: json?.webhook === LIVE.webhookUrl,
        webhook_events_filter: JSON.stringify(json?.webhook_events_filter) === JSON.stringify(['completed']),
      });
      const inCreate = echoed(prediction);
      const inGet = echoed(fetched);
      const inList = echoed(listed);
      record({
        fact: 'get and list echo `webhook` / `webhook_events_filter`',
        finding:
          `create: ${yesNo(inCreate.webhook)} / ${yesNo(inCreate.webhook_events_filter)}; ` +
          `get: ${yesNo(inGet.webhook)} / ${yesNo(inGet.webhook_events_filter)}; ` +
          (listed
            ? `list: ${yesNo(inList.webhook)} / ${yesNo(inList.webhook_events_filter)}`
            : 'list: the prediction was not on the first page'),
        cost: EXPECTED_COST.webhookEcho,
        evidence: {
          id: prediction.id,
          createKeys: Object.keys(prediction).sort(),
          getKeys: Object.keys(fetched).sort(),
          listKeys: listed ? Object.keys(listed).sort() : null,
          canceledAtStatus: answer.status,
        },
      });
      expect(fetched.id).toBe(prediction.id);
      expect(listed).toBeDefined();
    },
    5 * MINUTE,
  );

  it(
    '< $0.01: cancel of a running prediction: the status of the immediate answer',
    async () => {
      const ref = REPLICATE_REFS.cogvideox;
      const prediction = await create({ version: ref.version, input: planClip('cogvideox', clip(6)).input }, '6m');
      // A cold boot is not billed on community models; 5 minutes for it to start running.
      const running = await pollUntil(prediction.id, (p) => p.status !== 'starting', 5 * MINUTE, 1000);
      const answer = await cancel(prediction.id);
      const final = await pollUntil(prediction.id, isTerminal, 3 * MINUTE);
      const predictTime = final.metrics?.predict_time;
      const wasRunning = running.status === 'processing';
      record({
        fact: "a cancel's immediate answer while the prediction runs (is cancel asynchronous?)",
        finding: !wasRunning
          ? `not settled: the prediction was ${running.status}, not processing, when canceled; the answer said ${answer.status}`
          : answer.status === 'processing'
            ? `asynchronous: the answer still says processing; it became ${final.status}`
            : `the answer says ${answer.status} at once (final ${final.status})`,
        cost: `${EXPECTED_COST.cancelRunning}; this one: predict_time ${String(predictTime ?? 'none')} s`,
        evidence: {
          id: prediction.id,
          statusWhenCanceled: running.status,
          immediateAnswer: answer.status,
          final: final.status,
          metrics: final.metrics ?? null,
          billed: typeof predictTime === 'number' && predictTime > 0,
        },
      });
      expect(TERMINAL).toContain(final.status);
    },
    10 * MINUTE,
  );

  itOfficialRun(
    '≈ $0.10 (unconfirmed): does Hailuo-02 take text only at 512p, and which metrics does an official run report?',
    async () => {
      const { plan, textOnly, model } = cheapestOfficialPlan();
      // Text only first (the catalogue refuses it until this settles it); with a first frame if that is refused.
      let final: PredictionJson | null = null;
      let textOnlyFinding: string;
      try {
        const prediction = await create({ model, input: textOnly }, '20m');
        final = await pollUntil(prediction.id, isTerminal, 18 * MINUTE, 5000);
        textOnlyFinding =
          final.status === 'succeeded'
            ? `yes: prediction ${prediction.id} succeeded`
            : `no: prediction ${prediction.id} ended ${final.status} (${String(final.error ?? 'no error')})`;
      } catch (error) {
        textOnlyFinding = `no: the create was refused: ${(error as Error).message}`;
      }
      record({
        fact: 'Hailuo-02 accepts a text-only create at 512p',
        finding: textOnlyFinding,
        cost: EXPECTED_COST.officialRun,
        evidence: { input: textOnly, status: final?.status ?? null, error: final?.error ?? null },
      });
      if (final?.status !== 'succeeded') {
        const prediction = await create({ model, input: plan.input }, '20m');
        final = await pollUntil(prediction.id, isTerminal, 18 * MINUTE, 5000);
      }
      const metrics = final.metrics ?? {};
      record({
        fact: 'the metrics keys an official video model reports, and their units',
        finding:
          `keys: ${Object.keys(metrics).sort().join(', ') || 'none'}; video_output_duration_seconds ` +
          `${String(metrics.video_output_duration_seconds ?? 'absent')} for a planned ${plan.plannedDuration} s; ` +
          `resolution_target ${String(metrics.resolution_target ?? 'absent')}, model_variant ` +
          `${String(metrics.model_variant ?? 'absent')}. Compare with the invoice line of prediction ${final.id}.`,
        cost: `the run above (the catalogue's estimate for it: $${plan.estimatedCostUsd})`,
        evidence: {
          id: final.id,
          status: final.status,
          metrics,
          input: shownInput(final.input as Record<string, unknown>),
        },
      });
      expect(final.status).toBe('succeeded');
    },
    40 * MINUTE,
  );

  itOfficialCancel(
    '$0 or ≈ $0.10: an official prediction canceled while running: is it billed?',
    async () => {
      const { plan, model } = cheapestOfficialPlan();
      const prediction = await create({ model, input: plan.input }, '20m');
      const running = await pollUntil(prediction.id, (p) => p.status !== 'starting', 10 * MINUTE, 2000);
      const answer = await cancel(prediction.id);
      const final = await pollUntil(prediction.id, isTerminal, 5 * MINUTE, 5000);
      const metrics = final.metrics ?? {};
      const outputSeconds = metrics.video_output_duration_seconds;
      record({
        fact: 'a canceled official prediction is billed',
        finding:
          (typeof outputSeconds === 'number' && outputSeconds > 0
            ? `probably yes: it reports video_output_duration_seconds ${outputSeconds}`
            : 'probably not: it reports no video_output_duration_seconds') +
          ` (canceled while ${running.status}; the answer said ${answer.status}; it ended ${final.status}). ` +
          `Confirm on the invoice: prediction ${prediction.id}.`,
        cost: EXPECTED_COST.officialCancel,
        evidence: {
          id: prediction.id,
          statusWhenCanceled: running.status,
          immediateAnswer: answer.status,
          final: final.status,
          metrics,
        },
      });
      expect(TERMINAL).toContain(final.status);
    },
    20 * MINUTE,
  );
});

function printFindings(): void {
  if (findings.length === 0) return;
  const lines = ['', 'Live contract findings:'];
  for (const { fact, finding, cost } of findings) lines.push(`- ${fact}: ${finding}`, `  cost: ${cost}`);
  for (const reason of skipReasons()) lines.push(`(${reason})`);
  try {
    mkdirSync(path.dirname(path.resolve(LIVE.reportPath)), { recursive: true });
    writeFileSync(
      LIVE.reportPath,
      `${JSON.stringify({ at: new Date().toISOString(), baseUrl: LIVE.baseUrl, findings }, null, 2)}\n`,
    );
    lines.push(`Written to ${LIVE.reportPath}.`);
  } catch (error) {
    lines.push(`Could not write ${LIVE.reportPath}: ${(error as Error).message}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}
