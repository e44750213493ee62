import type { RoomSummaryFieldsFragment } from '../gql/graphql';

/** A group room's name, or for a direct room the other person's name. */
export function roomTitle(room: Pick<RoomSummaryFieldsFragment, 'kind' | 'name' | 'members'>, myId: string | undefined): string {
  if (room.kind === 'GROUP') return room.name ?? 'Unnamed room';
  const other = room.members.find((m) => m.user.id !== myId)?.user;
  return other ? other.displayName : 'Just you';
}
