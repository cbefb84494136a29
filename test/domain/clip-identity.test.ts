import { clipLogAttributes } from '../../src/domain/clip-identity';
import { formatLogLine } from '../../src/temporal/runtime-logger';

describe('clip log attributes', () => {
  it("reads jobId and clipIndex from a clip's workflow id, and nothing from other ids", () => {
    expect(clipLogAttributes('clip-7f0c2b1e-2c1a-4a57-9a43-3d9f1f5b6c10-12')).toEqual({
      jobId: '7f0c2b1e-2c1a-4a57-9a43-3d9f1f5b6c10',
      clipIndex: 12,
    });
    expect(clipLogAttributes('job-7f0c2b1e-2c1a-4a57-9a43-3d9f1f5b6c10')).toBeNull();
    expect(clipLogAttributes('clip-not-a-uuid-0')).toBeNull();
    expect(clipLogAttributes(undefined)).toBeNull();
  });

  it('formats a log entry as one line with its attributes as JSON', () => {
    const error = Object.assign(new Error('429 from Replicate'), { type: 'RetryableError' });
    const line = formatLogLine({
      level: 'WARN',
      message: 'Activity failed',
      timestampNanos: 1_764_089_401_123_000_000n,
      meta: { jobId: 'j', clipIndex: 0, error, attempt: 2n },
    });

    expect(line).toBe(
      '2025-11-25T16:50:01.123Z [WARN] Activity failed ' +
        '{"jobId":"j","clipIndex":0,"error":{"name":"Error","message":"429 from Replicate","type":"RetryableError"},"attempt":"2"}',
    );
  });
});
