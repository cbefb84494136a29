import { randomUUID } from 'node:crypto';
import { clipWorkflowOptions } from '../../src/client/clip-workflow-options';
import { workflowUiUrl } from '../../src/client/web-ui-link';
import { CLIP_INDEX, CLIP_JOB_ID, CLIP_MODEL } from '../../src/domain/search-attributes';

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
});

describe('workflowUiUrl', () => {
  it("links a workflow's page in the Web UI", () => {
    expect(workflowUiUrl('http://localhost:8080/', 'clips prod', 'clip-a-0')).toBe(
      'http://localhost:8080/namespaces/clips%20prod/workflows/clip-a-0',
    );
  });
});
