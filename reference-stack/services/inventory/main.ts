import { bootService } from '../../lib/boot.js';

await bootService('inventory', () => import('./service.js'));
