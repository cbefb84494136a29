import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openLedger } from '../../src/ledger';
import { probe } from '../simulator/helpers';
import { runCli } from './run-cli';

jest.setTimeout(180_000);

let dataDir: string;

beforeAll(async () => {
  dataDir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'clipgen-demo-'));
});

afterAll(async () => {
  await fs.promises.rm(dataDir, { recursive: true, force: true });
});

describe('clipgen demo', () => {
  it('makes a playable clip with no account, prints its duration and cost, and books it in the embedded ledger', async () => {
    const jobId = '9b2f0a4e-5c1d-4e7a-8f3b-2a6c9d0e1f21';
    const env = { CLIPGEN_DATA_DIR: dataDir, REPLICATE_API_TOKEN: '', TEMPORAL_ADDRESS: '', DATABASE_URL: '' };

    const result = await runCli(['demo', '--json', '--job-id', jobId], env);

    expect(result.code).toBe(0);
    // Exactly one JSON document on stdout (`clipgen demo --json | jq .`): the dev server's banner goes elsewhere.
    const clip = JSON.parse(result.stdout);
    expect(clip).toMatchObject({ status: 'success', model: 'cogvideox', targetDuration: 6 });
    expect(result.stderr).toContain(`Duration ${clip.actualDuration.toFixed(3)} s`);
    expect(result.stderr).toContain(`cost $${clip.cost}`);

    const file = fileURLToPath(clip.videoUrl);
    expect(file.startsWith(dataDir)).toBe(true);
    expect(fs.statSync(file).size).toBe(clip.video.bytes);
    const decoded = await probe(file);
    expect(decoded).toMatchObject({ codec_name: 'h264', nb_read_frames: '49', r_frame_rate: '8/1' });

    const ledger = await openLedger({ pgliteDir: path.join(dataDir, 'ledger') });
    try {
      expect((await ledger.getJob(jobId))?.totalCost).toBe(clip.cost);
    } finally {
      await ledger.close();
    }
  });

  it.each([
    ['a file: URL', 'file:///etc/passwd', /--image takes a local file path or an http\(s\) URL \(got a file: URL/],
    ['an s3: URL', 's3://bucket/frame.png', /--image takes a local file path or an http\(s\) URL \(got a s3: URL/],
    [
      'a missing file',
      'no-such-frame.png',
      /--image "no-such-frame\.png": no such file\. --image takes a local file path/,
    ],
  ])('refuses %s for --image as a usage mistake, before starting anything', async (_what, image, message) => {
    const env = { CLIPGEN_DATA_DIR: dataDir, REPLICATE_API_TOKEN: '', TEMPORAL_ADDRESS: '', DATABASE_URL: '' };

    const result = await runCli(['demo', '--json', '--image', image], env);

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/ENOENT|Temporal dev server started|Replicate simulator at/);
    expect(result.stdout).toBe('');
  });
});
