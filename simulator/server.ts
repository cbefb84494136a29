import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SimulatorContext } from './context';
import { checkBearer } from './http/errors';
import { internalError, methodNotAllowed, notFound } from './http/errors';
import { sendJson } from './http/respond';
import { countRequest } from './stats';
import { ROUTES, type RouteSpec } from './routes/table';

function matchRoutes(pathname: string): { route: RouteSpec; params: string[] }[] {
  return ROUTES.flatMap((route) => {
    const match = route.path.exec(pathname);
    return match ? [{ route, params: match.slice(1).map((param) => decodeURIComponent(param)) }] : [];
  });
}

function originOf(req: IncomingMessage, publicUrl: string | undefined): string {
  if (publicUrl) return publicUrl.replace(/\/+$/, '').replace(/\/v1$/, '');
  return `http://${req.headers.host ?? '127.0.0.1'}`;
}

/** The request's origin with a loopback IP literal (127.x.x.x, [::1]) named `localhost` instead; publicUrl as is. */
function outputOriginOf(req: IncomingMessage, publicUrl: string | undefined): string {
  const origin = originOf(req, publicUrl);
  if (publicUrl) return origin;
  try {
    const url = new URL(origin);
    if (/^127\.\d+\.\d+\.\d+$/.test(url.hostname) || url.hostname === '[::1]') url.hostname = 'localhost';
    return url.origin;
  } catch {
    return origin;
  }
}

/** The request listener: count, authenticate, route, and turn unexpected errors into Replicate's 500. */
export function createRequestListener(sim: SimulatorContext, publicUrl: string | undefined) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    void handle(sim, publicUrl, req, res).catch(() => {
      if (res.headersSent) res.destroy();
      else sendJson(res, 500, internalError());
    });
  };
}

async function handle(
  sim: SimulatorContext,
  publicUrl: string | undefined,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://simulator.invalid');
  const method = req.method ?? 'GET';
  const candidates = matchRoutes(url.pathname);
  const matched = candidates.find(({ route }) => route.methods.includes(method));
  if (matched?.route.endpoint) countRequest(sim.stats, matched.route.endpoint(matched.params));
  else if (!matched && !url.pathname.startsWith('/_admin')) countRequest(sim.stats, `${method} ${url.pathname}`);

  const needsAuth = matched ? matched.route.auth : url.pathname.startsWith('/v1');
  if (needsAuth) {
    const refusal = checkBearer(req, sim.token);
    if (refusal) {
      sendJson(res, 401, refusal);
      return;
    }
  }
  if (!matched) {
    if (candidates.length > 0)
      sendJson(res, 405, methodNotAllowed(method), { allow: candidates[0].route.methods.join(', ') });
    else sendJson(res, 404, notFound());
    return;
  }
  sim.engine.sweep();
  await matched.route.handler(sim, {
    req,
    res,
    url,
    params: matched.params,
    origin: originOf(req, publicUrl),
    outputOrigin: outputOriginOf(req, publicUrl),
  });
}
