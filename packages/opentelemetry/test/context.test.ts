// The context behaviours @opentelemetry/api users rely on, run against the bridge. The cases
// follow OpenTelemetry JS's own context-manager tests (context-async-hooks): nested `with`,
// `bind` of functions and emitters, promises, timers, async/await; plus what is Tracewell's
// own: the OpenTelemetry context and Tracewell's active span are one state.
import { context, createContextKey, propagation, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { isTracingSuppressed, suppressTracing as otelSuppressTracing } from '@opentelemetry/core';
import { createTracer, InMemorySpanExporter, SimpleSpanProcessor, suppressTracing } from '@tracewell/core';
import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { registerOpenTelemetry } from '../src';

const exporter = new InMemorySpanExporter();
const tracer = createTracer({ spanProcessors: [new SimpleSpanProcessor(exporter)], sampler: 'always_on' });
const key = createContextKey('test key');
const other = createContextKey('other key');
let off: () => void;

beforeAll(() => {
  off = registerOpenTelemetry({ tracer });
});
afterAll(() => off());

describe('context.with and context.active', () => {
  it('starts at the root context', () => {
    expect(context.active()).toBe(ROOT_CONTEXT);
    expect(trace.getActiveSpan()).toBeUndefined();
  });

  it('runs the function in the given context, with its arguments and this, and returns its result', () => {
    const ctx = ROOT_CONTEXT.setValue(key, 1);
    const self = { n: 2 };
    const result = context.with(ctx, function (this: { n: number }, a: number, b: number) {
      expect(context.active().getValue(key)).toBe(1);
      return this.n + a + b;
    }, self, 3, 4);
    expect(result).toBe(9);
    expect(context.active().getValue(key)).toBeUndefined();
  });

  it('nests, and restores each outer context on the way out, also after a throw', () => {
    const outer = ROOT_CONTEXT.setValue(key, 'outer');
    context.with(outer, () => {
      const inner = context.active().setValue(other, 'inner');
      expect(() =>
        context.with(inner, () => {
          expect(context.active().getValue(key)).toBe('outer');
          expect(context.active().getValue(other)).toBe('inner');
          throw new Error('boom');
        }),
      ).toThrow('boom');
      expect(context.active().getValue(other)).toBeUndefined();
      expect(context.active().getValue(key)).toBe('outer');
    });
  });

  it('keeps values across await, timers, setImmediate, nextTick and promise chains', async () => {
    const seen: unknown[] = [];
    await context.with(ROOT_CONTEXT.setValue(key, 'async'), async () => {
      await sleep(1);
      seen.push(context.active().getValue(key));
      await new Promise<void>((resolve) => setTimeout(() => { seen.push(context.active().getValue(key)); resolve(); }, 1));
      await new Promise<void>((resolve) => setImmediate(() => { seen.push(context.active().getValue(key)); resolve(); }));
      await new Promise<void>((resolve) => process.nextTick(() => { seen.push(context.active().getValue(key)); resolve(); }));
      await Promise.resolve().then(() => seen.push(context.active().getValue(key)));
    });
    expect(seen).toEqual(['async', 'async', 'async', 'async', 'async']);
  });

  it('keeps concurrent async contexts apart', async () => {
    const run = (n: number) =>
      context.with(ROOT_CONTEXT.setValue(key, n), async () => {
        await sleep(Math.random() * 5);
        return context.active().getValue(key);
      });
    expect(await Promise.all(Array.from({ length: 50 }, (_, n) => run(n)))).toEqual(Array.from({ length: 50 }, (_, n) => n));
  });
});

describe('context.bind', () => {
  it('binds a function to a context, keeping this, arguments and length', () => {
    const ctx = ROOT_CONTEXT.setValue(key, 'bound');
    const fn = context.bind(ctx, function (this: { x: number }, a: number) {
      return [context.active().getValue(key), this.x + a];
    });
    expect(fn.length).toBe(1);
    expect(fn.call({ x: 1 }, 2)).toEqual(['bound', 3]);
  });

  it('runs a bound function called later from another context in its own', async () => {
    const fn = context.with(ROOT_CONTEXT.setValue(key, 'first'), () => context.bind(context.active(), () => context.active().getValue(key)));
    const seen = await context.with(ROOT_CONTEXT.setValue(key, 'second'), () => new Promise((resolve) => setTimeout(() => resolve(fn()), 1)));
    expect(seen).toBe('first');
  });

  it('binds an emitter: listeners run in the context, and removing the original listener removes it', () => {
    const emitter = new EventEmitter();
    const bound = context.bind(ROOT_CONTEXT.setValue(key, 'emitter'), emitter);
    expect(bound).toBe(emitter);
    const seen: unknown[] = [];
    const listener = () => seen.push(context.active().getValue(key));
    emitter.on('event', listener);
    emitter.once('once', listener);
    context.with(ROOT_CONTEXT.setValue(key, 'emitting'), () => {
      emitter.emit('event');
      emitter.emit('once');
      emitter.emit('once');
    });
    expect(seen).toEqual(['emitter', 'emitter']);
    emitter.removeListener('event', listener);
    expect(emitter.listenerCount('event')).toBe(0);
    emitter.emit('event');
    expect(seen).toHaveLength(2);
  });

  it('returns anything else unchanged', () => {
    const value = { a: 1 };
    expect(context.bind(ROOT_CONTEXT, value)).toBe(value);
  });
});

describe('one state with Tracewell', () => {
  it('the active OpenTelemetry span is the active Tracewell span, the same object each time', () => {
    tracer.startActiveSpan('request', (span) => {
      const active = trace.getActiveSpan();
      expect(active?.spanContext().spanId).toBe(span.spanContext().spanId);
      expect(trace.getActiveSpan()).toBe(active);
      active!.setAttribute('set.through', 'otel');
      active!.updateName('renamed');
    });
    expect(exporter.getFinishedSpans().pop()).toMatchObject({ name: 'renamed', attributes: { 'set.through': 'otel' } });
  });

  it('a span made active through OpenTelemetry is Tracewell\'s current span, and its children nest', () => {
    const otelTracer = trace.getTracer('test');
    const parent = otelTracer.startSpan('otel parent');
    context.with(trace.setSpan(context.active(), parent), () => {
      expect(tracer.currentSpan()?.spanContext().spanId).toBe(parent.spanContext().spanId);
      tracer.startSpan('tracewell child').end();
    });
    parent.end();
    const [child, otelParent] = exporter.getFinishedSpans().slice(-2);
    expect(child).toMatchObject({ name: 'tracewell child', parentSpanId: otelParent!.spanId, traceId: otelParent!.traceId });
  });

  it('values set in an OpenTelemetry context stay visible under spans Tracewell activates inside it, and baggage works', () => {
    const bag = propagation.createBaggage({ user: { value: 'ada' } });
    context.with(propagation.setBaggage(ROOT_CONTEXT.setValue(key, 'kept'), bag), () => {
      tracer.startActiveSpan('inner', (span) => {
        expect(context.active().getValue(key)).toBe('kept');
        expect(propagation.getBaggage(context.active())?.getEntry('user')?.value).toBe('ada');
        expect(trace.getActiveSpan()?.spanContext().spanId).toBe(span.spanContext().spanId);
      });
      expect(trace.getActiveSpan()).toBeUndefined();
    });
    expect(propagation.getBaggage(context.active())).toBeUndefined();
  });

  it('a context without the outer values does not inherit them', () => {
    context.with(ROOT_CONTEXT.setValue(key, 'outer'), () => {
      const span = trace.getTracer('test').startSpan('s');
      context.with(trace.setSpan(ROOT_CONTEXT, span), () => {
        expect(context.active().getValue(key)).toBeUndefined();
        expect(trace.getActiveSpan()).toBe(span);
      });
      span.end();
    });
  });

  it('context.with(ROOT_CONTEXT) leaves the active Tracewell span', () => {
    tracer.startActiveSpan('request', () => {
      context.with(ROOT_CONTEXT, () => {
        expect(tracer.currentSpan()).toBeUndefined();
        expect(trace.getActiveSpan()).toBeUndefined();
      });
    });
  });

  it('suppression holds both ways', () => {
    suppressTracing(() => {
      expect(isTracingSuppressed(context.active())).toBe(true);
      expect(trace.getTracer('test').startSpan('suppressed').isRecording()).toBe(false);
    });
    context.with(otelSuppressTracing(context.active()), () => {
      expect(tracer.startSpan('suppressed').isRecording()).toBe(false);
      expect(isTracingSuppressed(context.active())).toBe(true);
    });
    expect(isTracingSuppressed(context.active())).toBe(false);
  });
});
