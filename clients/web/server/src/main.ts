import { runService } from '@aether/common';
import { loadWebConfig } from './config';
import { startWebServer } from './server';

runService('web', async () => {
  const server = await startWebServer(loadWebConfig());
  process.stdout.write(`web: serving the chat client at http://localhost:${server.port}/\n`);
  return server;
});
