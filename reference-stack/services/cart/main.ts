import { bootService } from '../../lib/boot.js';

await bootService('cart', () => import('./service.js'));
