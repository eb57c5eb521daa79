import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Registry } from 'prom-client';
import { launchChromium } from '../harness/chromium.js';
import { runTool } from '../harness/run-tool.js';
import { repoPath, testbinPaths } from '../harness/testbin-paths.js';

const page = `<!doctype html><title>smoke</title>
<button id="b" onclick="document.getElementById('out').textContent='clicked'">go</button><p id="out">idle</p>`;

describe('Debian Chromium driven by playwright-core', () => {
  let server: Server;
  beforeAll(async () => {
    server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(page));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('loads a loopback page, clicks a button and saves a screenshot', async () => {
    const browser = await launchChromium();
    try {
      const tab = await browser.newPage();
      await tab.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      await tab.click('#b');
      expect(await tab.textContent('#out')).toBe('clicked');
      mkdirSync(repoPath('test-artifacts'), { recursive: true });
      const png = await tab.screenshot({ path: repoPath('test-artifacts', 'chromium-smoke.png') });
      expect(png.subarray(1, 4).toString()).toBe('PNG');
    } finally {
      await browser.close();
    }
  });
});

describe('promtool from Debian', () => {
  it('accepts metrics exposed by prom-client and flags a badly named counter', async () => {
    const registry = new Registry();
    new Counter({
      name: 'gravix_smoke_requests_total',
      help: 'Smoke requests.',
      registers: [registry],
    }).inc();
    const good = await runTool(testbinPaths().promtool, ['check', 'metrics'], await registry.metrics());
    expect(good.exitCode).toBe(0);

    const badRegistry = new Registry();
    new Counter({ name: 'gravix_smoke_requests', help: 'Smoke requests.', registers: [badRegistry] }).inc();
    const bad = await runTool(testbinPaths().promtool, ['check', 'metrics'], await badRegistry.metrics());
    expect(bad.stdout + bad.stderr).toContain('counter metrics should have "_total" suffix');
  });
});
