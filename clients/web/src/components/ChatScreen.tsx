import { useApolloClient, useMutation } from '@apollo/client';
import { useCallback, useEffect, useState } from 'react';
import { useLive, useSessionUser } from '../live/context';
import { LogoutMutation } from '../operations';
import { NewConversation } from './NewConversation';
import { RoomList } from './RoomList';
import { RoomView } from './RoomView';

const roomFromHash = () => /^#\/rooms\/(.+)$/.exec(location.hash)?.[1] ?? null;

/** The signed-in app: rooms on the left (or alone on a phone), the open room on the right. */
export function ChatScreen() {
  const { session, feeds } = useLive();
  const apollo = useApolloClient();
  const user = useSessionUser();
  const [roomId, setRoomId] = useState<string | null>(roomFromHash);
  const [logout] = useMutation(LogoutMutation);

  // The open room lives in the URL, so the browser's back button leaves it (on a phone: back to the list).
  useEffect(() => {
    const onHash = () => setRoomId(roomFromHash());
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  const open = useCallback((id: string | null) => {
    location.hash = id ? `#/rooms/${id}` : '#/';
  }, []);
  useEffect(() => () => feeds.stopAll(), [feeds]);

  async function signOut() {
    const refreshToken = session.storedRefreshToken();
    if (refreshToken) await logout({ variables: { refreshToken } }).catch(() => undefined);
    feeds.stopAll();
    session.end();
    await apollo.clearStore();
    open(null);
  }

  return (
    <div className={`chat ${roomId ? 'chat--room-open' : ''}`}>
      <aside className="sidebar" aria-label="Conversations">
        <header className="sidebar__header">
          <span className="me" title={`@${user?.username}`}>
            {user?.displayName}
          </span>
          <button type="button" onClick={() => void signOut()}>
            Sign out
          </button>
        </header>
        <NewConversation onOpened={open} />
        <RoomList selectedId={roomId} onSelect={open} />
      </aside>
      <main className="room-pane">
        {roomId ? <RoomView key={roomId} roomId={roomId} onClose={() => open(null)} /> : <p className="centered">Choose a conversation.</p>}
      </main>
    </div>
  );
}
