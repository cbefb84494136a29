/**
 * Scripted faults. Each fault applies to the next `times` matching requests (default 1), then expires.
 * A fault matches a request when its route (or the kind's default route) is the request's route and,
 * when `model` is set, the request concerns that model ('owner/name' or catalogue key).
 */
export type FaultRoute = 'create' | 'get' | 'cancel' | 'list' | 'output' | 'webhook';

export interface FaultScope {
  /** How many matching requests it affects: a number (default 1), Infinity or 'always'. */
  times?: number | 'always';
  /** 'owner/name' or catalogue key ('svd', 'kling-v2.1', ...). */
  model?: string;
  route?: FaultRoute;
}

export type FaultEffect =
  | { kind: 'http-error'; status: number; retryAfter?: number; body?: unknown }
  | { kind: 'reset' }
  | { kind: 'lose-response' }
  | { kind: 'delay'; ms: number }
  | { kind: 'prediction-failed'; error: string }
  | { kind: 'model-unavailable' }
  | { kind: 'never-finish' }
  /**
   * The prediction has already been running `seconds` when it is created: the simulator skips that time, as a
   * time-skipping test server does, so tests see a long (billed) run at once. Its `Cancel-After` still applies.
   */
  | { kind: 'long-run'; seconds: number }
  /**
   * The model's worker boots for `seconds` before the prediction starts: it stays `starting` that long (unbilled),
   * as a community model's cold boot does. On the simulator's clock (a test may inject one that follows its server).
   */
  | { kind: 'cold-boot'; seconds: number }
  /**
   * The cancel is asynchronous: it answers with the prediction still running, which stops (`canceled`, with its
   * final metrics) `ms` later on the simulator's clock. Until then it keeps running, and billing.
   */
  | { kind: 'slow-cancel'; ms: number }
  | { kind: 'output-404' }
  | { kind: 'output-truncated' }
  | { kind: 'output-not-video' }
  /** Half the output's bytes, then nothing for `ms`, then the rest: a download (and an upload fed by it) mid-way. */
  | { kind: 'output-stall'; ms: number }
  | { kind: 'webhook-fail' };

export type Fault = FaultScope & FaultEffect;

export type FaultKind = FaultEffect['kind'];

export interface FaultController {
  add(fault: Fault | Fault[]): void;
  clear(): void;
  /** Faults still active, with their remaining `times`. */
  list(): Fault[];
}

/** Kinds that only make sense on one route, whatever `route` says. */
const FIXED_ROUTE: Partial<Record<FaultKind, FaultRoute>> = {
  'prediction-failed': 'create',
  'model-unavailable': 'create',
  'never-finish': 'create',
  'long-run': 'create',
  'cold-boot': 'create',
  'slow-cancel': 'cancel',
  'output-404': 'output',
  'output-truncated': 'output',
  'output-not-video': 'output',
  'output-stall': 'output',
  'webhook-fail': 'webhook',
};

/** Kinds that apply wherever `route` says (the create call when it says nothing). */
const ROUTABLE_KINDS: FaultKind[] = ['http-error', 'reset', 'lose-response', 'delay'];

const FAULT_KINDS: string[] = [...ROUTABLE_KINDS, ...Object.keys(FIXED_ROUTE)];

const ROUTES: FaultRoute[] = ['create', 'get', 'cancel', 'list', 'output', 'webhook'];

/** The model a request concerns, in both spellings, so either can be used in a fault. */
export interface FaultSubject {
  model?: string;
  modelKey?: string;
}

interface ActiveFault {
  fault: Fault;
  remaining: number;
}

export class FaultBook implements FaultController {
  private active: ActiveFault[] = [];

  add(fault: Fault | Fault[]): void {
    // Check them all first, so a bad fault in a batch adds none.
    const checked = (Array.isArray(fault) ? fault : [fault]).map(parseFault);
    for (const one of checked) this.active.push({ fault: one, remaining: remainingTimes(one.times) });
  }

  clear(): void {
    this.active = [];
  }

  list(): Fault[] {
    return this.active.map(({ fault, remaining }) => ({
      ...fault,
      times: remaining === Infinity ? 'always' : remaining,
    }));
  }

  /** Consumes one use of the first active fault of these kinds that matches the request. */
  take<K extends FaultKind>(route: FaultRoute, subject: FaultSubject, kinds: K[]): Extract<Fault, { kind: K }> | null {
    const index = this.active.findIndex(
      ({ fault }) => kinds.includes(fault.kind as K) && routeOf(fault) === route && modelMatches(fault, subject),
    );
    if (index < 0) return null;
    const entry = this.active[index];
    entry.remaining -= 1;
    if (entry.remaining <= 0) this.active.splice(index, 1);
    return entry.fault as Extract<Fault, { kind: K }>;
  }
}

function routeOf(fault: Fault): FaultRoute {
  return FIXED_ROUTE[fault.kind] ?? fault.route ?? 'create';
}

function modelMatches(fault: Fault, subject: FaultSubject): boolean {
  if (fault.model === undefined) return true;
  return fault.model === subject.model || fault.model === subject.modelKey;
}

function remainingTimes(times: Fault['times']): number {
  if (times === undefined) return 1;
  if (times === 'always') return Infinity;
  return times;
}

/** Validates a fault from untrusted JSON (the admin endpoint); throws an Error naming the problem. */
export function parseFault(value: unknown): Fault {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('a fault must be an object');
  const fault = value as Record<string, unknown>;
  const kind = fault.kind;
  if (typeof kind !== 'string' || !FAULT_KINDS.includes(kind)) {
    throw new Error(`fault.kind must be one of ${FAULT_KINDS.join(', ')}`);
  }
  const times = fault.times;
  const timesValid =
    times === undefined ||
    times === 'always' ||
    times === null ||
    (typeof times === 'number' && (times === Infinity || (Number.isInteger(times) && times > 0)));
  if (!timesValid) throw new Error('fault.times must be a positive integer, Infinity or "always"');
  if (fault.route !== undefined && !ROUTES.includes(fault.route as FaultRoute)) {
    throw new Error(`fault.route must be one of ${ROUTES.join(', ')}`);
  }
  if (fault.model !== undefined && typeof fault.model !== 'string') throw new Error('fault.model must be a string');
  checkKindFields(kind as FaultKind, fault);
  return { ...fault, times: times === null ? 'always' : times } as Fault;
}

function checkKindFields(kind: FaultKind, fault: Record<string, unknown>): void {
  if (kind === 'http-error') {
    const status = fault.status;
    if (typeof status !== 'number' || !Number.isInteger(status) || status < 400 || status > 599) {
      throw new Error('http-error needs an integer status between 400 and 599');
    }
    if (fault.retryAfter !== undefined && (typeof fault.retryAfter !== 'number' || fault.retryAfter < 0)) {
      throw new Error('http-error retryAfter must be a number of seconds >= 0');
    }
  }
  if ((kind === 'delay' || kind === 'output-stall') && (typeof fault.ms !== 'number' || !(fault.ms >= 0))) {
    throw new Error(`${kind} needs ms >= 0`);
  }
  if ((kind === 'long-run' || kind === 'cold-boot') && (typeof fault.seconds !== 'number' || !(fault.seconds > 0))) {
    throw new Error(`${kind} needs seconds > 0`);
  }
  if (kind === 'slow-cancel' && (typeof fault.ms !== 'number' || !(fault.ms > 0))) {
    throw new Error('slow-cancel needs ms > 0');
  }
  if (kind === 'prediction-failed' && (typeof fault.error !== 'string' || fault.error === '')) {
    throw new Error('prediction-failed needs an error string');
  }
}
