import type { ApolloCache, Reference } from '@apollo/client';
import type { MessageFieldsFragment } from '../gql/graphql';
import { MessageFields } from '../operations';

type StoredConnection = { edges: { node: Reference }[] };

/**
 * Puts a message at its place in its room's loaded history, once: a live event and the
 * sender's own mutation result may both bring it, in either order.
 */
export function appendMessage(cache: ApolloCache<unknown>, message: MessageFieldsFragment): void {
  const ref = cache.writeFragment({ fragment: MessageFields, fragmentName: 'MessageFields', data: message });
  if (!ref) return;
  cache.modify<Record<string, any>>({ // eslint-disable-line @typescript-eslint/no-explicit-any
    id: cache.identify({ __typename: 'Room', id: message.roomId }),
    fields: {
      messages: (existing: StoredConnection | undefined, { readField }) => {
        if (!existing || existing.edges.some((e) => readField('id', e.node) === message.id)) return existing;
        // The merge policy of Room.messages (apollo.ts) keeps edges in seq order.
        return { ...existing, edges: [...existing.edges, { __typename: 'MessageEdge', cursor: '', node: ref }] };
      },
    },
  });
}
