import type { ServiceMetrics } from '@aether/common';
import type { SubscriptionServerOptions } from '../subscriptions/ws-server';

/**
 * The graphql-ws endpoint's hooks, feeding the open-sockets and subscriptions gauges, the
 * delivered-events counter and the slow-consumer closes counter.
 */
export function subscriptionMetrics(
  metrics: ServiceMetrics,
): Pick<SubscriptionServerOptions, 'onGauge' | 'onEventDelivered' | 'onSlowConsumer'> {
  return {
    onGauge: (gauge, delta) => (gauge === 'sockets' ? metrics.websockets : metrics.subscriptions).inc(delta),
    onEventDelivered: () => metrics.eventsDelivered.inc(),
    onSlowConsumer: () => metrics.slowConsumerCloses.inc(),
  };
}
