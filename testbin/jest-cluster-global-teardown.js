import { teardown } from './jest-cluster-setup.js';

export default teardown;
