/**
 * The admin server's safe defaults: a loopback address unless a token is set, a bearer token
 * compared in constant time, a Host header allowlist (a page on another site can't reach a
 * localhost server through DNS rebinding if the Host it sends is refused), and no state-changing
 * request from another site's page.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { isLoopbackHost, type AdminSettings } from './settings.js';
import { UsageError } from '../../shared/errors.js';
import { HttpError, sendProblem } from './problem.js';

/** Refuses, before listening, to expose the API beyond this machine without a token. */
export function assertSafeToListen(admin: AdminSettings): void {
  if (!isLoopbackHost(admin.host) && !admin.token) {
    throw new UsageError(
      `ADMIN_HOST=${admin.host} would expose the admin API beyond this machine: set ADMIN_TOKEN (a long random string) as well, or keep the default 127.0.0.1`,
    );
  }
}

export function hostCheck(admin: AdminSettings): RequestHandler {
  const allowed = new Set(admin.allowedHosts.map((host) => host.toLowerCase()));
  return (request, response, next) => {
    const host = (request.headers.host ?? '').toLowerCase();
    // The port doesn't matter for DNS rebinding, the name does: "127.0.0.1:8080" → "127.0.0.1".
    const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : (host.split(':')[0] ?? '');
    if (allowed.has(name)) return next();
    sendProblem(
      response,
      new HttpError(421, 'Misdirected Request', `Host "${host}" is not served here; allowed: ${[...allowed].join(', ')} (ADMIN_ALLOWED_HOSTS)`),
    );
  };
}

/** Methods that change nothing, which a browser may send from any page (a link, an image). */
const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Refuses a state-changing request a browser sends on behalf of another page (cross-site request
 * forgery). A form or a no-cors fetch on any web site can POST to http://127.0.0.1:8080/stop-all
 * without a preflight, and the Host check passes since the browser names this server. But the
 * browser also says where the request comes from: Sec-Fetch-Site (recent browsers) and Origin (on
 * every POST). Only the dashboard's own origin may change anything; another port on this machine is
 * another origin. Clients that are not browsers (curl, scripts) send neither header and pass.
 */
export function refuseCrossSite(): RequestHandler {
  return (request, response, next) => {
    if (safeMethods.has(request.method)) return next();
    const fetchSite = request.headers['sec-fetch-site'];
    if (fetchSite !== undefined && fetchSite !== 'same-origin' && fetchSite !== 'none') {
      return sendProblem(
        response,
        new HttpError(
          403,
          'Forbidden',
          `a ${request.method} from another site is refused (Sec-Fetch-Site: ${fetchSite}); use the dashboard on this server, or a client such as curl`,
        ),
      );
    }
    const origin = request.headers.origin;
    if (origin !== undefined && !isSameOrigin(origin, request.headers.host ?? '')) {
      return sendProblem(
        response,
        new HttpError(403, 'Forbidden', `a ${request.method} from origin ${origin} is refused; only pages served by this server may change consumers`),
      );
    }
    next();
  };
}

/** Whether an Origin header names the server the request was sent to (its Host, port included). */
function isSameOrigin(origin: string, host: string): boolean {
  try {
    const url = new URL(origin);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.host === host.toLowerCase();
  } catch {
    // "null" (a sandboxed frame, a file:// page) or garbage
    return false;
  }
}

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/** Bearer token check; hashing both sides first makes the comparison constant-time whatever the lengths. */
export function requireToken(admin: AdminSettings): RequestHandler {
  const expected = admin.token === undefined ? undefined : digest(admin.token);
  return (request, response, next) => {
    if (!expected) return next();
    const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    if (token !== undefined && timingSafeEqual(digest(token), expected)) return next();
    response.setHeader('WWW-Authenticate', 'Bearer realm="kafka-harness admin"');
    sendProblem(response, new HttpError(401, 'Unauthorized', 'this server needs Authorization: Bearer <ADMIN_TOKEN>'));
  };
}
