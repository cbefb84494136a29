import type { ClipActivities } from '../../src/activities';
import type { ClipHarness } from './harness';

/**
 * A clock for the simulator that keeps up with the time-skipping server's. The server skips a workflow's timers
 * (a 3 s poll takes milliseconds), while the simulator's predictions follow its own clock: with this clock a
 * prediction that boots for 180 s, or a cancel that lands 10 s later, does so in the workflow's time. Before each
 * Replicate call the clock catches up with the server's; in between it runs at real speed, never backwards.
 *
 *   const clock = new ServerClock();
 *   const harness = useClipHarness('time-skipping', { simulator: { now: clock.now } });
 *   await harness.run(input, clock.follow(harness));
 */
export class ServerClock {
  private aheadMs = 0;

  readonly now = (): number => Date.now() + this.aheadMs;

  /** Activities whose Replicate calls first bring the simulator's clock up to the server's. */
  follow(harness: ClipHarness): (activities: ClipActivities) => Partial<ClipActivities> {
    const sync = async (): Promise<void> => {
      const serverMs = await harness.env.currentTimeMs();
      this.aheadMs = Math.max(this.aheadMs, serverMs - Date.now());
    };
    const synced =
      <Args extends unknown[], Result>(call: (...args: Args) => Promise<Result>) =>
      async (...args: Args): Promise<Result> => {
        await sync();
        return call(...args);
      };
    return (activities) => ({
      createPrediction: synced(activities.createPrediction),
      getPrediction: synced(activities.getPrediction),
      cancelPrediction: synced(activities.cancelPrediction),
    });
  }
}
