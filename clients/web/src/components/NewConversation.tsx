import { useApolloClient, useMutation, type Reference } from '@apollo/client';
import { useState, type FormEvent } from 'react';
import { describeError } from '../errors';
import { CreateRoomMutation, OpenDirectRoomMutation, RoomSummaryFields, UserByUsernameQuery } from '../operations';

/** Starts a direct conversation with a username, or a new group room. */
export function NewConversation({ onOpened }: { onOpened: (roomId: string) => void }) {
  const apollo = useApolloClient();
  const addToMyRooms = (cache: typeof apollo.cache, room: { id: string } | undefined) => {
    if (!room) return;
    const ref = cache.writeFragment({ fragment: RoomSummaryFields, fragmentName: 'RoomSummaryFields', data: room as never });
    cache.modify<Record<string, any>>({ // eslint-disable-line @typescript-eslint/no-explicit-any
      fields: {
        myRooms: (rooms: readonly Reference[] = [], { readField }) =>
          rooms.some((r) => readField('id', r) === room.id) ? rooms : [ref as Reference, ...rooms],
      },
    });
  };
  const [openDirect] = useMutation(OpenDirectRoomMutation, { update: (cache, { data }) => addToMyRooms(cache, data?.openDirectRoom) });
  const [createRoom] = useMutation(CreateRoomMutation, { update: (cache, { data }) => addToMyRooms(cache, data?.createRoom) });
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function run(event: FormEvent<HTMLFormElement>, action: (value: string) => Promise<string>) {
    event.preventDefault();
    const form = event.currentTarget;
    const value = String(new FormData(form).get('value') ?? '').trim();
    if (!value) return;
    setBusy(true);
    setError(null);
    try {
      onOpened(await action(value));
      form.reset();
    } catch (e) {
      setError(describeError(e));
    } finally {
      setBusy(false);
    }
  }

  const direct = async (username: string) => {
    const { data } = await apollo.query({ query: UserByUsernameQuery, variables: { username: username.replace(/^@/, '') }, fetchPolicy: 'network-only' });
    if (!data.userByUsername) throw new Error(`No user named ${username}.`);
    const result = await openDirect({ variables: { userId: data.userByUsername.id } });
    return result.data!.openDirectRoom.id;
  };
  const group = async (name: string) => (await createRoom({ variables: { input: { name } } })).data!.createRoom.id;

  return (
    <section className="new-conversation" aria-label="New conversation">
      <form onSubmit={(e) => void run(e, direct)} className="inline-form">
        <label>
          Message a user
          <input name="value" placeholder="username" autoComplete="off" required />
        </label>
        <button type="submit" disabled={busy}>
          Open
        </button>
      </form>
      <form onSubmit={(e) => void run(e, group)} className="inline-form">
        <label>
          New group
          <input name="value" placeholder="room name" autoComplete="off" required maxLength={100} />
        </label>
        <button type="submit" disabled={busy}>
          Create
        </button>
      </form>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </section>
  );
}
