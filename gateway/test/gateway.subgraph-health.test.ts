import { createServer } from 'node:http';
import { createLogger } from '@aether/common';
import { loadGatewayConfig } from '../src/config';
import { GatewayMetrics } from '../src/metrics';
import { Subgraphs } from '../src/subgraphs';

describe('subgraph health', () => {
  it('takes a 503 from /health as down, and asks { __typename } only of a subgraph without /health', async () => {
    let healthStatus = 503;
    const server = createServer((req, res) => {
      if (req.url === '/health') return res.writeHead(healthStatus).end();
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"data":{"__typename":"Query"}}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/graphql`;
    try {
      const config = loadGatewayConfig({ NODE_ENV: 'test', GATEWAY_SECRET: 'x'.repeat(32), SERVICE_TOKEN: 'y'.repeat(32) });
      const subgraphs = new Subgraphs(config.subgraphs, config.gatewaySecret, new GatewayMetrics(), createLogger({ service: 'test', level: 'error' }));
      subgraphs.buildService({ name: 'products', url });
      await expect(subgraphs.readiness().check()).rejects.toThrow(/products answered 503/);
      healthStatus = 404;
      await expect(subgraphs.readiness().check()).resolves.toBeDefined();
      await subgraphs.close();
    } finally {
      server.close();
    }
  });
});
