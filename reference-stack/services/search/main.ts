import { bootService } from '../../lib/boot.js';

await bootService('search', () => import('./service.js'));
