import './tracing';
import { runService } from '@aether/common';
import { loadAuthConfig } from './config';
import { startAuthService } from './server';

runService('auth', () => startAuthService(loadAuthConfig()));
