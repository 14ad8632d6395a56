import { ROOT_CONTEXT, trace, isSpanContextValid, type Context, type ContextManager as OtelContextManager, type Span as OtelSpan } from '@opentelemetry/api';
import { suppressTracing, type Span, type Tracer } from '@tracewell/core';
import { isTracingSuppressed, wrapSpanContext } from '@tracewell/core/instrumentation';
import { AsyncLocalStorage } from 'node:async_hooks';
import { EventEmitter } from 'node:events';
import { BridgeSpan, otelSpanOf } from './bridge-span';
import { toTracewellSpanContext } from './span-context-conversion';
import { isSuppressedContext, SUPPRESS_TRACING_KEY } from './suppress-key';

/**
 * An OpenTelemetry context made active through the bridge, with the Tracewell span it
 * activated. While that span is still the active one, the context is returned as it is; once
 * Tracewell activates another (an axios call's span, `tracer.withSpan`), the context is derived
 * from it with the new span, so its other values (baggage, user keys) stay visible below.
 */
interface Entry {
  readonly context: Context;
  readonly span: Span | undefined;
  readonly suppressed: boolean;
}

const SUPPRESSED_ROOT = ROOT_CONTEXT.setValue(SUPPRESS_TRACING_KEY, true);
const EMITTER_METHODS = ['addListener', 'on', 'once', 'prependListener', 'prependOnceListener'] as const;
const REMOVE_METHODS = ['removeListener', 'off'] as const;
type Listener = (...args: unknown[]) => void;

/**
 * OpenTelemetry's context manager, kept in Tracewell's context: the active OpenTelemetry span
 * is the active Tracewell span (`req.span` in a traced handler), `context.with()` activates its
 * span in Tracewell too, and OpenTelemetry's `suppressTracing` and ours are one state. Only the
 * values a Tracewell span cannot hold (baggage, user keys) live in a store of the bridge's own.
 */
export class BridgeContextManager implements OtelContextManager {
  private readonly entries = new AsyncLocalStorage<Entry | undefined>();

  /** @param tracer - gives the Tracewell tracer whose context this is (resolved on every call) */
  constructor(private readonly tracer: () => Tracer) {}

  active(): Context {
    const tracer = this.tracer();
    const suppressed = isTracingSuppressed(tracer);
    const span = suppressed ? undefined : tracer.currentSpan();
    const entry = this.entries.getStore();
    if (entry === undefined) {
      if (suppressed) return SUPPRESSED_ROOT;
      return span === undefined ? ROOT_CONTEXT : otelSpanOf(span).rootContext();
    }
    if (entry.span === span && entry.suppressed === suppressed) return entry.context;
    const base = suppressed ? entry.context.setValue(SUPPRESS_TRACING_KEY, true) : entry.context.deleteValue(SUPPRESS_TRACING_KEY);
    return span === undefined ? trace.deleteSpan(base) : trace.setSpan(base, otelSpanOf(span));
  }

  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(context: Context, fn: F, thisArg?: ThisParameterType<F>, ...args: A): ReturnType<F> {
    const suppressed = isSuppressedContext(context);
    const otelSpan = trace.getSpan(context);
    const span = suppressed ? undefined : this.tracewellSpanOf(otelSpan);
    const call = (): ReturnType<F> => fn.apply(thisArg, args);
    // A context that holds a span and nothing else, with no values above it to hide (what
    // `context.bind(context.active(), callback)` passes in a traced request): Tracewell's own
    // store says it all, and the second store is left alone.
    if (this.entries.getStore() === undefined && !suppressed && (context === ROOT_CONTEXT || (otelSpan instanceof BridgeSpan && otelSpan.isRootContext(context)))) {
      return this.tracer().withSpan(span, call);
    }
    return this.entries.run({ context, span, suppressed }, () => (suppressed ? suppressTracing(call) : this.tracer().withSpan(span, call)));
  }

  bind<T>(context: Context, target: T): T {
    if (typeof target === 'function') return this.bindFunction(context, target as unknown as Listener) as unknown as T;
    if (target instanceof EventEmitter) this.bindEmitter(context, target);
    return target;
  }

  enable(): this {
    return this;
  }

  disable(): this {
    return this;
  }

  /** The Tracewell span to activate for an OpenTelemetry one: ours unwrapped, a foreign one as a parent context. */
  private tracewellSpanOf(span: OtelSpan | undefined): Span | undefined {
    if (span === undefined) return undefined;
    if (span instanceof BridgeSpan) return span.span;
    const context = span.spanContext();
    return isSpanContextValid(context) ? wrapSpanContext(toTracewellSpanContext(context), this.tracer()) : undefined;
  }

  private bindFunction(context: Context, fn: Listener): Listener {
    const manager = this;
    const bound = function (this: unknown, ...args: unknown[]): unknown {
      return manager.with(context, () => fn.apply(this, args));
    };
    Object.defineProperty(bound, 'length', { value: fn.length, configurable: true });
    return bound;
  }

  // As OpenTelemetry's own managers do: listeners added from now on run in `context`, and
  // removing the original listener removes its bound version.
  private bindEmitter(context: Context, emitter: EventEmitter): void {
    const manager = this;
    const bound = new WeakMap<Listener, Listener>();
    const target = emitter as unknown as Record<string, (event: string | symbol, listener: Listener) => EventEmitter>;
    for (const method of EMITTER_METHODS) {
      const original = target[method];
      if (typeof original !== 'function') continue;
      target[method] = function (this: EventEmitter, event: string | symbol, listener: Listener) {
        let wrapped = bound.get(listener);
        if (wrapped === undefined) {
          wrapped = manager.bindFunction(context, listener);
          bound.set(listener, wrapped);
        }
        return original.call(this, event, wrapped);
      };
    }
    for (const method of REMOVE_METHODS) {
      const original = target[method];
      if (typeof original !== 'function') continue;
      target[method] = function (this: EventEmitter, event: string | symbol, listener: Listener) {
        return original.call(this, event, bound.get(listener) ?? listener);
      };
    }
  }
}
