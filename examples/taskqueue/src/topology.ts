// The five services of the demo, each its own process (dist/services/<name>.js).

export interface ServiceSpec {
  /** Its `service.name`, and the file under dist/services/. */
  name: string;
  framework: 'Express' | 'Koa';
  /** The RPC it serves: its path and its server spans' name. */
  rpc: string;
}

export interface BackendSpec extends ServiceSpec {
  /** The variable that gives the front end this service's URL. */
  urlVariable: 'AUTH_URL' | 'QUEUE_URL' | 'SYSTEM_URL' | 'RENDER_URL';
}

export const FRONTEND: ServiceSpec = { name: 'frontend', framework: 'Express', rpc: 'TaskQueue.Stats' };

export const BACKENDS: readonly BackendSpec[] = [
  { name: 'auth', framework: 'Koa', rpc: 'TaskQueue.Auth', urlVariable: 'AUTH_URL' },
  { name: 'queue', framework: 'Koa', rpc: 'QueueService.Report', urlVariable: 'QUEUE_URL' },
  { name: 'system', framework: 'Express', rpc: 'System.Stats', urlVariable: 'SYSTEM_URL' },
  { name: 'render', framework: 'Express', rpc: 'Graphviz.Render', urlVariable: 'RENDER_URL' },
];

export const SERVICES: readonly ServiceSpec[] = [FRONTEND, ...BACKENDS];
