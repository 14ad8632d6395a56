import { createTracer, SimpleSpanProcessor, SpanKind } from '@tracewell/core';
import { OTLPTraceExporter } from '@tracewell/otlp';
import type { Browser } from 'playwright-core';
import { launchChromium } from './support/chromium';
import { startViewer, type RunningViewer } from '../src';

// The UI against the real viewer (not the stub): spans sent over OTLP show up as a trace list
// row and a waterfall in a real headless Chromium.

describe('viewer UI on the real server', () => {
  let browser: Browser;
  let viewer: RunningViewer;
  beforeAll(async () => {
    browser = await launchChromium();
    viewer = await startViewer({ port: 0, log: () => undefined });
  });
  afterAll(async () => {
    await browser?.close();
    await viewer?.close();
  });

  it('lists a trace received over OTLP and shows its call tree', async () => {
    const tracer = createTracer({ serviceName: 'checkout', sampler: 'always_on', spanProcessors: [new SimpleSpanProcessor(new OTLPTraceExporter({ url: `${viewer.url}/v1/traces` }))] });
    const root = tracer.startSpan('POST /checkout', { kind: SpanKind.SERVER });
    const pay = root.child('charge card', { kind: SpanKind.CLIENT, attributes: { 'payment.provider': 'acme' } });
    pay.end();
    root.end();
    await tracer.flush();

    const page = await browser.newPage();
    try {
      await page.goto(viewer.url);
      const row = page.locator('[data-testid="trace-row"]');
      await row.first().waitFor();
      expect(await row.count()).toBe(1);
      expect(await row.first().getAttribute('data-trace-id')).toBe(root.spanContext().traceId);
      await row.first().click();
      const spans = page.locator('[data-testid="span-row"]');
      await spans.nth(1).waitFor();
      expect(await spans.count()).toBe(2);
      expect(await spans.nth(1).getAttribute('data-depth')).toBe('1');
      await spans.nth(1).click();
      const details = page.locator('[data-testid="span-details"]');
      await details.waitFor();
      expect(await details.textContent()).toContain('payment.provider');
      expect(await details.textContent()).toContain('acme');
    } finally {
      await page.close();
    }
  }, 30_000);
});
