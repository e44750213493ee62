// The gateway's metrics, under the name the code below uses (rename once issue 14 has landed).
import type { GatewayMetrics } from '../metrics';
import type { SubscriptionServerOptions } from '../subscriptions/ws-server';

/**
 * The graphql-ws endpoint's hooks, feeding the open-sockets and subscriptions gauges, the
 * delivered-events counter, the delivery lag histogram and the slow-consumer closes counter.
 */
export function subscriptionMetrics(
  metrics: GatewayMetrics,
): Pick<SubscriptionServerOptions, 'onGauge' | 'onEventDelivered' | 'onDeliveryLag' | 'onSlowConsumer'> {
  return {
    onGauge: (gauge, delta) => (gauge === 'sockets' ? metrics.websockets : metrics.subscriptions).inc(delta),
    onEventDelivered: () => metrics.eventsDelivered.inc(),
    onDeliveryLag: (seconds) => metrics.deliveryLag.observe(seconds),
    onSlowConsumer: () => metrics.slowConsumerCloses.inc(),
  };
}
