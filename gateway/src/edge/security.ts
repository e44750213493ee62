import { ErrorCode, type Logger } from '@aether/common';
import { ApolloServerErrorCode } from '@apollo/server/errors';
import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import helmet from 'helmet';

// What Apollo's landing pages load (see @apollo/server's landingPage/default): the Sandbox and
// Explorer embeds, the production landing page, their styles, fonts and the embed iframes.
// The page also sends its own nonce-based CSP in a <meta> tag; both policies must allow it.
const APOLLO_SCRIPTS = [
  'https://embeddable-sandbox.cdn.apollographql.com',
  'https://embeddable-explorer.cdn.apollographql.com',
  'https://apollo-server-landing-page.cdn.apollographql.com',
];
const APOLLO_FRAMES = ['https://sandbox.embed.apollographql.com', 'https://explorer.embed.apollographql.com'];

/**
 * Security headers on every gateway response (helmet): a Content-Security-Policy that lets
 * Apollo Sandbox load and nothing else, no framing of the gateway by other sites, nosniff,
 * no referrer, HSTS, and the cross-origin isolation headers.
 */
export function securityHeaders(): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        // 'unsafe-inline' is ignored by browsers that honour the page's own nonce policy; it is here
        // because the nonce is Apollo's, made per page, and this header cannot know it.
        scriptSrc: ["'self'", "'unsafe-inline'", ...APOLLO_SCRIPTS],
        styleSrc: ["'self'", "'unsafe-inline'", ...APOLLO_SCRIPTS, 'https://fonts.googleapis.com'],
        fontSrc: ["'self'", 'https://fonts.gstatic.com'],
        imgSrc: ["'self'", 'data:', 'https://apollo-server-landing-page.cdn.apollographql.com'],
        manifestSrc: ["'self'", 'https://apollo-server-landing-page.cdn.apollographql.com'],
        frameSrc: APOLLO_FRAMES,
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    // Sandbox may open sign-in popups.
    crossOriginOpenerPolicy: { policy: 'same-origin-allow-popups' },
    referrerPolicy: { policy: 'no-referrer' },
  });
}

/** A GraphQL-shaped error body, so that clients parse every refusal the same way. */
function refuse(res: express.Response, status: number, message: string, code: string = ApolloServerErrorCode.BAD_REQUEST): void {
  res.status(status).json({ errors: [{ message, extensions: { code } }] });
}

/**
 * JSON bodies up to `maxBytes`, and batched requests (a JSON array of operations) of at most
 * `maxBatch` operations; with `maxBatch` 0 Apollo Server refuses every array itself.
 */
export function graphqlBody(maxBytes: number, maxBatch: number): RequestHandler[] {
  return [
    express.json({ limit: maxBytes }),
    (req, res, next) => {
      if (maxBatch > 0 && Array.isArray(req.body) && req.body.length > maxBatch) {
        refuse(res, 400, `At most ${maxBatch} operations per batch`);
        return;
      }
      next();
    },
  ];
}

/**
 * Turns what the body parser refuses into GraphQL-shaped answers (413 for too large, 400 for
 * malformed JSON, 415 for an unsupported charset or encoding) and anything else that escaped
 * into a bare 500, logged once with the request's context by the logger.
 */
export function httpErrors(logger: Logger): ErrorRequestHandler {
  return (error, _req, res, next) => {
    if (res.headersSent) return next(error);
    const type = (error as { type?: string }).type;
    const status = Number((error as { status?: number }).status) || 500;
    if (type === 'entity.too.large') return refuse(res, 413, `Request body is larger than ${(error as { limit?: number }).limit} bytes`);
    if (type === 'entity.parse.failed') return refuse(res, 400, 'Request body is not valid JSON');
    if (type === 'charset.unsupported' || type === 'encoding.unsupported') return refuse(res, 415, 'Unsupported body encoding');
    if (status >= 400 && status < 500) return refuse(res, status, 'Bad request');
    logger.error('request failed', { requestId: res.locals.requestId, error: (error as Error).message, stack: (error as Error).stack });
    refuse(res, 500, 'Internal server error', ErrorCode.INTERNAL_SERVER_ERROR);
  };
}
