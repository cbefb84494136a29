export interface StreamHead {
  pieces: Buffer[];
  bytes: number;
  /** The stream ended within the limit: `pieces` are all of it. */
  ended: boolean;
}

/**
 * Reads from `iterator` until more than `limit` bytes have arrived or the stream ends, keeping at most `limit`
 * bytes plus one piece in memory. What is left stays in the iterator.
 */
export async function readHead(
  iterator: AsyncIterator<Buffer>,
  limit: number,
  onProgress?: (bytes: number) => void,
): Promise<StreamHead> {
  const pieces: Buffer[] = [];
  let bytes = 0;
  while (bytes <= limit) {
    const next = await iterator.next();
    if (next.done) return { pieces, bytes, ended: true };
    pieces.push(next.value);
    bytes += next.value.length;
    onProgress?.(bytes);
  }
  return { pieces, bytes, ended: false };
}
