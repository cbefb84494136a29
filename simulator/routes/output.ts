import type { Handler } from '../context';
import { sendVideoFile } from '../http/file-response';
import { answeredByFault } from '../http/transport-faults';
import { modelName } from '../models/model';
import { outputStats } from '../stats';

const NOT_A_VIDEO = Buffer.from('<html><body>This is not a video.</body></html>\n');

function sendNotFound(res: Parameters<Handler>[1]['res']): void {
  res.writeHead(404, { 'content-type': 'text/plain', 'content-length': '10' });
  res.end('Not Found\n');
}

/**
 * GET/HEAD /delivery/{id}/output.mp4: the rendered MP4, while the prediction has succeeded and its data
 * has not been removed. No auth, like replicate.delivery.
 */
export const getOutputFile: Handler = async (sim, request) => {
  const { req, res } = request;
  const served = outputStats(sim.stats, request.params[0]);
  served.requests += 1;
  if (req.headers.range !== undefined) served.rangeRequests += 1;
  const countBytes = (bytes: number) => {
    served.bytes += bytes;
  };
  const entry = sim.store.get(request.params[0]);
  const subject = entry ? { model: modelName(entry.model), modelKey: entry.model.key } : {};
  if (await answeredByFault(sim, request, 'output', subject)) return;
  const available = entry?.output && sim.engine.state(entry).status === 'succeeded' && !sim.engine.isDataRemoved(entry);
  if (!entry?.output || !available) {
    sendNotFound(res);
    return;
  }
  const fault = sim.faults.take('output', subject, [
    'output-404',
    'output-truncated',
    'output-not-video',
    'output-stall',
  ]);
  if (fault?.kind === 'output-404') {
    sendNotFound(res);
  } else if (fault?.kind === 'output-not-video') {
    res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': String(NOT_A_VIDEO.length) });
    if (req.method !== 'HEAD') countBytes(NOT_A_VIDEO.length);
    res.end(req.method === 'HEAD' ? undefined : NOT_A_VIDEO);
  } else {
    await sendVideoFile(req, res, entry.output.path, {
      truncated: fault?.kind === 'output-truncated',
      stallMs: fault?.kind === 'output-stall' ? fault.ms : undefined,
      onBytes: countBytes,
    });
  }
};
