// Node test environment that records whether any test in the file failed, so the
// harness can print the logs of the real components it started (ManagedProcess.stop).
import { TestEnvironment } from 'jest-environment-node';

export default class GravixEnvironment extends TestEnvironment {
  async handleTestEvent(event) {
    if (event.name === 'test_fn_failure' || event.name === 'hook_failure') {
      this.global.__gravixTestFailed = true;
    }
  }
}
