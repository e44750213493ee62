import { useSubscription } from '@apollo/client';
import { useEffect, useState } from 'react';
import { TypingSubscription } from '../operations';

interface Typist {
  name: string;
  expiresAt: number;
}

/** "Alice is typing…": live, over the page's one socket; each indicator lapses at its expiresAt. */
export function TypingIndicator({ roomId }: { roomId: string }) {
  const [typists, setTypists] = useState<Map<string, Typist>>(new Map());
  const { restart } = useSubscription(TypingSubscription, {
    variables: { roomId },
    onData: ({ data }) => {
      const event = data.data?.typing;
      if (!event) return;
      setTypists((current) => {
        const next = new Map(current);
        if (event.typing) next.set(event.user.id, { name: event.user.displayName, expiresAt: Date.parse(event.expiresAt) });
        else next.delete(event.user.id);
        return next;
      });
    },
    // Typing is not replayed, so after any failure simply listen again.
    onError: () => setTimeout(() => restart(), 2_000),
  });

  useEffect(() => {
    if (typists.size === 0) return;
    const soonest = Math.min(...[...typists.values()].map((t) => t.expiresAt));
    const timer = setTimeout(
      () => setTypists((current) => new Map([...current].filter(([, t]) => t.expiresAt > Date.now()))),
      Math.max(soonest - Date.now(), 0) + 50,
    );
    return () => clearTimeout(timer);
  }, [typists]);

  const names = [...typists.values()].map((t) => t.name);
  const text =
    names.length === 0 ? '' : names.length === 1 ? `${names[0]} is typing…` : names.length === 2 ? `${names[0]} and ${names[1]} are typing…` : 'Several people are typing…';
  return (
    <p className="typing" role="status" aria-live="polite">
      {text}
    </p>
  );
}
