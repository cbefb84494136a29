import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FaultBook } from './faults';
import type { SchemaDriftBook } from './models/drift';
import type { PredictionEngine } from './predictions/engine';
import type { PredictionStore } from './predictions/store';
import type { MutableStats } from './stats';

/** The simulator's parts, shared by every route handler. */
export interface SimulatorContext {
  token: string | undefined;
  webhookSecret: string;
  store: PredictionStore;
  engine: PredictionEngine;
  faults: FaultBook;
  /** Changes to the input schemas the models' versions serve. */
  schemaDrift: SchemaDriftBook;
  stats: MutableStats;
  /** Aborts when the simulator closes, ending delays and holds. */
  closing: AbortSignal;
  /** Answers carry `webhook`/`webhook_events_filter` (off by default: Replicate's published schema has neither). */
  echoWebhook: boolean;
}

export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  /** Captured path segments of the matched route. */
  params: string[];
  /** Origin for links in responses: the publicUrl option, else http://<Host>. */
  origin: string;
  /**
   * Origin for output links: the publicUrl option, else http://<Host> with a loopback IP literal replaced by
   * `localhost`, so that output URLs carry a host name to resolve, as Replicate's (replicate.delivery) do.
   */
  outputOrigin: string;
}

export type Handler = (sim: SimulatorContext, request: RequestContext) => Promise<void>;
