import { jsonTypeOf, type InvalidField } from '../models/schema';
import type { WebhookEventName } from '../types';

export interface CreateBody {
  version?: string;
  input: Record<string, unknown>;
  webhook?: string;
  webhook_events_filter?: WebhookEventName[];
  stream?: boolean;
}

const EVENTS: WebhookEventName[] = ['start', 'output', 'logs', 'completed'];
const COMMON_KEYS = ['input', 'webhook', 'webhook_events_filter', 'stream'];

/**
 * Checks the body of a create request (not the model input): allowed keys, required fields and the webhook
 * options. `byVersion` is POST /predictions, which also requires `version`.
 */
export function checkCreateBody(
  body: unknown,
  byVersion: boolean,
): { body: CreateBody } | { problems: InvalidField[] } {
  if (jsonTypeOf(body) !== 'object') {
    return { problems: [typeProblem('(root)', 'object', body)] };
  }
  const fields = body as Record<string, unknown>;
  const allowed = byVersion ? ['version', ...COMMON_KEYS] : COMMON_KEYS;
  const problems: InvalidField[] = [];
  for (const key of Object.keys(fields)) {
    if (!allowed.includes(key)) {
      problems.push({
        type: 'additional_property_not_allowed',
        field: '',
        description: `Additional property ${key} is not allowed`,
      });
    }
  }
  const required = byVersion ? ['version', 'input'] : ['input'];
  for (const key of required) {
    if (!(key in fields)) problems.push({ type: 'required', field: '(root)', description: `${key} is required` });
  }
  if ('version' in fields && typeof fields.version !== 'string')
    problems.push(typeProblem('version', 'string', fields.version));
  if ('input' in fields && jsonTypeOf(fields.input) !== 'object')
    problems.push(typeProblem('input', 'object', fields.input));
  if ('webhook' in fields) problems.push(...checkWebhook(fields.webhook));
  if ('webhook_events_filter' in fields) problems.push(...checkEvents(fields.webhook_events_filter));
  if ('stream' in fields && typeof fields.stream !== 'boolean')
    problems.push(typeProblem('stream', 'boolean', fields.stream));
  return problems.length > 0 ? { problems } : { body: fields as unknown as CreateBody };
}

function typeProblem(field: string, expected: string, value: unknown): InvalidField {
  return {
    type: 'invalid_type',
    field,
    description: `Invalid type. Expected: ${expected}, given: ${jsonTypeOf(value)}`,
  };
}

function checkWebhook(value: unknown): InvalidField[] {
  if (typeof value !== 'string') return [typeProblem('webhook', 'string', value)];
  try {
    const url = new URL(value);
    if (url.protocol === 'http:' || url.protocol === 'https:') return [];
  } catch {
    // falls through to the format problem
  }
  return [{ type: 'format', field: 'webhook', description: "Does not match format 'uri'" }];
}

function checkEvents(value: unknown): InvalidField[] {
  if (!Array.isArray(value)) return [typeProblem('webhook_events_filter', 'array', value)];
  const allowed = EVENTS.map((event) => JSON.stringify(event)).join(', ');
  return value.flatMap((event, index) =>
    EVENTS.includes(event as WebhookEventName)
      ? []
      : [
          {
            type: 'enum' as const,
            field: `webhook_events_filter.${index}`,
            description: `webhook_events_filter.${index} must be one of the following: ${allowed}`,
          },
        ],
  );
}
