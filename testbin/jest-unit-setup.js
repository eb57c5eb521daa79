// A deadlock guard, not a speed check: unit tests that fsync or fuzz over loopback took 5-11 s on a loaded 2-core
// machine and failed at jest's 5 s default. Speed is measured by bench/, never by timeouts. jest's per-project
// testTimeout is not honoured, so it is set here (as for the integration and cluster projects).
import { jest } from '@jest/globals';

jest.setTimeout(30_000);
