/**
 * The webhook-ids already handled, so a replayed message is recognised. An id only needs remembering while its
 * timestamp is inside the accepted window (older ones fail the timestamp check anyway), so entries expire after
 * `ttlMs`; `maxEntries` bounds memory under a flood, evicting the oldest first.
 */
export class SeenWebhookIds {
  private readonly seenAt = new Map<string, number>();

  constructor(
    private readonly maxEntries: number,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  has(id: string): boolean {
    const at = this.seenAt.get(id);
    if (at === undefined) return false;
    if (this.now() - at < this.ttlMs) return true;
    this.seenAt.delete(id);
    return false;
  }

  remember(id: string): void {
    const now = this.now();
    this.seenAt.delete(id);
    this.seenAt.set(id, now);
    this.evict(now);
  }

  get size(): number {
    return this.seenAt.size;
  }

  private evict(now: number): void {
    // Map iteration is insertion order, i.e. oldest first.
    for (const [id, at] of this.seenAt) {
      if (this.seenAt.size <= this.maxEntries && now - at < this.ttlMs) break;
      this.seenAt.delete(id);
    }
  }
}
