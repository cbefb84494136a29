import { CATALOGUE, MODEL_IDS, type ModelSpec } from '../../src/domain/catalogue';
import { MAX_SEED } from '../../src/domain/plan-inputs';
import { compareInputs, resolveInputSchema, type SchemaDrift } from '../../src/domain/schema-drift';
import type { ClipPrompt, GenerationSettings } from '../../src/domain/types';
import { SIMULATED_MODELS } from '../../simulator';
import { SchemaDriftBook, type SchemaDrift as SimulatedDrift } from '../../simulator/models/drift';
import { openapiSchema } from '../../simulator/models/openapi';

const IMAGE = 'https://example.com/frame.png';

/** Every plan the catalogue makes over a grid of targets, clips and settings (boundary values included). */
function samplePlans(spec: ModelSpec): Record<string, unknown>[] {
  const settingsGrid: GenerationSettings[] = [
    {},
    ...['512p', '720p', '768p', '1080p'].map((resolution) => ({ resolution })),
    { fps: 5 },
    { fps: 30 },
    { motion: 1, condAug: 0, seed: 0, steps: 1, guidance: 0, extendPrompt: false },
    { motion: 255, condAug: 1, seed: MAX_SEED, steps: 120, guidance: 12, extendPrompt: true },
    { aspectRatio: '16:9' },
  ];
  const clips: Omit<ClipPrompt, 'duration'>[] = [
    { clipIndex: 0, prompt: 'a lighthouse in a storm' },
    { clipIndex: 0, prompt: 'a lighthouse in a storm', imageUrl: IMAGE },
    { clipIndex: 0, prompt: 'a lighthouse in a storm', imageUrl: IMAGE, negativePrompt: 'blur' },
  ];
  const inputs: Record<string, unknown>[] = [];
  for (let duration = 0.5; duration <= 12; duration += 0.25) {
    for (const clip of clips) {
      for (const settings of settingsGrid) {
        try {
          inputs.push(spec.plan({ ...clip, duration }, settings).input);
        } catch {
          // a combination the model cannot plan (InvalidInput): nothing sent
        }
      }
    }
  }
  return inputs;
}

function simulatedSchema(key: string, drifts: SimulatedDrift[] = []) {
  const model = SIMULATED_MODELS.find((candidate) => candidate.key === key);
  if (!model) throw new Error(`no simulated model ${key}`);
  const book = new SchemaDriftBook(SIMULATED_MODELS);
  book.add(drifts);
  const schema = resolveInputSchema(openapiSchema(model, book.schemaOf(model)));
  if (!schema) throw new Error('no Input schema');
  return schema;
}

const kinds = (drift: SchemaDrift[]) => drift.map(({ field, kind }) => `${field}: ${kind}`);

describe("each model's planned inputs (ModelSpec.inputs) describe exactly what its plan sends", () => {
  it.each(MODEL_IDS)('%s', (id) => {
    const spec = CATALOGUE[id];
    const plans = samplePlans(spec);
    expect(plans.length).toBeGreaterThan(10);
    const seen = new Map<string, unknown[]>();
    for (const input of plans) {
      for (const [name, value] of Object.entries(input)) seen.set(name, [...(seen.get(name) ?? []), value]);
    }
    expect([...seen.keys()].sort()).toEqual(Object.keys(spec.inputs).sort());
    for (const [name, planned] of Object.entries(spec.inputs)) {
      const values = seen.get(name) ?? [];
      const sentEveryTime = values.length === plans.length;
      expect(`${name} sent ${sentEveryTime ? 'always' : 'sometimes'}`).toBe(`${name} sent ${planned.sent}`);
      for (const value of values) {
        const type = typeof value === 'number' ? (Number.isInteger(value) ? 'integer' : 'number') : typeof value;
        expect([name, planned.type === 'number' && type === 'integer' ? 'number' : type]).toEqual([name, planned.type]);
      }
      if (planned.values) expect([name, [...new Set(values)].sort()]).toEqual([name, [...planned.values].sort()]);
      if (planned.range) {
        const numbers = values as number[];
        expect([name, Math.min(...numbers), Math.max(...numbers)]).toEqual([
          name,
          planned.range.min,
          planned.range.max,
        ]);
      }
    }
  });
});

