import { useMutation } from '@apollo/client';
import { memo, useState, type KeyboardEvent } from 'react';
import type { MessageFieldsFragment } from '../gql/graphql';
import { AddReactionMutation, DeleteMessageMutation, EditMessageMutation, RemoveReactionMutation } from '../operations';

const QUICK_REACTIONS = ['👍', '❤️', '😂'];
const time = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });

/** One message; memoised so a new message does not re-render the whole history. */
export const MessageItem = memo(function MessageItem({ message, mine }: { message: MessageFieldsFragment; mine: boolean }) {
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(message.body);
  const [edit] = useMutation(EditMessageMutation);
  const [remove] = useMutation(DeleteMessageMutation);
  const [addReaction] = useMutation(AddReactionMutation);
  const [removeReaction] = useMutation(RemoveReactionMutation);
  const deleted = message.deletedAt !== null;

  const toggle = (emoji: string) => {
    const reacted = message.reactions.some((r) => r.emoji === emoji && r.reactedByMe);
    void (reacted ? removeReaction : addReaction)({ variables: { messageId: message.id, emoji } }).catch(() => undefined);
  };
  const saveEdit = async () => {
    const body = draft.trim();
    if (body && body !== message.body) await edit({ variables: { id: message.id, body } }).catch(() => undefined);
    setEditing(false);
  };
  const onEditKey = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === 'Escape') setEditing(false);
    if (e.key === 'Enter' && !e.shiftKey) {
      e.preventDefault();
      void saveEdit();
    }
  };

  return (
    <li className={`message ${mine ? 'message--mine' : ''}`} data-seq={message.seq}>
      <div className="message__meta">
        <span className="message__author">{message.author.displayName}</span>{' '}
        <time dateTime={message.createdAt}>{time.format(new Date(message.createdAt))}</time>
        {message.editedAt && !deleted && <span className="muted"> (edited)</span>}
      </div>
      {editing ? (
        <div className="message__edit">
          <label className="visually-hidden" htmlFor={`edit-${message.id}`}>
            Edit message
          </label>
          <textarea id={`edit-${message.id}`} value={draft} onChange={(e) => setDraft(e.target.value)} onKeyDown={onEditKey} autoFocus />
          <button type="button" onClick={() => void saveEdit()}>
            Save
          </button>
          <button type="button" onClick={() => setEditing(false)}>
            Cancel
          </button>
        </div>
      ) : (
        <p className={`message__body ${deleted ? 'muted' : ''}`}>{deleted ? 'This message was deleted.' : message.body}</p>
      )}
      {!deleted && (
        <div className="message__actions">
          {message.reactions.map((r) => (
            <button key={r.emoji} type="button" className="reaction" aria-pressed={r.reactedByMe} onClick={() => toggle(r.emoji)}
              aria-label={`${r.emoji} ${r.count} ${r.reactedByMe ? '(you reacted)' : ''}`}>
              {r.emoji} {r.count}
            </button>
          ))}
          {QUICK_REACTIONS.filter((e) => !message.reactions.some((r) => r.emoji === e)).map((emoji) => (
            <button key={emoji} type="button" className="reaction reaction--add" aria-label={`React with ${emoji}`} onClick={() => toggle(emoji)}>
              {emoji}
            </button>
          ))}
          {mine && !editing && (
            <>
              <button type="button" onClick={() => (setDraft(message.body), setEditing(true))}>
                Edit
              </button>
              <button type="button" onClick={() => void remove({ variables: { id: message.id } }).catch(() => undefined)}>
                Delete
              </button>
            </>
          )}
        </div>
      )}
    </li>
  );
});
