import { bootService } from '../../lib/boot.js';

await bootService('gateway', () => import('./service.js'));
