import { CancellationScope } from '@temporalio/workflow';

/**
 * What to undo if the clip ends without its output (the saga pattern): each side effect registers its undo where it
 * happens, under a name, so that doing it again replaces the undo instead of adding a second one.
 */
export class Compensations {
  private readonly undos = new Map<string, () => Promise<void>>();

  register(name: string, undo: () => Promise<void>): void {
    this.undos.delete(name);
    this.undos.set(name, undo);
  }

  /** The side effect was settled another way: nothing is left to undo. */
  settle(name: string): void {
    this.undos.delete(name);
  }

  /** Runs every undo, newest first, even while the clip is being cancelled. */
  async run(): Promise<void> {
    const undos = [...this.undos.values()].reverse();
    this.undos.clear();
    await CancellationScope.nonCancellable(async () => {
      for (const undo of undos) await undo();
    });
  }
}
