import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { clipWorkflowOptions } from '../../src/domain/clip-workflow-options';
import { workflowUiUrl } from '../../src/client/run-clip';
import { CLIP_SEARCH_ATTRIBUTES } from '../../src/domain/clip-identity';
import type { Clip } from '../../src/domain/types';
import { freePort } from '../../src/temporal/dev-server';
import { createClipWorker } from '../../src/worker';
import type { generateClipWorkflow } from '../../src/workflows';
import { ClipHarness } from '../workflows/harness';

jest.setTimeout(180_000);

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// The README's screenshot is rewritten only on request (like test/histories), so test runs leave the tree clean.
const SCREENSHOT =
  process.env.UPDATE_SCREENSHOTS === '1'
    ? path.join(__dirname, '..', '..', 'docs', 'web-ui.png')
    : path.join(os.tmpdir(), `clipgen-web-ui-${process.pid}.png`);
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const UI_TIMEOUT_MS = 30_000;

let harness: ClipHarness;
let uiUrl: string;
let browser: Browser;
let page: Page;
let clip: Clip;
let jobId: string;
let workflowId: string;

/**
 * One clip whose primary model is unavailable, so its story has both branches, on a dev server with the Web UI and
 * clipgen's search attributes; then the UI, as an operator sees it, in headless Chromium.
 */
beforeAll(async () => {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`No Chromium at ${CHROMIUM}: apt-get install chromium (Debian), or set CHROMIUM_PATH.`);
  }
  const uiPort = await freePort();
  uiUrl = `http://127.0.0.1:${uiPort}`;
  harness = await ClipHarness.start('dev', {
    devServer: { ui: true, uiPort, searchAttributes: CLIP_SEARCH_ATTRIBUTES },
    simulator: { predictSeconds: 3 },
  });
  harness.simulator.faults.add({ kind: 'model-unavailable', model: 'svd' });
  const taskQueue = 'web-ui';
  const worker = await createClipWorker({
    connection: harness.env.nativeConnection,
    namespace: 'default',
    taskQueue,
    deps: harness.deps,
  });
  const input = harness.input({ duration: 6 }, { pollInterval: '2s' });
  jobId = input.jobId;
  const options = clipWorkflowOptions(input, taskQueue, { searchAttributes: true });
  workflowId = options.workflowId;
  clip = await worker.runUntil(
    harness.env.client.workflow.execute<typeof generateClipWorkflow>('generateClipWorkflow', options),
  );

  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  page = await browser.newPage({ viewport: { width: 1440, height: 1100 } });
});

afterAll(async () => {
  await browser?.close();
  await harness?.close();
  if (process.env.UPDATE_SCREENSHOTS !== '1') fs.rmSync(SCREENSHOT, { force: true });
});

async function visible(text: string | RegExp): Promise<void> {
  await page.getByText(text).first().waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
}

describe('the Temporal Web UI tells the clip story', () => {
  it('shows the activity summaries of both branches and the result on the timeline', async () => {
    expect(clip).toMatchObject({ model: 'cogvideox', fallbackUsed: true, status: 'success' });

    await page.goto(workflowUiUrl(uiUrl, 'default', workflowId));

    await visible(workflowId);
    await visible('COMPLETED');
    await visible(/createPrediction • create prediction on stability-ai\/stable-video-diffusion/);
    await visible(/createPrediction • create prediction on cuuupid\/cogvideox-5b/);
    await visible(/getPrediction • poll 1 · /);
    await visible(`fetchProbeStore • fetch, probe, store clip 0 → video-clips/${jobId}/clip_0.mp4`);
    await visible(`"predictionId": "${clip.predictionId}"`);
    await visible('"fallbackUsed": true');
    await page.screenshot({ path: SCREENSHOT });
    expect(fs.readFileSync(SCREENSHOT).subarray(0, 8)).toEqual(PNG_SIGNATURE);
  });

  it('shows the static summary and details under User Metadata', async () => {
    await page.getByText('User Metadata', { exact: true }).first().click();

    await page
      .frameLocator('#user-metadata-summary')
      .getByText(`Clip 0 of job ${jobId.slice(0, 8)} · svd · 6 s`)
      .waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
    await page
      .frameLocator('#user-metadata-details')
      .getByText(jobId)
      .waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
  });

  it("sets the clip's search attributes, so the job's clips can be listed", async () => {
    await page.getByText('Search Attributes', { exact: true }).first().click();
    await visible(`"ClipJobId": "${jobId}"`);
    await visible('"ClipIndex": 0');

    const query = encodeURIComponent(`ClipJobId="${jobId}"`);
    await page.goto(`${uiUrl}/namespaces/default/workflows?query=${query}`);
    await visible(workflowId);
  });
});
