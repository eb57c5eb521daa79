import { setup } from './jest-cluster-setup.js';

export default setup;
