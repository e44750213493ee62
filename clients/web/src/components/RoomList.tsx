import { useQuery } from '@apollo/client';
import { useEffect } from 'react';
import { useLive, useSessionUser } from '../live/context';
import { MyRoomsQuery } from '../operations';
import { roomTitle } from './roomTitle';

/**
 * The user's rooms with unread counts. Counts move with live events; the list is re-read now and
 * then only to find rooms someone else added the user to, for which no event stream exists.
 */
export function RoomList({ selectedId, onSelect }: { selectedId: string | null; onSelect: (id: string) => void }) {
  const { feeds } = useLive();
  const me = useSessionUser();
  const { data, loading, error } = useQuery(MyRoomsQuery, { pollInterval: 30_000 });
  const rooms = data?.myRooms;

  useEffect(() => {
    if (rooms) feeds.follow(rooms);
  }, [rooms, feeds]);

  if (loading && !rooms) return <p role="status">Loading rooms…</p>;
  if (error && !rooms) return <p role="alert">Could not load your rooms.</p>;
  if (!rooms?.length) return <p className="muted">No conversations yet.</p>;
  return (
    <nav aria-label="Rooms">
      <ul className="room-list">
        {rooms.map((room) => {
          const title = roomTitle(room, me?.id);
          return (
            <li key={room.id}>
              <button
                type="button"
                className="room-list__item"
                aria-current={room.id === selectedId ? 'page' : undefined}
                onClick={() => onSelect(room.id)}
              >
                <span className="room-list__title">
                  {room.kind === 'DIRECT' ? '' : '# '}
                  {title}
                </span>
                {room.unreadCount > 0 && (
                  <span className="badge" aria-label={`${room.unreadCount} unread`}>
                    {room.unreadCount}
                  </span>
                )}
              </button>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
