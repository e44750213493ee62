import './tracing';
import { runService } from '@aether/common';
import { loadGatewayConfig } from './config';
import { startGateway } from './server';

runService('gateway', () => startGateway(loadGatewayConfig()));
