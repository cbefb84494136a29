import { clipFailure, FailureType } from '../domain/failures';

/**
 * Checks a path inside a bucket: relative, `/`-separated, no empty, `.` or `..` segments, no backslashes or
 * control characters, so it can never point outside the bucket, on any backend.
 */
export function assertObjectPath(path: string): string {
  const segments = path.split('/');
  const problem =
    path.length === 0
      ? 'it is empty'
      : path.startsWith('/')
        ? 'it is absolute'
        : segments.some((segment) => segment === '' || segment === '.' || segment === '..')
          ? 'it has an empty, "." or ".." segment'
          : hasBackslashOrControl(path)
            ? 'it contains a backslash or a control character'
            : null;
  if (problem !== null) {
    throw clipFailure(FailureType.InvalidInput, `Invalid storage path ${JSON.stringify(path)}: ${problem}`);
  }
  return path;
}

export function assertBucketName(bucket: string): string {
  if (bucket === '' || bucket === '.' || bucket === '..' || bucket.includes('/') || hasBackslashOrControl(bucket)) {
    throw clipFailure(FailureType.InvalidInput, `Invalid storage bucket name ${JSON.stringify(bucket)}`);
  }
  return bucket;
}

function hasBackslashOrControl(text: string): boolean {
  return [...text].some((character) => character === '\\' || character.charCodeAt(0) < 0x20);
}

/** Where fetchProbeStore keeps a clip inside the bucket. */
export function clipObjectPath(jobId: string, clipIndex: number): string {
  return `${jobId}/clip_${clipIndex}.mp4`;
}
