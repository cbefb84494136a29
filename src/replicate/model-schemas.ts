/**
 * `clipgen doctor`'s checks against Replicate, all free (GETs only, no prediction is created): the token
 * (GET /v1/account), each catalogue model's input schema against what the catalogue plans to send it
 * (GET /v1/models/{owner}/{name}, and the pinned version of a community model), and the webhook signing secret
 * (GET /v1/webhooks/default/secret).
 */
import { timingSafeEqual } from 'node:crypto';
import type Replicate from 'replicate';
import { CATALOGUE } from '../domain/catalogue';
import type { ModelSpec } from '../domain/model-spec';
import { replicateModelName } from '../domain/replicate-refs';
import { compareInputs, resolveInputSchema, type SchemaDrift } from '../domain/schema-drift';
import type { ModelId } from '../domain/types';
import { createSingleAttemptClient, DEFAULT_REPLICATE_BASE_URL, type ReplicateClientConfig } from './client';
import { redactSecrets } from './classify-error';

export type CheckStatus = 'ok' | 'fail' | 'skipped';

export interface DoctorCheck {
  status: CheckStatus;
  /** One line: what was found (never a secret). */
  detail: string;
}

export interface ModelSchemaCheck extends DoctorCheck {
  model: ModelId;
  /** owner/name on Replicate. */
  replicate: string;
  /** The version compared: the pinned one for community models, the latest for official ones. */
  version: string | null;
  /** What the compared version no longer accepts of what clipgen sends; empty when it takes everything. */
  drift: SchemaDrift[];
  /** For information (not problems), e.g. a newer version than the pin, and what moving the pin would need. */
  notes: string[];
}

export interface DoctorReport {
  /** True when no check failed. */
  ok: boolean;
  replicate: { baseUrl: string };
  token: DoctorCheck & { account?: string };
  models: ModelSchemaCheck[];
  webhookSecret: DoctorCheck;
  /** Failed checks. */
  problems: number;
}

export interface DoctorOptions extends ReplicateClientConfig {
  /** REPLICATE_WEBHOOK_SECRET, when set: compared (in constant time) with the account's secret. */
  webhookSecret?: string | null;
  /** Default: every catalogue model. */
  models?: readonly ModelSpec[];
}

type ReadOutcome<T> = { ok: true; value: T } | { ok: false; status: number | null; detail: string };

interface VersionSchema {
  id: string;
  openapiSchema: unknown;
}

const SECRET_SHAPE = /^whsec_[A-Za-z0-9+/]+={0,2}$/;

export async function runDoctor(options: DoctorOptions): Promise<DoctorReport> {
  const specs = options.models ?? Object.values(CATALOGUE);
  const read = <T>(run: (client: Replicate) => Promise<T>) => readOnce(options, run);
  const baseUrl = options.baseUrl ?? DEFAULT_REPLICATE_BASE_URL;

  const account = await read((client) => client.accounts.current());
  const token = tokenCheck(account);
  const stop = account.ok ? null : tokenStopsTheRest(account);
  const skipped = (spec: ModelSpec): ModelSchemaCheck => ({
    status: 'skipped',
    detail: `skipped: ${stop}`,
    model: spec.id,
    replicate: replicateModelName(spec.replicate),
    version: null,
    drift: [],
    notes: [],
  });
  const [models, webhookSecret] = stop
    ? [specs.map(skipped), { status: 'skipped' as const, detail: `skipped: ${stop}` }]
    : await Promise.all([
        Promise.all(specs.map((spec) => checkModel(read, spec))),
        checkWebhookSecret(read, options.webhookSecret ?? null),
      ]);
  const problems = [token, ...models, webhookSecret].filter((check) => check.status === 'fail').length;
  return { ok: problems === 0, replicate: { baseUrl }, token, models, webhookSecret, problems };
}

function tokenCheck(account: ReadOutcome<{ type?: string; username?: string }>): DoctorReport['token'] {
  if (account.ok) {
    const who = [account.value.type, account.value.username].filter(Boolean).join(' ');
    return { status: 'ok', detail: `accepted${who ? ` (${who})` : ''}`, account: account.value.username };
  }
  if (account.status === 401 || account.status === 403) {
    return { status: 'fail', detail: `refused by Replicate (${account.detail}): check REPLICATE_API_TOKEN` };
  }
  return { status: 'fail', detail: `could not be checked: GET /v1/account: ${account.detail}` };
}

/** Why the other checks are not worth making after the token check failed, or null when they are. */
function tokenStopsTheRest(account: Extract<ReadOutcome<unknown>, { ok: false }>): string | null {
  if (account.status === 401 || account.status === 403) return 'the token was refused';
  if (account.status === null) return 'Replicate did not answer';
  return null;
}

