import { randomUUID } from 'node:crypto';
import { clipWorkflowOptions } from '../../src/domain/clip-workflow-options';
import {
  canonicalClipWorkflowId,
  clipWorkflowId,
  CLIP_INDEX,
  CLIP_JOB_ID,
  CLIP_MODEL,
} from '../../src/domain/clip-identity';
import { workflowUiUrl } from '../../src/client/run-clip';

/** A lone surrogate does not: UTF-8 (what the Web UI receives) has no way to encode it, and it becomes U+FFFD. */
const survivesUtf8 = (text: string) => Buffer.from(text, 'utf8').toString('utf8') === text;

describe('clipWorkflowOptions', () => {
  const jobId = randomUUID();
  const input = { jobId, clip: { clipIndex: 4, prompt: 'a fox in the snow', duration: 6 } };

  it('sets ClipJobId, ClipIndex and ClipModel at start only when asked (they must be registered)', () => {
    expect(clipWorkflowOptions(input, 'q')).not.toHaveProperty('typedSearchAttributes');

    expect(clipWorkflowOptions(input, 'q', { searchAttributes: true }).typedSearchAttributes).toEqual([
      { key: CLIP_JOB_ID, value: jobId },
      { key: CLIP_INDEX, value: 4 },
      { key: CLIP_MODEL, value: 'cogvideox' },
    ]);
  });

  it('names one workflow, search attribute and input job id per (job, clip), whatever the case of the job id', () => {
    const shouted = clipWorkflowOptions({ ...input, jobId: jobId.toUpperCase() }, 'q', { searchAttributes: true });

    expect(clipWorkflowId(jobId.toUpperCase(), 4)).toBe(clipWorkflowId(jobId, 4));
    expect(shouted.workflowId).toBe(`clip-${jobId}-4`);
    expect(shouted.args[0].jobId).toBe(jobId);
    expect(shouted.typedSearchAttributes?.[0]).toEqual({ key: CLIP_JOB_ID, value: jobId });
    expect(shouted.staticDetails).toContain(`**Job:** ${jobId}`);
  });

  describe('the prompt in the details is cut at a character boundary, with an ellipsis', () => {
    const promptLine = (prompt: string) =>
      clipWorkflowOptions({ ...input, clip: { ...input.clip, prompt } }, 'q').staticDetails.split('\n\n')[0];

    it.each([
      ['an emoji (a surrogate pair)', '🦊'],
      ['a family emoji (a ZWJ sequence)', '👩‍👩‍👧'],
      ['a flag (two regional indicators)', '🇳🇴'],
      ['a letter with a combining accent', 'e\u0301'],
    ])('never splits %s', (_case, character) => {
      for (let before = 52; before <= 62; before += 1) {
        const prompt = `${'a'.repeat(before)}${character.repeat(10)}`;
        const line = promptLine(prompt);
        expect(survivesUtf8(line)).toBe(true);
        expect(line.endsWith('…')).toBe(true);
        const kept = line.slice('**Prompt:** '.length, -1);
        expect(prompt.startsWith(kept)).toBe(true);
        // Whole characters only: what is kept ends with a complete one.
        expect(kept.endsWith('a') || kept.endsWith(character)).toBe(true);
      }
    });

    it('leaves a prompt of 60 characters (counted as the eye counts them) whole', () => {
      const prompt = `${'a'.repeat(55)}${'🦊'.repeat(5)}`;
      expect(promptLine(prompt)).toBe(`**Prompt:** ${prompt}`);
    });
  });
});

describe('canonicalClipWorkflowId', () => {
  it('lowercases the job id of a clip workflow id and leaves any other id alone', () => {
    const jobId = randomUUID();
    expect(canonicalClipWorkflowId(`clip-${jobId.toUpperCase()}-12`)).toBe(`clip-${jobId}-12`);
    expect(canonicalClipWorkflowId(`clip-${jobId}-12`)).toBe(`clip-${jobId}-12`);
    expect(canonicalClipWorkflowId('Clips-Parent-A')).toBe('Clips-Parent-A');
  });
});

describe('workflowUiUrl', () => {
  it("links a workflow's page in the Web UI", () => {
    expect(workflowUiUrl('http://localhost:8080/', 'clips prod', 'clip-a-0')).toBe(
      'http://localhost:8080/namespaces/clips%20prod/workflows/clip-a-0',
    );
  });
});
