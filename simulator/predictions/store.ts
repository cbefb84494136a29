import type { PredictionEntry } from './entry';

export const PAGE_SIZE = 100;

export interface ListQuery {
  cursor?: string;
  createdAfterMs?: number;
  createdBeforeMs?: number;
}

export interface ListPage {
  entries: PredictionEntry[];
  nextCursor: string | null;
  previousCursor: string | null;
}

interface Cursor {
  direction: 'next' | 'previous';
  seq: number;
}

export class PredictionStore {
  private readonly byId = new Map<string, PredictionEntry>();
  private readonly ordered: PredictionEntry[] = [];
  private nextSeq = 1;

  allocateSeq(): number {
    return this.nextSeq++;
  }

  add(entry: PredictionEntry): void {
    this.byId.set(entry.id, entry);
    this.ordered.push(entry);
  }

  get(id: string): PredictionEntry | undefined {
    return this.byId.get(id);
  }

  /** Oldest first. */
  all(): readonly PredictionEntry[] {
    return this.ordered;
  }

  /** Newest first, PAGE_SIZE per page, with keyset cursors that stay valid while predictions are created. */
  page(query: ListQuery): ListPage {
    const cursor = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    const matching = this.ordered
      .filter(
        (entry) =>
          (query.createdAfterMs === undefined || entry.createdMs >= query.createdAfterMs) &&
          (query.createdBeforeMs === undefined || entry.createdMs < query.createdBeforeMs),
      )
      .reverse();
    let entries: PredictionEntry[];
    if (!cursor) entries = matching.slice(0, PAGE_SIZE);
    else if (cursor.direction === 'next')
      entries = matching.filter((entry) => entry.seq < cursor.seq).slice(0, PAGE_SIZE);
    else entries = matching.filter((entry) => entry.seq > cursor.seq).slice(-PAGE_SIZE);
    const first = entries[0];
    const last = entries[entries.length - 1];
    return {
      entries,
      nextCursor:
        last && matching.some((entry) => entry.seq < last.seq)
          ? encodeCursor({ direction: 'next', seq: last.seq })
          : null,
      previousCursor:
        first && matching.some((entry) => entry.seq > first.seq)
          ? encodeCursor({ direction: 'previous', seq: first.seq })
          : null,
    };
  }
}

function encodeCursor(cursor: Cursor): string {
  return Buffer.from(`${cursor.direction === 'next' ? 'n' : 'p'}:${cursor.seq}`).toString('base64url');
}

/** Throws when the cursor was not made by encodeCursor. */
function decodeCursor(text: string): Cursor {
  const match = /^([np]):(\d+)$/.exec(Buffer.from(text, 'base64url').toString('utf8'));
  if (!match) throw new InvalidCursorError();
  return { direction: match[1] === 'n' ? 'next' : 'previous', seq: Number(match[2]) };
}

export class InvalidCursorError extends Error {
  constructor() {
    super('Invalid cursor');
  }
}
