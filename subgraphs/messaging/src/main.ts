import './tracing';
import { runService } from '@aether/common';
import { loadMessagingConfig } from './config';
import { startMessagingService } from './server';

runService('messaging', () => startMessagingService(loadMessagingConfig()));
