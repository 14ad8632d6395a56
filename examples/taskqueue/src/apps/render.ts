// Graphviz.Render (Express): draws the queue's graph. The slow part, as in the article.
import type { Tracer } from '@tracewell/core';
import { traceMiddleware } from '@tracewell/express';
import express from 'express';
import { between, rpcName, work, type Latency } from './rpc';

export interface RenderOptions {
  /** Default: the global tracer (`setGlobalTracer`). */
  tracer?: Tracer;
  /** Default 230-270 ms. */
  latency?: Latency;
}

export interface Rendered {
  format: 'svg';
  nodes: number;
  svg: string;
}

/** The node names of a DOT graph (`a -> b; c`), enough for the demo's drawing. */
export function dotNodes(dot: string): string[] {
  const body = dot.slice(dot.indexOf('{') + 1, dot.lastIndexOf('}'));
  return [...new Set(body.match(/[A-Za-z_]\w*/g) ?? [])].filter((word) => !['node', 'edge', 'graph', 'label'].includes(word));
}

export function createRender(options: RenderOptions = {}): express.Express {
  const latency = options.latency ?? between(230, 270);
  const app = express();
  app.use(traceMiddleware({ tracer: options.tracer, spanName: (req) => rpcName(req.route?.path) }));
  app.use(express.json());

  app.post('/Graphviz.Render', async (req, res) => {
    const dot: unknown = req.body?.dot;
    if (typeof dot !== 'string' || !dot.includes('{')) {
      res.status(400).json({ error: 'expected a JSON body { "dot": "digraph { ... }" }' });
      return;
    }
    const nodes = dotNodes(dot);
    req.span.setAttributes({ 'graphviz.format': 'svg', 'graphviz.nodes': nodes.length });
    await work(latency); // lay out and draw the graph
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${120 * nodes.length}" height="60">${nodes
      .map((name, i) => `<text x="${120 * i + 10}" y="35">${name}</text>`)
      .join('')}</svg>`;
    res.json({ format: 'svg', nodes: nodes.length, svg } satisfies Rendered);
  });
  return app;
}