async function checkModel(
  read: <T>(run: (client: Replicate) => Promise<T>) => Promise<ReadOutcome<T>>,
  spec: ModelSpec,
): Promise<ModelSchemaCheck> {
  const { owner, name, version: pin } = spec.replicate;
  const check: ModelSchemaCheck = {
    status: 'ok',
    detail: '',
    model: spec.id,
    replicate: replicateModelName(spec.replicate),
    version: null,
    drift: [],
    notes: [],
  };
  const fail = (detail: string): ModelSchemaCheck => ({ ...check, status: 'fail', detail });

  const model = await read((client) => client.models.get(owner, name));
  if (!model.ok) {
    const what = model.status === 404 ? 'not found on Replicate' : model.detail;
    return fail(`GET /v1/models/${owner}/${name}: ${what}`);
  }
  const latest = versionSchema((model.value as { latest_version?: unknown }).latest_version);
  let compared: VersionSchema;
  let which: string;
  if (pin === null) {
    if (!latest) return fail(`${check.replicate} has no latest version`);
    compared = latest;
    which = 'latest version';
  } else if (latest?.id === pin) {
    compared = latest;
    which = 'pinned version, the latest';
  } else {
    const pinned = await read((client) => client.models.versions.get(owner, name, pin));
    const schema = pinned.ok ? versionSchema(pinned.value) : null;
    if (!pinned.ok || !schema) {
      const what =
        !pinned.ok && pinned.status === 404 ? 'no longer available' : pinned.ok ? 'unreadable' : pinned.detail;
      return fail(`pinned version ${shortId(pin)} of ${check.replicate}: ${what}`);
    }
    compared = schema;
    which = 'pinned version';
    if (latest) check.notes.push(...newerVersionNotes(spec, latest));
  }
  check.version = compared.id;
  const input = resolveInputSchema(compared.openapiSchema);
  const subject = `${check.replicate} ${shortId(compared.id)} (${which})`;
  if (!input) return fail(`${subject} publishes no openapi_schema.components.schemas.Input`);
  check.drift = compareInputs(spec.inputs, input);
  const count = Object.keys(spec.inputs).length;
  if (check.drift.length === 0) return { ...check, detail: `${subject} takes all ${count} inputs clipgen may send` };
  const drifts = `${check.drift.length} ${check.drift.length === 1 ? 'difference' : 'differences'}`;
  return fail(`${subject} has drifted from what clipgen sends (${drifts})`);
}

/** A version newer than the pin: what moving the pin to it would need. */
function newerVersionNotes(spec: ModelSpec, latest: VersionSchema): string[] {
  const input = resolveInputSchema(latest.openapiSchema);
  const head = `a newer version ${shortId(latest.id)} exists (clipgen runs the pinned one)`;
  if (!input) return [`${head}; it publishes no Input schema`];
  const drift = compareInputs(spec.inputs, input);
  if (drift.length === 0) return [`${head}; it takes every input clipgen sends`];
  return [`${head}; moving the pin to it would need:`, ...drift.map((one) => `  ${one.message}`)];
}

async function checkWebhookSecret(
  read: <T>(run: (client: Replicate) => Promise<T>) => Promise<ReadOutcome<T>>,
  configured: string | null,
): Promise<DoctorCheck> {
  const secret = await read((client) => client.webhooks.default.secret.get());
  if (!secret.ok) return { status: 'fail', detail: `unreachable: GET /v1/webhooks/default/secret: ${secret.detail}` };
  const key = (secret.value as { key?: unknown }).key;
  if (typeof key !== 'string' || !SECRET_SHAPE.test(key)) {
    return { status: 'fail', detail: 'GET /v1/webhooks/default/secret answered without a whsec_ key' };
  }
  if (configured === null) return { status: 'ok', detail: 'reachable (a whsec_ key; not printed)' };
  if (!sameSecret(key, configured)) {
    return {
      status: 'fail',
      detail:
        "REPLICATE_WEBHOOK_SECRET differs from the account's secret: the receiver would refuse every delivery " +
        '(bad-signature); set it again from GET /v1/webhooks/default/secret',
    };
  }
  return { status: 'ok', detail: 'reachable, and REPLICATE_WEBHOOK_SECRET matches it' };
}

function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function versionSchema(value: unknown): VersionSchema | null {
  if (typeof value !== 'object' || value === null) return null;
  const { id, openapi_schema: openapiSchema } = value as { id?: unknown; openapi_schema?: unknown };
  return typeof id === 'string' ? { id, openapiSchema } : null;
}

function shortId(id: string): string {
  return id.length > 12 ? id.slice(0, 8) : id;
}

/** One GET through a single-attempt client: its value, or the HTTP status and a redacted one-line detail. */
async function readOnce<T>(
  config: ReplicateClientConfig,
  run: (client: Replicate) => Promise<T>,
): Promise<ReadOutcome<T>> {
  const single = createSingleAttemptClient(config);
  const secrets = [single.token, config.apiToken];
  try {
    return { ok: true, value: await run(single.client) };
  } catch (error) {
    const failure = single.failure();
    if (failure?.kind === 'http') {
      const detail = redactSecrets(errorDetail(failure.body), secrets);
      return { ok: false, status: failure.status, detail: `HTTP ${failure.status}${detail ? `: ${detail}` : ''}` };
    }
    const cause = failure?.kind === 'network' ? failure.error : error;
    const message = isTimeout(cause)
      ? `no answer within ${single.timeoutMs} ms`
      : cause instanceof Error
        ? describeNetworkError(cause)
        : String(cause);
    return { ok: false, status: null, detail: redactSecrets(message, secrets) };
  }
}

/** Replicate's error bodies carry `detail` (or `title`); anything else is cut short. */
function errorDetail(body: string): string {
  try {
    const parsed = JSON.parse(body) as { detail?: unknown; title?: unknown };
    const text = typeof parsed.detail === 'string' ? parsed.detail : parsed.title;
    if (typeof text === 'string') return text.slice(0, 200);
  } catch {
    // not JSON
  }
  return body.replace(/\s+/g, ' ').trim().slice(0, 200);
}

function isTimeout(error: unknown): boolean {
  return error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
}

function describeNetworkError(error: Error): string {
  const cause = (error as { cause?: unknown }).cause;
  const code = typeof cause === 'object' && cause !== null ? (cause as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? `${error.message} (${code})` : error.message;
}
