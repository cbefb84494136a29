import { createHash } from 'node:crypto';
import { createReplicateGateway, type ClipgenReplicateGateway } from '../../src/replicate/gateway';
import type { Simulator } from '../../src/simulator';

/**
 * One gateway over several simulators whose predictions run for different lengths, so that predictions end at
 * every phase of a poll cycle rather than all at the same one. A create goes to the simulator its idempotency
 * token hashes to (a retried create finds its earlier attempt there); polls and cancels follow the prediction.
 */
export function spreadGateway(simulators: Simulator[]): ClipgenReplicateGateway {
  const gateways = simulators.map((simulator) =>
    createReplicateGateway({ apiToken: 'bench-token', baseUrl: simulator.baseUrl }),
  );
  const owners = new Map<string, ClipgenReplicateGateway>();
  const ownerOf = (id: string) => owners.get(id) ?? gateways[0];
  return {
    async createPrediction(request, signal, options) {
      const index = createHash('sha256').update(request.idempotencyToken).digest().readUInt32BE(0) % gateways.length;
      const created = await gateways[index].createPrediction(request, signal, options);
      owners.set(created.id, gateways[index]);
      return created;
    },
    getPrediction: (model, id, signal) => ownerOf(id).getPrediction(model, id, signal),
    cancelPrediction: (model, id, signal) => ownerOf(id).cancelPrediction(model, id, signal),
  };
}
