// QueueService.Report (gRPC, @grpc/grpc-js): one report (pending or leased tasks) on a queue.
// grpcServerInterceptor() gives each call a SERVER span named after its method
// (`taskqueue.QueueService/Report`) that continues the caller's trace from the call's metadata.
import { Server, status, type handleUnaryCall } from '@grpc/grpc-js';
import { getTracer, type Tracer } from '@tracewell/core';
import { grpcServerInterceptor } from '@tracewell/grpc';
import { isReportKind, QUEUE_SERVICE, REPORTS, type Report, type ReportRequest } from './queue-service';
import { between, work, type Latency } from './rpc';

export { REPORTS, type Report, type ReportKind } from './queue-service';

export interface QueueOptions {
  /** Default: the global tracer (`setGlobalTracer`). */
  tracer?: Tracer;
  /** Default 60-120 ms. */
  latency?: Latency;
}

/** A grpc-js server with QueueService added, not bound yet (`listenGrpc` in run-service.ts binds it). */
export function createQueue(options: QueueOptions = {}): Server {
  const latency = options.latency ?? between(60, 120);
  const server = new Server({ interceptors: [grpcServerInterceptor({ tracer: options.tracer })] });

  const report: handleUnaryCall<Partial<ReportRequest>, Report> = async (call, callback) => {
    const span = (options.tracer ?? getTracer()).currentSpan(); // the interceptor's SERVER span
    const { queue: asked, report } = call.request ?? {};
    const queue = typeof asked === 'string' && asked !== '' ? asked : 'default';
    if (!isReportKind(report)) {
      callback({ code: status.INVALID_ARGUMENT, details: `report must be one of ${REPORTS.join(', ')}` });
      return;
    }
    span?.setAttributes({ 'app.queue': queue, 'app.report': report });
    await work(latency); // scan the queue
    const tasks = report === 'pending' ? 42 : 7;
    span?.setAttribute('app.report.tasks', tasks);
    callback(null, { queue, report, tasks, oldestSeconds: report === 'pending' ? 95 : 12 });
  };
  server.addService(QUEUE_SERVICE, { Report: report });
  return server;
}
