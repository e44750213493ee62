import { PersistedOperationError } from '@aether/common';
import type { RequestHandler, Response } from 'express';
import { CLIENT_NAME_HEADER, type OperationRequest, type PersistedOperations } from './resolve';

function refuse(res: Response, error: PersistedOperationError): void {
  // Like Apollo Server's own PersistedQueryNotFound: never cached, so the retry with the document is not answered from a cache.
  if (error.httpStatus === 200) res.set('cache-control', 'private, no-cache, must-revalidate');
  res.status(error.httpStatus).json({ errors: [{ message: error.message, extensions: { code: error.extensions.code } }] });
}

function resolveInPlace(operations: PersistedOperations, body: Record<string, unknown>, client: string | undefined): void {
  const resolved = operations.resolve(body as OperationRequest, client);
  delete body.documentId;
  if (resolved.query !== undefined) body.query = resolved.query;
  if (resolved.extensions !== undefined) body.extensions = resolved.extensions;
}

/**
 * Fills in operations sent by id (POST bodies, batches, and GET query strings) before Apollo
 * Server reads the request, and refuses what the safelist does not allow with a GraphQL-shaped
 * error. Runs after the body parser and before `expressMiddleware`.
 */
export function persistedOperationsOverHttp(operations: PersistedOperations): RequestHandler {
  return (req, res, next) => {
    const client = req.get(CLIENT_NAME_HEADER);
    try {
      if (req.method === 'GET') {
        const url = new URL(req.originalUrl, 'http://gateway');
        const params = url.searchParams;
        let extensions: Record<string, unknown> | undefined;
        try {
          extensions = params.has('extensions') ? JSON.parse(params.get('extensions')!) : undefined;
        } catch {
          return next(); // Apollo Server answers malformed `extensions` itself.
        }
        const request = { query: params.get('query'), extensions, documentId: params.get('documentId') ?? undefined };
        const resolved = operations.resolve(request, client);
        if (resolved.query !== undefined && resolved.query !== request.query) {
          params.delete('documentId');
          params.set('query', resolved.query);
          if (resolved.extensions && Object.keys(resolved.extensions).length) params.set('extensions', JSON.stringify(resolved.extensions));
          else params.delete('extensions');
          req.url = `${req.url.split('?')[0]}?${params}`;
        }
      } else if (Array.isArray(req.body)) {
        for (const body of req.body) if (body && typeof body === 'object') resolveInPlace(operations, body, client);
      } else if (req.body && typeof req.body === 'object') {
        resolveInPlace(operations, req.body, client);
      }
    } catch (error) {
      if (error instanceof PersistedOperationError) return refuse(res, error);
      return next(error);
    }
    next();
  };
}
