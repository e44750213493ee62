import { useApolloClient, useMutation, useQuery } from '@apollo/client';
import { useEffect, useLayoutEffect, useRef, useState, type FormEvent, type RefObject } from 'react';
import { describeError } from '../errors';
import { useLive, useSessionUser } from '../live/context';
import { InviteToRoomMutation, LeaveRoomMutation, RoomHistoryQuery, UserByUsernameQuery } from '../operations';
import { Composer } from './Composer';
import { MessageItem } from './MessageItem';
import { roomTitle } from './roomTitle';
import { TypingIndicator } from './TypingIndicator';

const PAGE = 30;

/** One room: its history (paging back on demand), live messages, typing, and room actions. */
export function RoomView({ roomId, onClose }: { roomId: string; onClose: () => void }) {
  const me = useSessionUser();
  const { data, loading, error, fetchMore } = useQuery(RoomHistoryQuery, { variables: { roomId, last: PAGE } });
  const room = data?.room;
  const edges = room?.messages?.edges ?? [];
  const log = useRef<HTMLDivElement>(null);
  const stickToBottom = useRef(true);
  const heightBeforeOlder = useRef<number | null>(null);
  const [loadingOlder, setLoadingOlder] = useState(false);

  useOpenRoom(roomId, room?.unreadCount ?? 0, room?.lastSeq ?? 0);
  useScrollAnchor(log, stickToBottom, heightBeforeOlder, edges.length);

  async function loadOlder() {
    if (!room?.messages.pageInfo.startCursor) return;
    heightBeforeOlder.current = log.current?.scrollHeight ?? null;
    setLoadingOlder(true);
    try {
      await fetchMore({ variables: { before: room.messages.pageInfo.startCursor } });
    } finally {
      setLoadingOlder(false);
    }
  }

  if (error && !room) return <p role="alert">{describeError(error)}</p>;
  if (loading && !room) return <p role="status">Loading…</p>;
  if (!room) return <p role="alert">This room does not exist.</p>;
  const title = roomTitle(room, me?.id);

  return (
    <section className="room" aria-labelledby="room-title">
      <header className="room__header">
        <button type="button" className="room__back" onClick={onClose} aria-label="Back to conversations">
          ←
        </button>
        <h2 id="room-title">{title}</h2>
        <span className="muted">{room.members.length} members</span>
        {room.kind === 'GROUP' && <RoomActions roomId={roomId} onLeft={onClose} />}
      </header>
      <div
        className="room__log"
        ref={log}
        role="log"
        aria-label={`Messages in ${title}`}
        aria-live="polite"
        tabIndex={0}
        onScroll={(e) => {
          const el = e.currentTarget;
          stickToBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
        }}
      >
        {room.messages.pageInfo.hasPreviousPage && (
          <button type="button" className="load-older" onClick={() => void loadOlder()} disabled={loadingOlder}>
            {loadingOlder ? 'Loading…' : 'Load earlier messages'}
          </button>
        )}
        <ol className="messages">
          {edges.map(({ node }) => (
            <MessageItem key={node.id} message={node} mine={node.author.id === me?.id} />
          ))}
        </ol>
      </div>
      <TypingIndicator roomId={roomId} />
      <Composer roomId={roomId} />
    </section>
  );
}

/** The room the reader has open: live events for it count as read while the tab is visible. */
function useOpenRoom(roomId: string, unread: number, lastSeq: number) {
  const { feeds } = useLive();
  useEffect(() => {
    feeds.openRoomId = roomId;
    return () => {
      if (feeds.openRoomId === roomId) feeds.openRoomId = null;
    };
  }, [feeds, roomId]);
  // What arrives while the tab is hidden stays unread until the reader comes back to it.
  useEffect(() => {
    const markIfSeen = () => {
      if (unread > 0 && document.visibilityState === 'visible') feeds.markRead(roomId, lastSeq);
    };
    markIfSeen();
    document.addEventListener('visibilitychange', markIfSeen);
    return () => document.removeEventListener('visibilitychange', markIfSeen);
  }, [feeds, roomId, unread, lastSeq]);
}

/** New messages keep the view at the bottom if the reader was there; older pages keep the reader's place. */
function useScrollAnchor(
  log: RefObject<HTMLDivElement | null>,
  stickToBottom: RefObject<boolean>,
  heightBeforeOlder: RefObject<number | null>,
  count: number,
) {
  useLayoutEffect(() => {
    const el = log.current;
    if (!el) return;
    if (heightBeforeOlder.current !== null) {
      el.scrollTop += el.scrollHeight - heightBeforeOlder.current;
      heightBeforeOlder.current = null;
    } else if (stickToBottom.current) {
      el.scrollTop = el.scrollHeight;
    }
  }, [log, stickToBottom, heightBeforeOlder, count]);
}

function RoomActions({ roomId, onLeft }: { roomId: string; onLeft: () => void }) {
  const apollo = useApolloClient();
  const { feeds } = useLive();
  const [invite] = useMutation(InviteToRoomMutation);
  const [leave] = useMutation(LeaveRoomMutation);
  const [status, setStatus] = useState<string | null>(null);

  async function submitInvite(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const username = String(new FormData(form).get('username') ?? '').trim().replace(/^@/, '');
    setStatus(null);
    try {
      const { data } = await apollo.query({ query: UserByUsernameQuery, variables: { username }, fetchPolicy: 'network-only' });
      if (!data.userByUsername) throw new Error(`No user named ${username}.`);
      await invite({ variables: { roomId, userId: data.userByUsername.id } });
      setStatus(`${data.userByUsername.displayName} was added.`);
      form.reset();
    } catch (e) {
      setStatus(describeError(e));
    }
  }

  async function leaveRoom() {
    if (!window.confirm('Leave this room?')) return;
    try {
      await leave({ variables: { roomId } });
      feeds.leave(roomId);
      onLeft();
    } catch (e) {
      setStatus(describeError(e));
    }
  }

  return (
    <div className="room__actions">
      <form onSubmit={(e) => void submitInvite(e)} className="inline-form">
        <label>
          Invite
          <input name="username" placeholder="username" autoComplete="off" required />
        </label>
        <button type="submit">Add</button>
      </form>
      <button type="button" onClick={() => void leaveRoom()}>
        Leave room
      </button>
      {status && <p role="status">{status}</p>}
    </div>
  );
}
