/** Which requests a fault applies to. */
export type FaultTarget =
  | 'object-upload'
  | 'tus-create'
  | 'tus-head'
  | 'tus-patch'
  | 'sign'
  | 'info'
  | 'download'
  | 'bucket'
  | 'any';

export type Fault =
  /** An error answer as Supabase sends it: 500 InternalError, 429 SlowDown, 544 DatabaseTimeout, 502 HTML page. */
  | { kind: 'status'; status: 500 | 429 | 544 | 502 }
  /** The gateway's 401 for an unknown API key. */
  | { kind: 'unauthorized' }
  /** EntityTooLarge: 400 "413" on object routes, 413 "Maximum size exceeded" on TUS routes. */
  | { kind: 'too-large' }
  /** Waits before handling the request normally. */
  | { kind: 'slow'; delayMs: number }
  /** Destroys the connection before answering. */
  | { kind: 'drop' }
  /** Takes `bytes` of the request body (a TUS PATCH keeps them, as tus servers do), then destroys the connection. */
  | { kind: 'drop-after'; bytes: number };

interface Armed {
  target: FaultTarget;
  fault: Fault;
  skip: number;
  remaining: number;
}

/** Faults to inject: each lets `skip` matching requests pass, then hits the next `times`. */
export class Faults {
  private armed: Armed[] = [];

  add(target: FaultTarget, fault: Fault, { times = 1, skip = 0 }: { times?: number; skip?: number } = {}): void {
    this.armed.push({ target, fault, skip, remaining: times });
  }

  clear(): void {
    this.armed = [];
  }

  /** The fault for this request, if one is armed (consuming one use). */
  take(target: FaultTarget): Fault | null {
    const match = this.armed.find((entry) => entry.target === target || entry.target === 'any');
    if (!match) return null;
    if (match.skip > 0) {
      match.skip -= 1;
      return null;
    }
    match.remaining -= 1;
    if (match.remaining <= 0) this.armed = this.armed.filter((entry) => entry !== match);
    return match.fault;
  }
}
