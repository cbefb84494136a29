/**
 * bench:actions — Temporal history events and billable actions per clip, 3 s timer polling vs webhooks, for
 * predictions of 10 s, 60 s, 120 s and 600 s. All cases run at once against a local dev server (real time), so one
 * run takes about as long as the longest prediction. Webhooks run with clipgen's default of no fallback poll
 * interval, unless `--fallback-poll` gives one.
 *
 *   npx tsx bench/actions.ts [--durations 10,60,120,600] [--fallback-poll 30]
 */
import { openLedger } from '../src/ledger';
import { countHistory, type HistoryCounts } from '../test/helpers/history-counts';
import { benchArgs } from './support/args';
import { benchClipInput, startClip } from './support/clips';
import { startBenchWorker } from './support/in-process-worker';
import { fixed, printJsonSummary, printTable, ratio } from './support/report';
import { MODES, startStack, type Mode } from './support/stack';

interface Case {
  seconds: number;
  mode: Mode;
  counts: HistoryCounts;
  wallSeconds: number;
}

async function main() {
  const args = benchArgs(['durations', 'fallback-poll']);
  const durations = args.numbers('durations', [10, 60, 120, 600]);
  const fallbackPollIntervalMs = args.has('fallback-poll') ? args.number('fallback-poll', 30) * 1000 : null;
  const stack = await startStack();
  const ledger = await openLedger({});
  const receiver = await stack.webhookReceiver();
  try {
    console.error(
      `running ${durations.length * MODES.length} clips at once (longest prediction ${Math.max(...durations)} s)…`,
    );
    const cases = await Promise.all(
      durations.flatMap((seconds) =>
        MODES.map(async (mode): Promise<Case> => {
          const simulator = await stack.simulator(seconds);
          const worker = await startBenchWorker({
            stack,
            simulators: [simulator],
            ledger,
            mode,
            receiverUrl: receiver.url,
            fallbackPollIntervalMs,
          });
          try {
            // The catalogue's 120 s deadline and 600 s start limit would stop or check the longest predictions: give
            // every clip room, as a model whose runs take that long would have in its catalogue entry.
            const room = `${seconds + 120}s` as const;
            const input = benchClipInput(stack.imageUrl, { deadline: room, startLimit: room });
            const started = Date.now();
            const handle = await startClip(stack.env.client, input, worker.taskQueue);
            await handle.result();
            return { seconds, mode, counts: await countHistory(handle), wallSeconds: (Date.now() - started) / 1000 };
          } finally {
            await worker.stop();
          }
        }),
      ),
    );
    report(cases, fallbackPollIntervalMs);
  } finally {
    await ledger.close();
    await stack.close();
  }
}

function report(cases: Case[], fallbackPollIntervalMs: number | null) {
  const safetyNet =
    fallbackPollIntervalMs === null
      ? 'no fallback poll interval'
      : `a ${fallbackPollIntervalMs / 1000} s fallback poll`;
  printTable(
    `History and billable actions per clip (3 s polling vs webhooks with ${safetyNet})`,
    ['prediction', 'mode', 'events', 'actions', 'activity attempts', 'polls', 'timers', 'signals', 'clip wall (s)'],
    cases.map(({ seconds, mode, counts, wallSeconds }) => [
      `${seconds} s`,
      mode,
      counts.events,
      counts.actions,
      counts.activityAttempts,
      counts.activities.getPrediction ?? 0,
      counts.timers,
      counts.signals,
      fixed(wallSeconds),
    ]),
  );
  const of = (seconds: number, mode: Mode) => cases.find((c) => c.seconds === seconds && c.mode === mode)?.counts;
  const parts = [...new Set(cases.map((c) => c.seconds))].map((seconds) => {
    const polling = of(seconds, 'polling');
    const webhooks = of(seconds, 'webhooks');
    if (!polling || !webhooks) return `${seconds} s: –`;
    return (
      `${seconds} s ${polling.actions}→${webhooks.actions} actions (${ratio(polling.actions, webhooks.actions)}), ` +
      `${polling.events}→${webhooks.events} events (${ratio(polling.events, webhooks.events)})`
    );
  });
  console.log(`\nbench:actions per clip, 3 s polling → webhooks: ${parts.join('; ')}`);
  const byMode = (mode: Mode) =>
    Object.fromEntries(
      cases
        .filter((c) => c.mode === mode)
        .map(({ seconds, counts }) => [String(seconds), { actions: counts.actions, events: counts.events }]),
    );
  printJsonSummary('actions', { webhooks: byMode('webhooks'), polling: byMode('polling') });
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
