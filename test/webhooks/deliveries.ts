import { randomBytes } from 'node:crypto';
import { signWebhook } from '../../simulator';

/** A webhook signing secret in Replicate's format. */
export function newSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

export interface Delivery {
  path: string;
  headers: Record<string, string>;
  body: string;
}

export interface DeliveryOptions {
  secret: string;
  workflowId: string;
  model?: string;
  /** Unix seconds; default now. */
  timestamp?: number;
  id?: string;
  status?: string;
  predictionId?: string;
  /** Replaces the prediction JSON. */
  body?: string;
  /** The URL query; default workflowId and model (and a token), as the create activity builds it. */
  query?: string;
  /** The webhook URL the body echoes; default the same query. Null leaves the field out. */
  echoedWebhook?: string | null;
}

/**
 * One message signed as Replicate signs it (with the simulator's signer, an implementation independent of the
 * receiver's verifier), carrying a prediction's JSON.
 */
export function signedDelivery(options: DeliveryOptions): Delivery {
  const model = options.model ?? 'svd';
  const query =
    options.query ??
    `workflowId=${encodeURIComponent(options.workflowId)}&model=${encodeURIComponent(model)}&clipgen_token=t-1`;
  const id = options.id ?? `msg_${randomBytes(12).toString('hex')}`;
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const status = options.status ?? 'succeeded';
  const predictionId = options.predictionId ?? `p${randomBytes(8).toString('hex')}`;
  const echoed =
    options.echoedWebhook === undefined ? `https://hooks.example.com/replicate?${query}` : options.echoedWebhook;
  const body =
    options.body ??
    JSON.stringify({
      id: predictionId,
      model: 'stability-ai/stable-video-diffusion',
      version: '3f0457e4619daac51203dedb472816fd4af51f3149fa7a9e0b5ffcf1b8172438',
      input: { prompt: 'private prompt text', input_image: 'https://example.com/frame.png' },
      status,
      output: status === 'succeeded' ? 'https://replicate.delivery/abc/output.mp4' : null,
      error: null,
      logs: 'Using seed: 7',
      metrics: status === 'succeeded' ? { predict_time: 12.5 } : {},
      created_at: '2026-11-25T10:00:00.000000Z',
      started_at: '2026-11-25T10:00:01.000000Z',
      completed_at: status === 'succeeded' ? '2026-11-25T10:00:13.500000Z' : null,
      ...(echoed === null ? {} : { webhook: echoed, webhook_events_filter: ['start', 'completed'] }),
    });
  return {
    path: `/replicate?${query}`,
    headers: {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signWebhook(options.secret, id, timestamp, body),
    },
    body,
  };
}

export interface Answer {
  status: number;
  outcome: string;
}

export async function post(receiverUrl: string, delivery: Delivery): Promise<Answer> {
  const response = await fetch(`${receiverUrl}${delivery.path}`, {
    method: 'POST',
    headers: delivery.headers,
    body: delivery.body,
  });
  const json = (await response.json()) as { outcome: string };
  return { status: response.status, outcome: json.outcome };
}
