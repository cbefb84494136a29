/**
 * generateClipsWorkflow's `bookedUsd` is what the job's ledger says the fan-out spent, failed clips included: one
 * clip whose prediction failed after it ran (billed) and one whose output was missing after its prediction succeeded
 * (billed), beside one that succeeded. Checked against `clipgen cost --job-id --json` reading the same ledger.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createActivities } from '../../src/activities';
import type { JobStatement } from '../../src/costs/cost-report';
import { FailureType } from '../../src/domain/failures';
import { addUsd, compareUsd } from '../../src/domain/money';
import { openLedger } from '../../src/ledger';
import type { GenerateClipsInput, generateClipsWorkflow } from '../../src/workflows';
import { lastLine, runCli } from '../commands/run-cli';
import { useClipHarness } from './harness';
import { imageClips, parentOptions } from './parent-support';

jest.setTimeout(180_000);

const harness = useClipHarness();

describe("generateClipsWorkflow's bookedUsd", () => {
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'clipgen-booked-usd-'));
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it("equals the job's ledger total, with what failed clips booked, as `clipgen cost --job-id` reports it", async () => {
    const pgliteDir = path.join(dataDir, 'ledger');
    const ledger = await openLedger({ pgliteDir });
    const input: GenerateClipsInput = { jobId: randomUUID(), clips: imageClips(harness, 3) };
    harness.simulator.faults.add([
      { kind: 'prediction-failed', model: 'svd', error: 'The input or output was flagged as sensitive. (E005)' },
      { kind: 'output-404' },
    ]);
    let result: Awaited<ReturnType<typeof generateClipsWorkflow>>;
    try {
      const { worker, taskQueue } = await harness.worker(() => createActivities({ ...harness.deps, ledger }));
      result = await worker.runUntil(
        harness.env.client.workflow.execute<typeof generateClipsWorkflow>(
          'generateClipsWorkflow',
          parentOptions(input, taskQueue),
        ),
      );
    } finally {
      await ledger.close();
    }

    expect(result.clips).toHaveLength(1);
    expect(result.failed.map((failed) => failed.failureType)).toEqual([FailureType.Generation, FailureType.Generation]);
    expect(result.failed.map((failed) => failed.bookings?.predictions.map((booking) => booking.status)).sort()).toEqual(
      [['failed'], ['succeeded']],
    );
    const clipsCost = result.clips.reduce((sum, clip) => addUsd(sum, clip.cost), '0');
    expect(compareUsd(result.bookedUsd, clipsCost)).toBe(1);

    // The ledger is a PGlite directory: closed above, so the CLI (another process) can open it.
    const cost = await runCli(['cost', '--job-id', input.jobId, '--json'], {
      DATABASE_URL: '',
      PGLITE_DIR: pgliteDir,
      CLIPGEN_DATA_DIR: dataDir,
    });
    expect({ code: cost.code, stderr: cost.stderr }).toEqual({ code: 0, stderr: '' });
    const statement = JSON.parse(lastLine(cost.stdout)) as JobStatement;
    expect(statement.clips).toHaveLength(3);
    expect(statement.bookedUsd).toBe(result.bookedUsd);
    expect(statement.clipsTotalUsd).toBe(result.bookedUsd);
  });
});
