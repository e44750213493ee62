// Imported first by main.ts: the SDK must be registered before the libraries it instruments load.
import { startTracing } from '@aether/common/tracing';

startTracing({ serviceName: 'gateway', edge: true });
