// The five services of the demo, each its own process (dist/services/<name>.js).

export interface ServiceSpec {
  /** Its `service.name`, and the file under dist/services/. */
  name: string;
  framework: 'Express' | 'Koa' | 'grpc-js';
  /** The RPC it serves: its server spans' name (and its path: `/TaskQueue.Auth`, `/taskqueue.QueueService/Report`). */
  rpc: string;
}

export interface BackendSpec extends ServiceSpec {
  /** The variable that gives the front end this service's URL (for a gRPC service, its target `127.0.0.1:<port>`). */
  urlVariable: 'AUTH_URL' | 'QUEUE_URL' | 'SYSTEM_URL' | 'RENDER_URL';
}

export const FRONTEND: ServiceSpec = { name: 'frontend', framework: 'Express', rpc: 'TaskQueue.Stats' };

export const BACKENDS: readonly BackendSpec[] = [
  { name: 'auth', framework: 'Koa', rpc: 'TaskQueue.Auth', urlVariable: 'AUTH_URL' },
  { name: 'queue', framework: 'grpc-js', rpc: 'taskqueue.QueueService/Report', urlVariable: 'QUEUE_URL' },
  { name: 'system', framework: 'Express', rpc: 'System.Stats', urlVariable: 'SYSTEM_URL' },
  { name: 'render', framework: 'Express', rpc: 'Graphviz.Render', urlVariable: 'RENDER_URL' },
];

export const SERVICES: readonly ServiceSpec[] = [FRONTEND, ...BACKENDS];
