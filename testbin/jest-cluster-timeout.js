// Pods start, images build and rollups run on a schedule: cluster tests get minutes, not seconds.
import { jest } from '@jest/globals';

jest.setTimeout(900_000);
