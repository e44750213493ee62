import { useEffect, useState } from 'react';
import { useLive, useSessionUser } from '../live/context';
import { AuthScreen } from './AuthScreen';
import { ChatScreen } from './ChatScreen';

export function App() {
  const { session } = useLive();
  const user = useSessionUser();
  const [resuming, setResuming] = useState(() => session.canResume && !session.signedIn);

  // A reload keeps the session: trade the stored refresh token for a new access token.
  useEffect(() => {
    if (!resuming) return;
    session.refresh().catch(() => undefined).finally(() => setResuming(false));
  }, [resuming, session]);

  if (resuming) return <p className="centered" role="status">Signing you in…</p>;
  return user ? <ChatScreen key={user.id} /> : <AuthScreen />;
}
