import { useMutation } from '@apollo/client';
import { useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { describeError } from '../errors';
import { appendMessage } from '../live/history';
import { SendMessageMutation, SetTypingMutation } from '../operations';

/** How often "still typing" is repeated while the user types, and when silence means "stopped". */
const TYPING_RENEW_MS = 3_000;
const TYPING_IDLE_MS = 4_000;

export function Composer({ roomId }: { roomId: string }) {
  const [body, setBody] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [send, sending] = useMutation(SendMessageMutation, {
    update: (cache, { data }) => data && appendMessage(cache, data.sendMessage),
  });
  const [setTyping] = useMutation(SetTypingMutation);
  const typingSentAt = useRef(0);
  const idle = useRef<ReturnType<typeof setTimeout>>(undefined);
  // Kept across failed attempts, so a retry of the same text cannot post it twice.
  const clientMessageId = useRef(crypto.randomUUID());

  const stopTyping = () => {
    clearTimeout(idle.current);
    if (typingSentAt.current) void setTyping({ variables: { roomId, typing: false } }).catch(() => undefined);
    typingSentAt.current = 0;
  };
  useEffect(() => () => stopTyping(), []); // eslint-disable-line react-hooks/exhaustive-deps

  function onChange(value: string) {
    setBody(value);
    if (!value.trim()) return stopTyping();
    if (Date.now() - typingSentAt.current > TYPING_RENEW_MS) {
      typingSentAt.current = Date.now();
      void setTyping({ variables: { roomId, typing: true } }).catch(() => undefined);
    }
    clearTimeout(idle.current);
    idle.current = setTimeout(stopTyping, TYPING_IDLE_MS);
  }

  async function submit(event?: FormEvent) {
    event?.preventDefault();
    const text = body.trim();
    if (!text || sending.loading) return;
    setError(null);
    try {
      await send({ variables: { input: { roomId, body: text, clientMessageId: clientMessageId.current } } });
      clientMessageId.current = crypto.randomUUID();
      setBody('');
      stopTyping();
    } catch (e) {
      setError(describeError(e));
    }
  }

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === 'Enter' && !e.shiftKey) {
      e.preventDefault();
      void submit();
    }
  };

  return (
    <form className="composer" onSubmit={(e) => void submit(e)}>
      <label className="visually-hidden" htmlFor={`composer-${roomId}`}>
        Message
      </label>
      <textarea
        id={`composer-${roomId}`}
        rows={1}
        placeholder="Write a message"
        value={body}
        maxLength={4000}
        onChange={(e) => onChange(e.target.value)}
        onKeyDown={onKeyDown}
        onBlur={stopTyping}
      />
      <button type="submit" disabled={!body.trim() || sending.loading}>
        Send
      </button>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </form>
  );
}
