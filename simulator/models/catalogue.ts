import { cogVideoX } from './cogvideox';
import { hailuo02 } from './hailuo';
import { klingV21 } from './kling';
import { modelName, type SimulatedModel } from './model';
import { stableVideoDiffusion } from './svd';

export const SIMULATED_MODELS: readonly SimulatedModel[] = [stableVideoDiffusion, cogVideoX, klingV21, hailuo02];

export function findModelByName(owner: string, name: string): SimulatedModel | undefined {
  return SIMULATED_MODELS.find((model) => model.owner === owner && model.name === name);
}

export function findModelByVersion(versionId: string): SimulatedModel | undefined {
  return SIMULATED_MODELS.find((model) => model.versionId === versionId);
}

/**
 * Resolves the `version` field of POST /predictions: '<hex>', 'owner/name:<hex>', or 'owner/name' for
 * official models (the newer API accepts all three).
 */
export function resolveVersionReference(reference: string): SimulatedModel | undefined {
  const [name, version] = reference.split(':', 2);
  if (version !== undefined) {
    const model = findModelByVersion(version);
    return model && modelName(model) === name ? model : undefined;
  }
  if (name.includes('/')) {
    const [owner, modelPart] = name.split('/', 2);
    const model = findModelByName(owner, modelPart);
    return model?.official ? model : undefined;
  }
  return findModelByVersion(name);
}
