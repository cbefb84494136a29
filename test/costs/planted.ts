/**
 * Predictions on a test simulator and ledger rows, with discrepancies planted between them: what reconcile
 * tests (in-process and through the CLI) check against.
 */
import { billedClipCost } from '../../src/domain/billing';
import type { PredictionSnapshot } from '../../src/domain/types';
import type { CostLedger } from '../../src/ledger/types';
import { createReplicateGateway } from '../../src/replicate/gateway';
import type { Simulator } from '../../simulator';
import { TOKEN, getJson, startTestSimulator, waitForTerminal } from '../simulator/helpers';

export interface PlantedPredictions {
  simulator: Simulator;
  /** Succeeded and booked correctly. */
  booked: PredictionSnapshot;
  /** Succeeded, not booked. */
  unbooked: PredictionSnapshot;
  /** Canceled while running (so billed), not booked. */
  cancelledAfterRunning: PredictionSnapshot;
  /** Canceled before it started: not billed, not booked. */
  cancelledBeforeStart: PredictionSnapshot;
  /** Succeeded, booked with a wrong amount. */
  misbooked: PredictionSnapshot;
  /** A booking whose prediction Replicate never had. */
  ghostPredictionId: string;
}

/** Starts a simulator whose predictions wait 0.6 s before running for 0.8 s, and makes the five predictions. */
export async function plantPredictions(): Promise<PlantedPredictions> {
  const simulator = await startTestSimulator({ startSeconds: 0.6, predictSeconds: 0.8 });
  const gateway = createReplicateGateway({ apiToken: TOKEN, baseUrl: simulator.baseUrl });
  let seed = 0;
  const create = () =>
    gateway.createPrediction(
      { model: 'cogvideox', input: { prompt: 'a reconciled lighthouse', seed: ++seed }, idempotencyToken: `t${seed}` },
      undefined,
      { lookupExisting: false },
    );
  const finished = async (prediction: PredictionSnapshot) => {
    await waitForTerminal(simulator, prediction.id);
    return gateway.getPrediction('cogvideox', prediction.id);
  };

  const [booked, unbooked, misbooked, running, notStarted] = await Promise.all([
    create(),
    create(),
    create(),
    create(),
    create(),
  ]);
  const cancelledBeforeStart = await gateway.cancelPrediction('cogvideox', notStarted.id);
  await untilProcessing(simulator, running.id);
  await new Promise((resolve) => setTimeout(resolve, 200));
  await gateway.cancelPrediction('cogvideox', running.id);
  return {
    simulator,
    booked: await finished(booked),
    unbooked: await finished(unbooked),
    misbooked: await finished(misbooked),
    cancelledAfterRunning: await finished(running),
    cancelledBeforeStart: await finished(cancelledBeforeStart),
    ghostPredictionId: 'ghostpredictionneverexisted',
  };
}

/** Books `booked` correctly, `misbooked` at double its amount, and a row for the ghost prediction. */
export async function bookPlanted(ledger: CostLedger, jobId: string, planted: PlantedPredictions): Promise<void> {
  await bookCorrectly(ledger, jobId, 0, planted.booked);
  const cost = billedClipCost(planted.misbooked, '0.252') ?? fail('misbooked prediction has no cost');
  await ledger.bookClipCost({
    ...entryOf(jobId, 1, planted.misbooked),
    amountUsd: (Number(cost.amountUsd) * 2).toFixed(6),
  });
  await ledger.bookClipCost({
    ...entryOf(jobId, 2, planted.booked),
    predictionId: planted.ghostPredictionId,
    amountUsd: '0.100000',
  });
}

export async function bookCorrectly(
  ledger: CostLedger,
  jobId: string,
  clipIndex: number,
  prediction: PredictionSnapshot,
): Promise<void> {
  await ledger.bookClipCost(entryOf(jobId, clipIndex, prediction));
}

function entryOf(jobId: string, clipIndex: number, prediction: PredictionSnapshot) {
  const cost = billedClipCost(prediction, '0.252') ?? fail(`prediction ${prediction.id} has no cost`);
  return {
    jobId,
    clipIndex,
    predictionId: prediction.id,
    model: prediction.model,
    amountUsd: cost.amountUsd,
    estimateUsd: '0.252000',
    source: cost.source,
    predictTimeSeconds: prediction.predictTime,
    billingMetric: cost.billingMetric,
    unitPriceUsd: cost.unitPriceUsd,
    predictionStatus: cost.predictionStatus,
  };
}

async function untilProcessing(simulator: Simulator, id: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while ((await getJson(`${simulator.baseUrl}/predictions/${id}`)).json.status !== 'processing') {
    if (Date.now() > deadline) throw new Error(`prediction ${id} never started`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function fail(message: string): never {
  throw new Error(message);
}
