import { createContext, useContext, useSyncExternalStore } from 'react';
import type { Client } from 'graphql-ws';
import type { Session } from '../session';
import type { RoomFeeds } from './room-feeds';

export interface Live {
  session: Session;
  feeds: RoomFeeds;
  ws: Client;
}

export const LiveContext = createContext<Live | null>(null);

export function useLive(): Live {
  const live = useContext(LiveContext);
  if (!live) throw new Error('useLive outside LiveContext');
  return live;
}

/** The signed-in user, re-rendering on sign-in, refresh and sign-out. */
export function useSessionUser() {
  const { session } = useLive();
  return useSyncExternalStore(
    (listener) => session.subscribe(listener),
    () => session.user,
  );
}
