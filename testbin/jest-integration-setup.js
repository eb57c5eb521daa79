// Real servers start in integration suites; jest's per-project testTimeout is not honoured, so set it here.
import { jest } from '@jest/globals';

jest.setTimeout(180_000);