describe('compareInputs', () => {
  it("finds no drift between the catalogue and the simulator's schemas (Cog-style: enums through allOf/$ref)", () => {
    for (const id of MODEL_IDS)
      expect([id, compareInputs(CATALOGUE[id].inputs, simulatedSchema(id))]).toEqual([id, []]);
    const svd = simulatedSchema('svd');
    expect(svd.properties.video_length).toMatchObject({
      type: 'string',
      enum: ['14_frames_with_svd', '25_frames_with_svd_xt'],
    });
  });

  it('names an input renamed to a new required one, and one merely removed', () => {
    const renamed = compareInputs(
      CATALOGUE.svd.inputs,
      simulatedSchema('svd', [{ model: 'svd', kind: 'rename-input', input: 'input_image', to: 'image' }]),
    );
    expect(renamed).toEqual([
      expect.objectContaining({ field: 'input_image', kind: 'renamed-input', renamedTo: 'image' }),
    ]);
    expect(renamed[0].message).toContain('input input_image is gone and image (string) is new and required');

    const removed = compareInputs(
      CATALOGUE['hailuo-02'].inputs,
      simulatedSchema('hailuo-02', [
        { model: 'hailuo-02', kind: 'rename-input', input: 'prompt_optimizer', to: 'enhance_prompt' },
      ]),
    );
    expect(kinds(removed)).toEqual(['prompt_optimizer: missing-input']);
    expect(removed[0].message).toContain('new inputs of the same type: enhance_prompt');
  });

  it('names enum values no longer allowed, narrowed ranges, type changes and new required inputs', () => {
    const kling = compareInputs(
      CATALOGUE['kling-v2.1'].inputs,
      simulatedSchema('kling-v2.1', [
        { model: 'kling-v2.1', kind: 'set-enum', input: 'mode', values: ['std', 'pro'] },
        { model: 'kling-v2.1', kind: 'set-enum', input: 'duration', values: [5] },
        { model: 'kling-v2.1', kind: 'add-input', input: 'aspect_ratio' },
        { model: 'kling-v2.1', kind: 'rename-input', input: 'negative_prompt', to: 'negative_prompt', required: true },
      ]),
    );
    expect(kinds(kling)).toEqual([
      'duration: enum-value-not-allowed',
      'mode: enum-value-not-allowed',
      'negative_prompt: now-required',
      'aspect_ratio: new-required-input',
    ]);
    expect(kling[1]).toMatchObject({
      refused: ['standard'],
      message: 'input mode: value "standard" no longer allowed (allowed: "std", "pro")',
    });

    const cogvideox = compareInputs(
      CATALOGUE.cogvideox.inputs,
      simulatedSchema('cogvideox', [
        { model: 'cogvideox', kind: 'set-range', input: 'steps', minimum: 10, maximum: 50 },
        { model: 'cogvideox', kind: 'set-range', input: 'guidance', minimum: null, maximum: null },
        { model: 'cogvideox', kind: 'set-enum', input: 'seed', values: [42] },
      ]),
    );
    expect(kinds(cogvideox)).toEqual(['steps: range-narrowed', 'seed: enum-value-not-allowed']);
    expect(cogvideox[0].message).toBe('input steps: range narrowed to ≥ 10 and ≤ 50; clipgen may send 1–120');
  });

  it('reads OpenAPI 3.0 and 3.1 exclusive bounds, anyOf-nullable inputs, and changed types', () => {
    const schema = resolveInputSchema({
      components: {
        schemas: {
          Input: {
            type: 'object',
            required: ['prompt'],
            properties: {
              prompt: { type: 'integer' },
              steps: { anyOf: [{ type: 'integer', exclusiveMinimum: 1 }, { type: 'null' }], maximum: 120 },
              guidance: { type: 'number', minimum: 0, maximum: 12, exclusiveMaximum: true },
            },
          },
        },
      },
    });
    if (!schema) throw new Error('no schema');
    expect(kinds(compareInputs(CATALOGUE.cogvideox.inputs, schema))).toEqual([
      'prompt: type-changed',
      'steps: range-narrowed',
      'guidance: range-narrowed',
      'seed: missing-input',
      'extend_prompt: missing-input',
    ]);
    expect(resolveInputSchema({ openapi: '3.0.2', components: { schemas: {} } })).toBeNull();
  });
});
