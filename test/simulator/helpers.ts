import { fileURLToPath } from 'node:url';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { FFMPEG_PATH, FFPROBE_PATH } from '../../src/media/binaries';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../simulator';

const ffprobePath = FFPROBE_PATH;

export const SVD_VERSION = '3f0457e4619daac51203dedb472816fd4af51f3149fa7a9e0b5ffcf1b8172438';
export const COGVIDEOX_VERSION = '5b14e2c2c648efecc8d36c6353576552f8a124e690587212f8e8bb17ecda3d8c';
export const TOKEN = 'r8_test_token';

/** A simulator with a private render cache, fast timings and small frames; close() also removes the cache. */
export async function startTestSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const cacheDir = await mkdtemp(path.join(os.tmpdir(), 'sim-test-'));
  const sim = await startSimulator({ predictSeconds: 0.3, startSeconds: 0.05, renderScale: 0.1, cacheDir, ...options });
  return {
    ...sim,
    close: async () => {
      await sim.close();
      await rm(cacheDir, { recursive: true, force: true });
    },
  };
}

export function authHeaders(extra: Record<string, string> = {}): Record<string, string> {
  return { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', ...extra };
}

export async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; json: Record<string, unknown> }> {
  const response = await fetch(url, { method: 'POST', headers: authHeaders(headers), body: JSON.stringify(body) });
  return {
    status: response.status,
    headers: response.headers,
    json: (await response.json()) as Record<string, unknown>,
  };
}

export async function getJson(
  url: string,
  headers: Record<string, string> = authHeaders(),
): Promise<{ status: number; headers: Headers; json: Record<string, unknown> }> {
  const response = await fetch(url, { headers });
  return {
    status: response.status,
    headers: response.headers,
    json: (await response.json()) as Record<string, unknown>,
  };
}

/** Polls GET /predictions/{id} until a terminal status (or `timeoutMs`). */
export async function waitForTerminal(
  sim: Simulator,
  id: string,
  timeoutMs = 15_000,
): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { json } = await getJson(`${sim.baseUrl}/predictions/${id}`);
    if (['succeeded', 'failed', 'canceled', 'aborted'].includes(json.status as string)) return json;
    if (Date.now() > deadline) throw new Error(`prediction ${id} still ${String(json.status)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function run(binary: string, args: string[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(Buffer.concat(out)) : reject(new Error(`${binary}: ${err}`))));
  });
}

export interface ProbedStream {
  codec_name: string;
  width: number;
  height: number;
  pix_fmt: string;
  r_frame_rate: string;
  duration: string;
  nb_read_frames: string;
}

/**
 * Downloads `url` into a temporary file for `use`. ffprobe and ffmpeg read local files only: the bundled static
 * builds crash when they resolve a host name (output URLs are http://localhost:…), see docs/architecture.md.
 */
async function withLocalCopy<T>(url: string, use: (file: string) => Promise<T>): Promise<T> {
  if (!/^https?:/.test(url)) return use(url.startsWith('file:') ? fileURLToPath(url) : url);
  const response = await fetch(url);
  if (!response.ok) throw new Error(`GET ${url}: HTTP ${response.status}`);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sim-output-'));
  try {
    const file = path.join(dir, 'output.mp4');
    await writeFile(file, Buffer.from(await response.arrayBuffer()));
    return await use(file);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** ffprobe of the output at `url` (fetched once) or in a local file, counting frames by decoding them. */
export async function probe(url: string): Promise<ProbedStream> {
  return withLocalCopy(url, (file) => probeFile(file));
}

async function probeFile(file: string): Promise<ProbedStream> {
  const out = await run(ffprobePath, ['-v', 'error', '-show_streams', '-count_frames', '-of', 'json', file]);
  const streams = (JSON.parse(out.toString()) as { streams: ProbedStream[] }).streams;
  return streams[0];
}

/** The RGB value of the centre pixel of frame `index`. */
export async function pixelAtCentre(url: string, index: number): Promise<[number, number, number]> {
  return withLocalCopy(url, (file) => pixelOf(file, index));
}

async function pixelOf(file: string, index: number): Promise<[number, number, number]> {
  const { width, height } = await probeFile(file);
  const frame = await run(FFMPEG_PATH, [
    '-v',
    'error',
    '-i',
    file,
    '-vf',
    `select=eq(n\\,${index})`,
    '-frames:v',
    '1',
    '-f',
    'rawvideo',
    '-pix_fmt',
    'rgb24',
    '-',
  ]);
  const offset = (Math.floor(height / 2) * width + Math.floor(width / 2)) * 3;
  return [frame[offset], frame[offset + 1], frame[offset + 2]];
}

/** A solid-colour PNG made with ffmpeg. */
export async function makePng(width: number, height: number, colour: string): Promise<Buffer> {
  return run(FFMPEG_PATH, [
    '-v',
    'error',
    '-f',
    'lavfi',
    '-i',
    `color=c=${colour}:s=${width}x${height}`,
    '-frames:v',
    '1',
    '-f',
    'image2pipe',
    '-vcodec',
    'png',
    '-',
  ]);
}

export interface RecordedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface TestServer {
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/** An HTTP server on 127.0.0.1 (ephemeral port) that records requests and answers with `respond`. */
export async function startTestServer(
  respond: (request: RecordedRequest, res: http.ServerResponse) => void,
): Promise<TestServer> {
  const requests: RecordedRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const recorded = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      };
      requests.push(recorded);
      respond(recorded, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Resolves once `predicate` holds, checking every 20 ms. */
export async function eventually(predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
