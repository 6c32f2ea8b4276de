import { bootService } from '../../lib/boot.js';

await bootService('payments', () => import('./service.js'));
