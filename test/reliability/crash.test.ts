/**
 * SIGKILL the worker process in each phase of a clip, start a new one, and check that nothing was lost or paid twice.
 * Every phase runs CRASH_LOOPS times (default 2); the phases of one loop run side by side, each with its own worker
 * process, simulator and task queue on one dev server.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import type { ClipProgress } from '../../src/domain/progress';
import type { Fault } from '../../simulator/faults';
import type { SimulatorOptions } from '../../simulator';
import { expectOneOfEverything, useClipWorld, type Scenario } from './support/clip-world';
import { highestAttempt, workflowTaskTimeouts } from './support/history-evidence';

const LOOPS = Number(process.env.CRASH_LOOPS ?? 2);
/** CRASH_PHASES=mid-transfer,… runs only the phases named (default: all). */
const ONLY = process.env.CRASH_PHASES?.split(',').map((name) => name.trim());
/** Lost activities come back after their timeouts (45 s create, 30 s heartbeat or start-to-close): allow a few. */
const RECOVERY_TIMEOUT_MS = 240_000;

jest.setTimeout(RECOVERY_TIMEOUT_MS + 120_000);

interface CrashPhase {
  name: string;
  simulator?: SimulatorOptions;
  faults?: Fault[];
  /** Holds the phase open (e.g. a hung database) once the previous phase is seen; undone after the kill. */
  hold?(scenario: Scenario): void;
  release?(scenario: Scenario): void;
  reached(progress: ClipProgress | null, scenario: Scenario): boolean;
  /** Proof in the history that the kill interrupted this phase (so the test cannot pass by missing it). */
  interrupted(handle: WorkflowHandle, scenario: Scenario): Promise<boolean>;
}

const retried = (activityType: string) => async (handle: WorkflowHandle) =>
  (await highestAttempt(handle, activityType)) >= 2;

const phaseIs =
  (...phases: ClipProgress['phase'][]) =>
  (progress: ClipProgress | null) =>
    progress !== null && phases.includes(progress.phase);

const PHASES: CrashPhase[] = [
  {
    // The create is held 3 s by the simulator, which still creates it: the response is lost with the worker.
    name: 'during create',
    faults: [{ kind: 'delay', ms: 3000, route: 'create', times: 'always' }],
    reached: (_progress, scenario) => (scenario.simulator.stats().requests['POST /v1/predictions'] ?? 0) >= 1,
    interrupted: retried('createPrediction'),
  },
  {
    name: 'while waiting',
    simulator: { predictSeconds: 5 },
    reached: phaseIs('waiting-for-prediction'),
    interrupted: async (handle) => (await workflowTaskTimeouts(handle)) >= 1,
  },
  {
    // The output request is held before its answer: the kill lands while fetchProbeStore waits for the first byte.
    name: 'before the output arrives',
    faults: [{ kind: 'delay', ms: 1500, route: 'output', times: 'always' }],
    reached: (progress, scenario) => phaseIs('storing')(progress) && outputRequests(scenario) >= 1,
    interrupted: retried('fetchProbeStore'),
  },
  {
    // Half the output arrives, then the transfer stalls: the kill lands mid-fetch, with half the output in the spool
    // file. The next attempt (same machine, same spool folder) resumes it with a Range request.
    name: 'mid-transfer',
    faults: [{ kind: 'output-stall', ms: 4000, times: 'always' }],
    reached: (progress, scenario) => phaseIs('storing')(progress) && partlySpooledFiles(scenario) > 0,
    interrupted: async (handle, scenario) =>
      (await retried('fetchProbeStore')(handle)) &&
      Object.values(scenario.simulator.stats().outputs).some((output) => output.rangeRequests >= 1),
  },
  {
    // With PostgreSQL the booking is held mid-transaction by pausing the database link; with PGlite the kill races it.
    name: 'during cost booking',
    hold: (scenario) => scenario.databaseProxy?.pause(),
    release: (scenario) => scenario.databaseProxy?.resume(),
    reached: phaseIs('recording-cost'),
    interrupted: async (handle, scenario) =>
      scenario.databaseProxy
        ? retried('recordClipCost')(handle)
        : (await highestAttempt(handle, 'recordClipCost')) >= 1,
  },
];

/** Output requests the scenario's simulator has had, over all predictions. */
function outputRequests(scenario: Scenario): number {
  return Object.values(scenario.simulator.stats().outputs).reduce((sum, output) => sum + output.requests, 0);
}

/** Spool files of outputs being fetched, with bytes in them (the workers' SPOOL_DIR: $CLIPGEN_DATA_DIR/spool). */
function partlySpooledFiles(scenario: Scenario): number {
  const spoolDir = path.join(scenario.dir, 'spool');
  const names = fs.existsSync(spoolDir) ? fs.readdirSync(spoolDir) : [];
  return names.filter((name) => {
    if (!name.endsWith('.part')) return false;
    try {
      return fs.statSync(path.join(spoolDir, name)).size > 0;
    } catch {
      return false; // renamed or removed meanwhile
    }
  }).length;
}

const world = useClipWorld();

describe.each(Array.from({ length: LOOPS }, (_, loop) => loop + 1))('SIGKILL of the worker, loop %i', () => {
  it('every clip completes with one prediction, one stored object, one ledger row', async () => {
    const phases = PHASES.filter((phase) => !ONLY || ONLY.includes(phase.name));
    expect(phases.length).toBeGreaterThan(0);
    const outcomes = await Promise.allSettled(phases.map((phase) => crashDuring(phase)));
    const failures = outcomes.flatMap((outcome, index) =>
      outcome.status === 'rejected' ? [`${phases[index].name}: ${String(outcome.reason)}`] : [],
    );
    expect(failures).toEqual([]);
  });
});

async function crashDuring(phase: CrashPhase): Promise<void> {
  const scenario = await world.scenario(phase.name.replace(/\W+/g, '-'), phase.simulator);
  try {
    scenario.addFaults(phase.faults ?? []);
    const first = await scenario.startWorker();
    const input = scenario.input();
    const handle = await scenario.startClip(input);
    if (phase.hold) {
      // Bookings come as soon as the prediction ends, before its output is stored: hold while it is still awaited.
      await scenario.waitFor(
        handle,
        phaseIs('waiting-for-start', 'waiting-for-prediction', 'recording-cost'),
        'waiting for the prediction',
      );
      phase.hold(scenario);
    }
    await scenario.waitFor(handle, (progress) => phase.reached(progress, scenario), phase.name);
    await first.kill();
    phase.release?.(scenario);

    await scenario.startWorker();
    const clip = await withTimeout(handle.result(), RECOVERY_TIMEOUT_MS, `${phase.name}: clip after the restart`);
    await Promise.all(scenario.workers.map((worker) => worker.stop()));
    await expectOneOfEverything(scenario, input, clip);
    expect(await phase.interrupted(handle, scenario)).toBe(true);
  } finally {
    await scenario.close();
  }
}

async function withTimeout<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
