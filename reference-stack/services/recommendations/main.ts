import { bootService } from '../../lib/boot.js';

await bootService('recommendations', () => import('./service.js'));
