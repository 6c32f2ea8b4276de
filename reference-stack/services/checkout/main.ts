import { bootService } from '../../lib/boot.js';

await bootService('checkout', () => import('./service.js'));
