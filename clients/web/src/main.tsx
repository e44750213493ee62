import { ApolloProvider } from '@apollo/client';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './components/App';
import { loadEndpoints, createTransport } from './apollo';
import { LiveContext } from './live/context';
import { RoomFeeds } from './live/room-feeds';
import { RefreshTokenMutation } from './operations';
import { Session } from './session';
import './styles.css';

async function boot(): Promise<void> {
  const endpoints = await loadEndpoints();
  // The refresh exchange is itself a GraphQL mutation, sent by the client the session feeds.
  const session = new Session(async (refreshToken) => {
    const { data } = await transport.apollo.mutate({ mutation: RefreshTokenMutation, variables: { refreshToken }, fetchPolicy: 'no-cache' });
    if (!data) throw new Error('refreshToken returned no data');
    return data.refreshToken;
  });
  const transport = createTransport(endpoints, session);
  const { apollo, ws } = transport;
  const feeds = new RoomFeeds(ws, apollo, session);
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <ApolloProvider client={apollo}>
        <LiveContext.Provider value={{ session, feeds, ws }}>
          <App />
        </LiveContext.Provider>
      </ApolloProvider>
    </StrictMode>,
  );
}

void boot();
