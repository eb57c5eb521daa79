import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalObjectStore } from '../../adapters/object-store/local-object-store.js';
import { describeRollupBehaviour } from '../testing/rollup.contract.js';

describeRollupBehaviour(
  'the local filesystem store',
  async () => new LocalObjectStore(mkdtempSync(join(tmpdir(), 'gravix-rollup-'))),
);
