import { bootService } from '../../lib/boot.js';

await bootService('orders', () => import('./service.js'));
