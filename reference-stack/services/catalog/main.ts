import { bootService } from '../../lib/boot.js';

await bootService('catalog', () => import('./service.js'));
