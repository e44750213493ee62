import WebSocket from 'ws';
import { registerUser, startStack, type Stack, type TestUser } from '../../test/harness';

/** Opens a socket, sends connection_init and lets go at once, as a client on a flaky network reconnecting. */
function initAndDrop(url: string, token: string): Promise<void> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url.replace(/^http/, 'ws'), 'graphql-transport-ws');
    socket.on('open', () => {
      socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } }));
      socket.terminate();
    });
    socket.on('close', () => resolve());
    socket.on('error', () => resolve());
  });
}

/** Opens a socket and resolves with 'ack' once acknowledged, or with its close code. */
function connect(url: string, token: string): Promise<{ outcome: 'ack' | number; socket: WebSocket }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url.replace(/^http/, 'ws'), 'graphql-transport-ws');
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } })));
    socket.on('message', (data) => {
      if (JSON.parse(String(data)).type === 'connection_ack') resolve({ outcome: 'ack', socket });
    });
    socket.on('close', (code) => resolve({ outcome: code, socket }));
    socket.on('error', reject);
  });
}

describe('gateway edge: connection slots of sockets that close during connection_init', () => {
  let stack: Stack;
  let user: TestUser;

  beforeAll(async () => {
    stack = await startStack({ env: { WS_CONNECTIONS_PER_USER: '2' } });
    user = await registerUser(stack);
  });
  afterAll(() => stack.stop());

  it('gives every slot back, so a burst of dropped reconnects does not lock the user out with 4029', async () => {
    for (let round = 0; round < 5; round++) {
      await Promise.all(Array.from({ length: 10 }, () => initAndDrop(stack.gatewayUrl, user.accessToken)));
    }
    // Whatever the server was still verifying has finished by now.
    await new Promise((r) => setTimeout(r, 300));
    const first = await connect(stack.gatewayUrl, user.accessToken);
    const second = await connect(stack.gatewayUrl, user.accessToken);
    expect([first.outcome, second.outcome]).toEqual(['ack', 'ack']);
    // The limit itself still holds.
    const third = await connect(stack.gatewayUrl, user.accessToken);
    expect(third.outcome).toBe(4029);
    for (const { socket } of [first, second, third]) socket.close();
  });
});
