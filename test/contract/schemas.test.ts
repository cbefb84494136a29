/**
 * schemas/*.json are the public types as JSON Schemas, for parents that are not TypeScript: regenerated from
 * src/index.ts and compared with the committed files, then checked both ways with sample values typed as the
 * TypeScript types, against clipgen's own input validation.
 */
import {
  type Clip,
  type GenerateClipInput,
  type GenerateClipWorkflow,
  DEFAULT_TASK_QUEUE,
  GENERATE_CLIP_WORKFLOW_TYPE,
} from '../../src';
import { loadConfig } from '../../src/config';
import { validateGenerateClipInput } from '../../src/domain/validation';
import * as workflows from '../../src/workflows';
import { generateSchemas, SCHEMA_TYPES, type SchemaFile } from './schema-source';
import { committedSchema, schemaErrors, schemaValidator } from './schema-validator';

jest.setTimeout(120_000);

/** Compile-time: true only when A and B are the same type. */
type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const workflowTypeMatches: Equals<GenerateClipWorkflow, typeof workflows.generateClipWorkflow> = true;

const JOB_ID = '7f0c2b1e-2c1a-4a57-9a43-3d9f1f5b6c10';

const fullInput: GenerateClipInput = {
  jobId: JOB_ID,
  clip: {
    clipIndex: 2,
    prompt: 'a lighthouse in a storm',
    negativePrompt: 'blurry',
    duration: 4,
    imageUrl: 'https://example.com/frame.png',
  },
  models: { primary: 'svd', fallback: null },
  settings: { fps: 7, seed: 42, motion: 127, condAug: 0.02, aspectRatio: '16:9' },
  environment: 'development',
  pollInterval: '2s',
  deadline: 90_000,
};

const clip: Clip = {
  clipIndex: 0,
  videoUrl: 'https://project.supabase.co/storage/v1/object/sign/video-clips/x/clip_0.mp4?token=t',
  storagePath: `video-clips/${JOB_ID}/clip_0.mp4`,
  actualDuration: 3.125,
  targetDuration: 3,
  durationDiff: 0.125,
  status: 'success',
  cost: '0.071400',
  costSource: 'actual',
  model: 'svd',
  predictionId: 'ufawqhfynnddngldkgtslldrkq',
  fallbackUsed: false,
  retryCount: 0,
  generationTime: 51,
  video: { width: 1024, height: 576, fps: 8, codec: 'h264', bytes: 812345, sha256: 'a'.repeat(64) },
  bookings: {
    totalUsd: '0.071400',
    predictions: [
      { predictionId: 'ufawqhfynnddngldkgtslldrkq', model: 'svd', status: 'succeeded', amountUsd: '0.071400' },
    ],
  },
};

/** Whether clipgen's own validation takes the input (the workflow's first step). */
function clipgenAccepts(input: unknown): boolean {
  try {
    validateGenerateClipInput(input);
    return true;
  } catch {
    return false;
  }
}

describe('the JSON Schemas', () => {
  it('are what the TypeScript types generate (run `npm run schemas` after changing a public type)', () => {
    expect(workflowTypeMatches).toBe(true);
    const generated = generateSchemas();
    for (const file of Object.keys(SCHEMA_TYPES) as SchemaFile[]) {
      expect({ file, schema: committedSchema(file) }).toEqual({
        file,
        schema: JSON.parse(JSON.stringify(generated[file])),
      });
    }
  });

  it('take every field of the types, and refuse what the types do not allow', () => {
    const input = schemaValidator('generate-clip-input.json');
    const output = schemaValidator('clip.json');
    expect(schemaErrors(input, fullInput)).toEqual([]);
    expect(schemaErrors(input, { jobId: JOB_ID, clip: { clipIndex: 0, prompt: 'p', duration: 6 } })).toEqual([]);
    expect(schemaErrors(output, clip)).toEqual([]);
    expect(schemaErrors(output, { ...clip, costSource: 'estimate', fallbackUsed: true, model: 'cogvideox' })).toEqual(
      [],
    );

    const { bookings: _bookings, ...withoutBookings } = clip;
    for (const bad of [
      withoutBookings,
      { ...clip, status: 'failed' },
      { ...clip, cost: 0.0714 },
      { ...clip, model: 'sora' },
      { ...clip, extra: true },
      { ...clip, bookings: { totalUsd: '0', predictions: [{ predictionId: 'p', model: 'svd', status: 'done' }] } },
    ]) {
      expect(output(bad)).toBe(false);
    }
  });

  it('agree with clipgen’s own input validation on what a parent may send', () => {
    const input = schemaValidator('generate-clip-input.json');
    const accepted: unknown[] = [
      fullInput,
      { jobId: JOB_ID, clip: { clipIndex: 0, prompt: 'text only', duration: 6 } },
      { ...fullInput, models: { primary: 'cogvideox', fallback: 'hailuo-02' }, pollInterval: 500 },
    ];
    const refused: unknown[] = [
      { clip: fullInput.clip },
      { jobId: JOB_ID },
      { ...fullInput, extra: 1 },
      { ...fullInput, clip: { ...fullInput.clip, seconds: 4 } },
      { ...fullInput, clip: { ...fullInput.clip, prompt: 42 } },
      { ...fullInput, models: { primary: 'sora' } },
      { ...fullInput, settings: { ...fullInput.settings, speed: 2 } },
      { ...fullInput, environment: 'staging' },
      { ...fullInput, deadline: true },
    ];
    for (const value of accepted) {
      expect({ value, schema: schemaErrors(input, value), clipgen: clipgenAccepts(value) }).toEqual({
        value,
        schema: [],
        clipgen: true,
      });
    }
    for (const value of refused) {
      expect({ value, schema: input(value), clipgen: clipgenAccepts(value) }).toEqual({
        value,
        schema: false,
        clipgen: false,
      });
    }
  });

  it('name the workflow type and task queue a parent in another SDK uses', () => {
    expect(GENERATE_CLIP_WORKFLOW_TYPE).toBe(workflows.generateClipWorkflow.name);
    expect(loadConfig({}).temporal.taskQueue).toBe(DEFAULT_TASK_QUEUE);
  });
});
