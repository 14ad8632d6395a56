// Fixture traces for the UI test, in the shape of the viewer's JSON API
// (GET /api/traces/:traceId). Written out by hand so the UI test does not depend on the store.

import type { StoredSpan, StoredValue } from '../../src';

// The API's own types: the fixtures cannot drift from what the server returns.
export type AttributeValue = StoredValue;
export type FixtureSpan = StoredSpan;
export type FixtureEvent = StoredSpan['events'][number];

/** 2025-11-24T16:00:00Z: a fixed day, so the list shows dates as well as times. */
const T0 = 1_764_000_000_000;

export const STATS_TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
export const USERS_TRACE_ID = '0af7651916cd43dd8448eb211c80319c';

/** Span ids of the TaskQueue.Stats trace, by role. */
export const STATS = {
  root: '00f067aa0ba902b7',
  authCall: '1a2b3c4d5e6f7081',
  auth: '2b3c4d5e6f708192',
  reportA: '3c4d5e6f708192a3',
  reportB: '4d5e6f708192a3b4',
  system: '5e6f708192a3b4c5',
  render: '6f708192a3b4c5d6',
} as const;

/** Span ids of the small users trace; `cache` names a parent that never arrived. */
export const USERS = {
  root: '7081a2b3c4d5e6f7',
  query: '8192b3c4d5e6f708',
  cache: '92a3c4d5e6f70819',
  missingParent: 'a3b4d5e6f708192a',
} as const;

/** The SQL of the users query: user data that looks like markup, which the UI must show as text. */
export const HOSTILE_STATEMENT = `SELECT * FROM users WHERE name = '<img src=x onerror="window.__xss=1">'`;

function span(
  traceId: string,
  fields: Pick<FixtureSpan, 'spanId' | 'parentSpanId' | 'name' | 'kind' | 'service'> & Partial<FixtureSpan> & { start: number; end: number },
): FixtureSpan {
  const { start, end, ...rest } = fields;
  return {
    traceId,
    attributes: {},
    events: [],
    status: { code: 'UNSET' },
    ...rest,
    startTime: T0 + start,
    endTime: T0 + end,
    durationMs: Math.round((end - start) * 1000) / 1000,
  };
}

/**
 * The TaskQueue.Stats request of the Go announcement, 7 spans: the frontend's client call to
 * auth (so TaskQueue.Auth sits at depth 2), then two queue reports and the system stats in
 * parallel, then the graph render, which fails.
 */
export const STATS_SPANS: FixtureSpan[] = [
  span(STATS_TRACE_ID, {
    spanId: STATS.root, parentSpanId: null, name: 'TaskQueue.Stats', kind: 'SERVER', service: 'frontend', start: 0, end: 581.2,
    attributes: { 'http.request.method': 'GET', 'http.route': '/stats', 'url.path': '/stats', 'http.response.status_code': 200 },
  }),
  span(STATS_TRACE_ID, {
    spanId: STATS.authCall, parentSpanId: STATS.root, name: 'GET', kind: 'CLIENT', service: 'frontend', start: 1.2, end: 42.8,
    attributes: { 'http.request.method': 'GET', 'url.full': 'http://auth:8080/auth', 'server.address': 'auth', 'server.port': 8080, 'http.response.status_code': 200 },
  }),
  span(STATS_TRACE_ID, {
    spanId: STATS.auth, parentSpanId: STATS.authCall, name: 'TaskQueue.Auth', kind: 'SERVER', service: 'auth', start: 2.1, end: 41.5,
    attributes: { 'enduser.id': 'alice', 'auth.method': 'token' },
  }),
  span(STATS_TRACE_ID, {
    spanId: STATS.reportA, parentSpanId: STATS.root, name: 'QueueService.Report', kind: 'SERVER', service: 'queue', start: 44.0, end: 166.3,
    attributes: { 'queue.name': 'default', 'queue.depth': 42 },
  }),
  span(STATS_TRACE_ID, {
    spanId: STATS.reportB, parentSpanId: STATS.root, name: 'QueueService.Report', kind: 'SERVER', service: 'queue', start: 44.3, end: 171.9,
    attributes: { 'queue.name': 'batch', 'queue.depth': 7 },
  }),
  span(STATS_TRACE_ID, {
    spanId: STATS.system, parentSpanId: STATS.root, name: 'System.Stats', kind: 'SERVER', service: 'system', start: 44.6, end: 136.2,
    attributes: { 'host.name': 'stats-7f9c', 'system.cpu.count': 8 },
  }),
  span(STATS_TRACE_ID, {
    spanId: STATS.render, parentSpanId: STATS.root, name: 'Graphviz.Render', kind: 'SERVER', service: 'render', start: 173.5, end: 579.8,
    attributes: { 'graphviz.format': 'svg', 'graphviz.nodes': 128, 'graphviz.layouts': ['dot', 'neato'] },
    events: [{
      name: 'exception',
      time: T0 + 577.9,
      attributes: {
        'exception.type': 'Error',
        'exception.message': 'dot: syntax error in line 3',
        'exception.stacktrace': 'Error: dot: syntax error in line 3\n    at render (/srv/render/graph.js:41:11)\n    at async handle (/srv/render/server.js:18:5)',
      },
    }],
    status: { code: 'ERROR', message: 'dot exited with code 1' },
  }),
];

/** A small, newer trace: a user lookup, and a cache span whose parent never arrived. */
export const USERS_SPANS: FixtureSpan[] = [
  span(USERS_TRACE_ID, {
    spanId: USERS.root, parentSpanId: null, name: 'GET /users/:id', kind: 'SERVER', service: 'users', start: 300_000, end: 300_012.4,
    attributes: { 'http.request.method': 'GET', 'http.route': '/users/:id', 'http.response.status_code': 200 },
  }),
  span(USERS_TRACE_ID, {
    spanId: USERS.query, parentSpanId: USERS.root, name: 'SELECT users', kind: 'CLIENT', service: 'users', start: 300_002, end: 300_009.1,
    attributes: { 'db.system': 'postgresql', 'db.statement': HOSTILE_STATEMENT },
  }),
  span(USERS_TRACE_ID, {
    spanId: USERS.cache, parentSpanId: USERS.missingParent, name: 'cache.get', kind: 'SERVER', service: 'cache', start: 300_003, end: 300_003.6,
    attributes: { 'cache.hit': true },
  }),
];

export const FIXTURE_TRACES: ReadonlyArray<ReadonlyArray<FixtureSpan>> = [STATS_SPANS, USERS_SPANS];
