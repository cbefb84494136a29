import { createHash } from 'node:crypto';
import { createReplicateGateway, type ReplicateGateway } from '../../src/replicate/gateway';
import type { Simulator } from '../../simulator';

/**
 * One gateway over several simulators whose predictions run for different lengths, so that predictions end at
 * every phase of a poll cycle rather than all at the same one. A create goes to the simulator its idempotency
 * token hashes to (a retried create finds its earlier attempt there); polls and cancels follow the prediction.
 */
export function spreadGateway(simulators: Simulator[]): ReplicateGateway {
  const gateways = simulators.map((simulator) =>
    createReplicateGateway({ apiToken: 'bench-token', baseUrl: simulator.baseUrl }),
  );
  const owners = new Map<string, ReplicateGateway>();
  const ownerOf = (id: string) => owners.get(id) ?? gateways[0];
  const gatewayOf = (token: string) =>
    gateways[createHash('sha256').update(token).digest().readUInt32BE(0) % gateways.length];
  return {
    async createPrediction(request, signal, options) {
      const gateway = gatewayOf(request.idempotencyToken);
      const created = await gateway.createPrediction(request, signal, options);
      owners.set(created.id, gateway);
      return created;
    },
    findAttempts: (request, createdAfterMs, signal) =>
      gatewayOf(request.idempotencyToken).findAttempts(request, createdAfterMs, signal),
    requestTimeoutMs: gateways[0].requestTimeoutMs,
    getPrediction: (model, id, signal) => ownerOf(id).getPrediction(model, id, signal),
    cancelPrediction: (model, id, signal) => ownerOf(id).cancelPrediction(model, id, signal),
  };
}
