import { ServiceMetrics } from '@aether/common';

/**
 * The gateway's metrics: every service's (`ServiceMetrics`) and those only the gateway has,
 * registered by it alone: subgraph fetches, graphql-ws sockets and deliveries, refusals at the edge.
 */
export class GatewayMetrics extends ServiceMetrics {
  readonly subgraphFetchDuration = this.histogram({
    name: 'aether_subgraph_fetch_duration_seconds',
    help: 'Gateway fetches to one subgraph, retries included, by outcome (ok, error)',
    labelNames: ['subgraph', 'outcome'] as const,
  });
  readonly subgraphFetchRetries = this.counter({
    name: 'aether_subgraph_fetch_retries_total',
    help: 'Idempotent subgraph fetches retried after a transient failure',
    labelNames: ['subgraph'] as const,
  });
  readonly websockets = this.gauge({ name: 'aether_websockets_open', help: 'Open graphql-ws sockets' });
  readonly subscriptions = this.gauge({ name: 'aether_subscriptions_active', help: 'Running subscriptions' });
  readonly eventsDelivered = this.counter({ name: 'aether_subscription_events_delivered_total', help: 'Subscription events sent to clients' });
  readonly deliveryLag = this.histogram({
    name: 'aether_subscription_delivery_lag_seconds',
    help: 'From a live event being published (after its write committed) to its result being handed to a subscriber socket',
  });
  readonly slowConsumerCloses = this.counter({
    name: 'aether_websocket_slow_consumer_closes_total',
    help: 'graphql-ws clients closed with 1008 because they did not read their events fast enough',
  });
  readonly rateLimited = this.counter({
    name: 'aether_rate_limited_total',
    help: 'Operations refused with RATE_LIMITED, by the limit that refused them',
    labelNames: ['limit'] as const,
  });
  readonly operationsRefused = this.counter({
    name: 'aether_operations_refused_total',
    help: 'Operations refused by an operation limit before planning (depth, aliases, cost, ...)',
    labelNames: ['limit'] as const,
  });

  constructor() {
    super('gateway');
  }
}
