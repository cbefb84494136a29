import type { Fault, FaultController } from './faults';
import type { SchemaDrift, SchemaDriftController } from './models/drift';

export type SimulatedStatus = 'starting' | 'processing' | 'succeeded' | 'failed' | 'canceled' | 'aborted';

export type WebhookEventName = 'start' | 'output' | 'logs' | 'completed';

export interface SimulatorOptions {
  /** 0 (default) picks an ephemeral port. */
  port?: number;
  /** Default '127.0.0.1'. */
  host?: string;
  /** Accept only this bearer token; without it any non-empty token is accepted. */
  token?: string;
  /** Seconds a prediction runs once started (default 3). */
  predictSeconds?: number;
  /** Seconds from `starting` to `processing` (default 0.2). */
  startSeconds?: number;
  /** Scales rendered width and height (never frame counts or rates). Default 1. */
  renderScale?: number;
  /** Origin used in `urls.*` and output links, e.g. 'http://sim:8080'. Default: from the request's Host. */
  publicUrl?: string;
  /** 'whsec_<base64>'; generated when absent. */
  webhookSecret?: string;
  /** Simulated clock in ms (default Date.now). Prediction timings and retention follow it. */
  now?: () => number;
  /** Where rendered MP4s are cached between runs (default: <tmpdir>/clipgen-simulator). */
  cacheDir?: string;
  /** Seconds after completion until input/output/logs are removed (default 3600, as on Replicate). */
  retentionSeconds?: number;
  /** Faults active from the start. */
  faults?: Fault[];
  /**
   * Echo `webhook` and `webhook_events_filter` in create, get, cancel and list answers. Default false: Replicate's
   * published prediction schema has neither field (whether its API returns them is unconfirmed).
   */
  echoWebhook?: boolean;
  /** Changes to the input schemas the models serve, from the start (see SchemaDrift). */
  schemaDrift?: SchemaDrift[];
}

export interface SimulatorStats {
  /** Created predictions per model, keyed 'owner/name'. */
  predictionsCreated: Record<string, number>;
  /** Successful cancel requests (repeated cancels of one prediction count each time). */
  cancels: number;
  /** Predictions not yet terminal. */
  running: number;
  /** Requests per endpoint, e.g. 'GET /v1/predictions/:id'. Admin routes are not counted. */
  requests: Record<string, number>;
  /** Webhook messages answered with a 2xx. */
  webhooksDelivered: number;
  /** Webhook delivery attempts that failed (non-2xx, network error, timeout or a webhook-fail fault). */
  webhooksFailed: number;
  /** Requests for each prediction's output file (GET /delivery/{id}/output.mp4), keyed by prediction id. */
  outputs: Record<string, OutputStats>;
}

/** How one prediction's output was fetched: a clip stored with one transfer shows requests 1, bytes = its size. */
export interface OutputStats {
  /** Requests of the output, whatever their answer (faults, 404 and HEAD included). */
  requests: number;
  /** Of those, requests with a Range header (resumed transfers). */
  rangeRequests: number;
  /** Body bytes sent, over all requests. */
  bytes: number;
}

/** A prediction as the API returns it (§1 of the Replicate reference). */
export interface PredictionJson {
  id: string;
  model: string;
  version: string;
  input: Record<string, unknown>;
  logs: string | null;
  output: string | null;
  data_removed: boolean;
  error: string | null;
  status: SimulatedStatus;
  source: 'api';
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
  deadline?: string;
  urls: { get: string; cancel: string; web: string };
  metrics?: {
    predict_time?: number;
    total_time?: number;
    video_output_duration_seconds?: number;
    /** The variant metric official video models report beside the duration (models/kling.ts, models/hailuo.ts). */
    resolution_target?: string;
  };
  webhook?: string;
  webhook_events_filter?: WebhookEventName[];
}

/** Read-only view of one prediction for tests: the API object as of now, plus the catalogue key. */
export type PredictionRecord = Readonly<PredictionJson> & { readonly modelKey: string };

export interface Simulator {
  /** http://HOST:PORT */
  url: string;
  /** url + '/v1', for `new Replicate({ baseUrl })`. */
  baseUrl: string;
  webhookSecret: string;
  faults: FaultController;
  /** Changes to the input schemas GET /v1/models/… serves (creates are still validated against the originals). */
  schemaDrift: SchemaDriftController;
  stats(): SimulatorStats;
  /** Every prediction, oldest first, with its status as of now. */
  predictions(): PredictionRecord[];
  /** Stops the server, timers, webhook retries and ffmpeg children. */
  close(): Promise<void>;
}
