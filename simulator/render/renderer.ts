import { createHash, randomUUID } from 'node:crypto';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { RenderRequest } from '../models/model';
import { FFMPEG_PATH } from '../../src/media/binaries';
import { renderArgs, scaledSize, type RenderJob } from './ffmpeg-args';
import { loadInputImage } from './input-image';
import { runProcess } from './process';

const RENDER_TIMEOUT_MS = 180_000;
/** Part of the cache key: bump it when renderArgs changes what a video looks like. */
const RENDER_FORMAT = 1;

export interface RenderedVideo {
  path: string;
  width: number;
  height: number;
}

/**
 * Renders model outputs with ffmpeg, cached on disk by (model, frames, fps, size, image) and shared between
 * identical requests in flight. A few renders run at once; close() kills the rest.
 */
export class Renderer {
  private readonly inFlight = new Map<string, Promise<RenderedVideo>>();
  private readonly unfinished = new Set<Promise<unknown>>();
  private readonly abort = new AbortController();
  private running = 0;
  private readonly queue: (() => void)[] = [];

  constructor(
    private readonly cacheDir: string,
    private readonly renderScale: number,
    private readonly concurrency = 2,
  ) {}

  render(modelKey: string, request: RenderRequest): Promise<RenderedVideo> {
    const work = this.renderCached(modelKey, request);
    this.unfinished.add(work);
    const forget = () => this.unfinished.delete(work);
    work.then(forget, forget);
    return work;
  }

  /** Aborts image downloads and ffmpeg children, then waits until they are gone. */
  async close(): Promise<void> {
    this.abort.abort();
    for (const start of this.queue.splice(0)) start();
    await Promise.allSettled([...this.unfinished]);
  }

  private async renderCached(modelKey: string, request: RenderRequest): Promise<RenderedVideo> {
    const image = request.imageUrl ? await loadInputImage(request.imageUrl, this.cacheDir, this.abort.signal) : null;
    const modelSize = request.size(image?.size ?? null);
    const size = scaledSize(modelSize.width, modelSize.height, this.renderScale);
    const job: RenderJob = {
      frames: request.frames,
      fps: request.fps,
      ...size,
      imagePath: image?.path,
      fit: request.fit,
    };
    const key = createHash('sha256')
      .update(
        JSON.stringify([
          RENDER_FORMAT,
          modelKey,
          job.frames,
          job.fps,
          job.width,
          job.height,
          image?.sha256 ?? null,
          job.fit,
        ]),
      )
      .digest('hex')
      .slice(0, 32);
    const target = path.join(this.cacheDir, 'videos', `${key}.mp4`);
    let pending = this.inFlight.get(key);
    if (!pending) {
      pending = this.renderOnce(job, target).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, pending);
    }
    return pending;
  }

  private async renderOnce(job: RenderJob, target: string): Promise<RenderedVideo> {
    const result: RenderedVideo = { path: target, width: job.width, height: job.height };
    if (await isNonEmptyFile(target)) return result;
    await this.acquireSlot();
    try {
      if (this.abort.signal.aborted) throw new Error('simulator closed');
      await mkdir(path.dirname(target), { recursive: true });
      const partial = `${target}.${randomUUID()}.partial.mp4`;
      try {
        await runProcess(FFMPEG_PATH, renderArgs(job, partial), {
          timeoutMs: RENDER_TIMEOUT_MS,
          signal: this.abort.signal,
        });
        await rename(partial, target);
      } finally {
        await rm(partial, { force: true });
      }
      return result;
    } finally {
      this.releaseSlot();
    }
  }

  private acquireSlot(): Promise<void> {
    if (this.running < this.concurrency) {
      this.running += 1;
      return Promise.resolve();
    }
    return new Promise((resolve) =>
      this.queue.push(() => {
        this.running += 1;
        resolve();
      }),
    );
  }

  private releaseSlot(): void {
    this.running -= 1;
    this.queue.shift()?.();
  }
}

async function isNonEmptyFile(filePath: string): Promise<boolean> {
  return stat(filePath).then(
    (info) => info.isFile() && info.size > 0,
    () => false,
  );
}
