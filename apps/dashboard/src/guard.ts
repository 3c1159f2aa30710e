import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isLoopback } from './options';

/** Paths a browser opens without custom headers, so they may carry the token as `?token=`. */
const QUERY_TOKEN_PATHS = new Set(['/', '/api/events']);

const digest = (s: string) => createHash('sha256').update(s).digest();

function bearer(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  const match = header === undefined ? null : /^Bearer\s+(\S+)$/i.exec(header);
  if (match?.[1] !== undefined) return match[1];
  if (request.method !== 'GET' || !QUERY_TOKEN_PATHS.has(request.routeOptions.url ?? '')) return undefined;
  const query = request.query as Record<string, unknown> | undefined;
  return typeof query?.token === 'string' ? query.token : undefined;
}

function hostName(hostHeader: string | undefined): string {
  if (hostHeader === undefined) return '';
  return hostHeader.startsWith('[') ? hostHeader.slice(0, hostHeader.indexOf(']') + 1) : (hostHeader.split(':')[0] ?? '');
}

/**
 * Checks every request before routing:
 * - bound to loopback, the Host header must name loopback too: a web page cannot reach the
 *   dashboard through a rebinding DNS name;
 * - with a token, the request must carry it (compared in constant time), else 401;
 * - a POST from a browser must come from the dashboard's own origin (no cross-site pause).
 */
export function createGuard(options: { host: string; token: string | undefined }) {
  const expected = options.token === undefined ? null : digest(options.token);
  const loopbackOnly = isLoopback(options.host);
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (loopbackOnly && !isLoopback(hostName(request.headers.host))) {
      await reply.code(403).send({ error: 'the dashboard answers only to loopback host names' });
      return;
    }
    if (expected !== null) {
      const given = bearer(request);
      if (given === undefined || !timingSafeEqual(digest(given), expected)) {
        await reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'missing or wrong token' });
        return;
      }
    }
    const origin = request.headers.origin;
    if (request.method === 'POST' && origin !== undefined && origin !== `${request.protocol}://${request.headers.host}`) {
      await reply.code(403).send({ error: 'cross-origin requests may not change a crawl' });
      return;
    }
    // Live figures: never cached (by a browser or a proxy), never sniffed as another type.
    reply.header('cache-control', 'no-store').header('x-content-type-options', 'nosniff');
  };
}
