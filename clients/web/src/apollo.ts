import { ApolloClient, ApolloLink, HttpLink, InMemoryCache, Observable, split, type FieldMergeFunction } from '@apollo/client';
import { setContext } from '@apollo/client/link/context';
import { onError } from '@apollo/client/link/error';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { getMainDefinition } from '@apollo/client/utilities';
import { createClient, type Client } from 'graphql-ws';
import type { Session } from './session';

export interface Endpoints {
  graphqlUrl: string;
  graphqlWsUrl: string;
}

/** Where the gateway is: the page's server says so in /config.json; without it, this host on port 4000. */
export async function loadEndpoints(): Promise<Endpoints> {
  try {
    const res = await fetch('/config.json', { cache: 'no-store' });
    if (res.ok) return (await res.json()) as Endpoints;
  } catch {
    // served by `vite dev`: fall through to the default
  }
  return {
    graphqlUrl: `http://${location.hostname}:4000/graphql`,
    graphqlWsUrl: `ws://${location.hostname}:4000/graphql`,
  };
}

/** Operations that carry no access token: they are how one gets one. */
const SIGN_IN_OPERATIONS = new Set(['Register', 'Login', 'RefreshToken']);

/** Close code graphql-ws retries, used to move an open socket to a fresh access token. */
const CLIENT_RESTART = 4205;

type Edge = { __typename?: string; cursor: string; node: { __ref: string } };
type Connection = { edges: Edge[]; pageInfo: { hasPreviousPage: boolean; startCursor: string | null; __typename?: string } };

/**
 * One room's messages in the cache, whatever pages and live events brought them: each message
 * once (by id), in seq order, remembering how far back history has been loaded.
 */
const mergeMessages: FieldMergeFunction<Connection, Connection> = (existing, incoming, { readField }) => {
  if (!existing) return incoming;
  const seqOf = (edge: Edge) => readField<number>('seq', edge.node) ?? 0;
  const byRef = new Map<string, Edge>();
  for (const edge of [...existing.edges, ...incoming.edges]) byRef.set(edge.node.__ref, edge);
  const edges = [...byRef.values()].sort((a, b) => seqOf(a) - seqOf(b));
  const oldest = (c: Connection) => (c.edges.length ? seqOf(c.edges[0]) : Infinity);
  const pageInfo = oldest(incoming) < oldest(existing) ? incoming.pageInfo : existing.pageInfo;
  return { ...existing, edges, pageInfo };
};

export function createCache(): InMemoryCache {
  return new InMemoryCache({
    typePolicies: {
      Query: {
        fields: {
          // A room already in the cache (from the room list) shows at once while its history loads.
          room: { read: (existing, { args, toReference }) => existing ?? toReference({ __typename: 'Room', id: args?.id }) },
        },
      },
      Room: {
        fields: {
          messages: { keyArgs: false, merge: mergeMessages },
          members: { merge: false },
        },
      },
      Message: { fields: { reactions: { merge: false } } },
    },
  });
}

export interface Transport {
  apollo: ApolloClient<unknown>;
  /** The one graphql-ws client (one socket) every subscription of the page shares. */
  ws: Client;
}

export function createTransport(endpoints: Endpoints, session: Session): Transport {
  let socket: WebSocket | null = null;
  const ws = createClient({
    url: endpoints.graphqlWsUrl,
    lazy: true,
    // A function, so every (re)connection presents an access token that is valid now.
    connectionParams: async () => ({ authorization: `Bearer ${await session.token()}` }),
    retryAttempts: Infinity,
    shouldRetry: () => true,
    // Quick first retry (a restart or a blip), then backing off to at most 5 s, with jitter.
    retryWait: (retries) =>
      new Promise((resolve) => setTimeout(resolve, Math.min(200 * 2 ** retries, 5_000) * (0.5 + Math.random() / 2))),
    keepAlive: 10_000,
    on: {
      connected: (s) => {
        socket = s as WebSocket;
      },
      closed: () => {
        socket = null;
      },
    },
  });
  // The gateway closes a socket when the token it opened with expires; move to the new token first.
  session.onTokenRenewed = () => {
    if (socket?.readyState === WebSocket.OPEN) socket.close(CLIENT_RESTART, 'Client Restart');
  };

  const withToken = setContext(async (operation, { headers }) => {
    if (SIGN_IN_OPERATIONS.has(operation.operationName ?? '') || !session.signedIn) return { headers };
    return { headers: { ...headers, authorization: `Bearer ${await session.token()}` } };
  });
  // A token can still expire in flight (a laptop waking up): refresh once and try again.
  const retryUnauthenticated = onError(({ graphQLErrors, operation, forward }) => {
    const unauthenticated = graphQLErrors?.some((e) => e.extensions?.code === 'UNAUTHENTICATED');
    if (!unauthenticated || SIGN_IN_OPERATIONS.has(operation.operationName) || operation.getContext().retried) return;
    return new Observable((observer) => {
      session.refresh().then(
        (token) => {
          operation.setContext(({ headers }: { headers?: Record<string, string> }) => ({
            retried: true,
            headers: { ...headers, authorization: `Bearer ${token}` },
          }));
          forward(operation).subscribe(observer);
        },
        (error) => observer.error(error),
      );
    });
  });
  const http = ApolloLink.from([retryUnauthenticated, withToken, new HttpLink({ uri: endpoints.graphqlUrl })]);
  const link = split(
    ({ query }) => {
      const definition = getMainDefinition(query);
      return definition.kind === 'OperationDefinition' && definition.operation === 'subscription';
    },
    new GraphQLWsLink(ws),
    http,
  );
  return { apollo: new ApolloClient({ link, cache: createCache() }), ws };
}
