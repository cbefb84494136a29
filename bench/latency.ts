/**
 * bench:latency — time from a prediction's `completed_at` to its clip workflow's close (probe, store and cost
 * booking included), p50/p95 over N clips per mode: 3 s timer polling vs webhooks. Both modes run side by side
 * against the same simulators and dev server, so they share the machine's load. Prediction lengths are spread over
 * one poll interval (six simulators), so completions fall at every phase of the poll cycle.
 *
 *   npx tsx bench/latency.ts [--clips 50] [--concurrency 10] [--predict-seconds 4]
 */
import { openLedger } from '../src/ledger';
import { benchArgs } from './support/args';
import {
  benchClipInput,
  completionTimes,
  inBatches,
  phasePercentile,
  phaseRows,
  phasesOf,
  startClip,
  type AfterCompletion,
} from './support/clips';
import { startBenchWorker } from './support/in-process-worker';
import { fixed, mean, percentile, printJsonSummary, printTable, ratio } from './support/report';
import { MODES, startStack, type Mode } from './support/stack';

const POLL_INTERVAL_S = 3;
const SPREAD = 6;

async function main() {
  const args = benchArgs(['clips', 'concurrency', 'predict-seconds']);
  const clips = args.number('clips', 50);
  const concurrency = args.number('concurrency', 10);
  const predictSeconds = args.number('predict-seconds', 4);
  const stack = await startStack();
  const ledger = await openLedger({});
  // Prediction lengths spread over one poll interval, so predictions end at every phase of the poll cycle.
  const simulators = await Promise.all(
    Array.from({ length: SPREAD }, (_, i) => stack.simulator(predictSeconds + (i * POLL_INTERVAL_S) / SPREAD)),
  );
  const receiver = await stack.webhookReceiver();
  try {
    console.error(
      `${clips} clips per mode, ${concurrency} at a time per mode, ${predictSeconds}–${predictSeconds + POLL_INTERVAL_S} s predictions…`,
    );
    const results = await Promise.all(
      MODES.map(async (mode) => {
        const worker = await startBenchWorker({
          stack,
          simulators,
          ledger,
          mode,
          receiverUrl: receiver.url,
          fallbackPollIntervalMs: null,
        });
        try {
          const closed = await inBatches(Array.from({ length: clips }), concurrency, async () => {
            const handle = await startClip(stack.env.client, benchClipInput(stack.imageUrl), worker.taskQueue);
            const clip = await handle.result();
            const closeTime = (await handle.describe()).closeTime;
            if (!closeTime) throw new Error(`${handle.workflowId} has no close time`);
            return { handle, predictionId: clip.predictionId, closedAtMs: closeTime.getTime() };
          });
          return { mode, closed };
        } finally {
          await worker.stop();
        }
      }),
    );
    const completedAt = new Map(simulators.flatMap((simulator) => [...completionTimes(simulator)]));
    const latencies = new Map<Mode, number[]>(
      results.map(({ mode, closed }) => [
        mode,
        closed.map(({ predictionId, closedAtMs }) => {
          const completed = completedAt.get(predictionId);
          if (completed === undefined) throw new Error(`prediction ${predictionId} never completed`);
          return (closedAtMs - completed) / 1000;
        }),
      ]),
    );
    const phases = new Map<Mode, AfterCompletion[]>(
      await Promise.all(results.map(async ({ mode, closed }) => [mode, await phasesOf(closed, completedAt)] as const)),
    );
    report(latencies, phases, clips, predictSeconds);
  } finally {
    await ledger.close();
    await stack.close();
  }
}

function report(
  latencies: Map<Mode, number[]>,
  phases: Map<Mode, AfterCompletion[]>,
  clips: number,
  predictSeconds: number,
) {
  printTable(
    `Prediction completed_at → workflow closed, seconds (${clips} clips per mode, ${predictSeconds}–${predictSeconds + POLL_INTERVAL_S} s predictions)`,
    ['mode', 'clips', 'p50', 'p95', 'mean', 'min', 'max'],
    MODES.map((mode) => {
      const values = latencies.get(mode) ?? [];
      return [
        mode,
        values.length,
        fixed(percentile(values, 50), 2),
        fixed(percentile(values, 95), 2),
        fixed(mean(values), 2),
        fixed(Math.min(...values), 2),
        fixed(Math.max(...values), 2),
      ];
    }),
  );
  const polling = latencies.get('polling') ?? [];
  const webhooks = latencies.get('webhooks') ?? [];
  const [p50p, p95p, p50w, p95w] = [
    percentile(polling, 50),
    percentile(polling, 95),
    percentile(webhooks, 50),
    percentile(webhooks, 95),
  ];
  console.log(
    `\nbench:latency completed_at → close, 3 s polling → webhooks: p50 ${fixed(p50p, 2)} s → ${fixed(p50w, 2)} s ` +
      `(${ratio(p50p, p50w)}), p95 ${fixed(p95p, 2)} s → ${fixed(p95w, 2)} s (${ratio(p95p, p95w)})`,
  );
  for (const mode of MODES) {
    printTable(
      `Where the time went after completed_at, ${mode}, seconds`,
      ['phase', 'p50', 'p95'],
      phaseRows(phases.get(mode) ?? []),
    );
  }
  const phasesP50 = (mode: Mode) => phasePercentile(phases.get(mode) ?? [], 50);
  printJsonSummary('latency', {
    webhooks: { p50: p50w, p95: p95w, phasesP50: phasesP50('webhooks') },
    polling: { p50: p50p, p95: p95p, phasesP50: phasesP50('polling') },
  });
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
