/**
 * PGlite has no cross-process lock: a second process opening the same data directory corrupts it. A PID
 * file beside the directory turns that into a clear error.
 */
import { mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface DataDirLock {
  release(): void;
}

const heldByThisProcess = new Set<string>();

export function lockDataDirectory(dataDir: string): DataDirLock {
  const lockPath = `${path.resolve(dataDir)}.lock`;
  mkdirSync(path.dirname(lockPath), { recursive: true });
  if (!tryCreate(lockPath)) {
    const owner = readOwner(lockPath);
    if (owner !== null && isHeldElsewhere(lockPath, owner)) {
      throw new Error(
        `The PGlite ledger ${dataDir} is open in process ${owner}; PGlite allows one process per data directory. ` +
          `Stop that process, or share a Postgres ledger through DATABASE_URL (remove ${lockPath} if no such process exists).`,
      );
    }
    // Left behind by a process that is gone: take it over.
    unlinkSync(lockPath);
    if (!tryCreate(lockPath)) throw new Error(`Another process took the PGlite ledger lock ${lockPath} just now`);
  }
  heldByThisProcess.add(lockPath);
  return {
    release() {
      if (!heldByThisProcess.delete(lockPath)) return;
      if (readOwner(lockPath) === process.pid) unlinkSync(lockPath);
    },
  };
}

function tryCreate(lockPath: string): boolean {
  try {
    writeFileSync(lockPath, String(process.pid), { flag: 'wx' });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

function readOwner(lockPath: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(lockPath, 'utf8'), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

function isHeldElsewhere(lockPath: string, pid: number): boolean {
  // Our own pid on a lock we did not take comes from an earlier life of a container whose main process
  // had the same pid: stale.
  if (pid === process.pid) return heldByThisProcess.has(lockPath);
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
