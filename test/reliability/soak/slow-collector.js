'use strict';
// A slow OTLP/HTTP trace receiver for the soak (run-soak.js): accepts POST /v1/traces
// (protobuf), counts the spans in each request, and answers 200 with an empty
// ExportTraceServiceResponse only after a random delay in [minDelayMillis, maxDelayMillis], as
// a distant or loaded collector would. It runs in the soak's parent process, so its work and
// memory never show in the service's figures.
const http = require('node:http');

/** Reads a protobuf varint at `pos`; returns [value, next position]. Multiplies, not shifts: lengths may pass 2^31. */
function readVarint(bytes, pos) {
  let value = 0;
  let scale = 1;
  for (;;) {
    if (pos >= bytes.length) throw new Error('truncated varint');
    const byte = bytes[pos++];
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) return [value, pos];
    scale *= 128;
  }
}

/**
 * Calls `onField(fieldNumber, start, end)` for each length-delimited field of the message in
 * bytes[start, end) and skips the others by wire type.
 */
function eachLengthDelimited(bytes, start, end, onField) {
  let pos = start;
  while (pos < end) {
    let key;
    [key, pos] = readVarint(bytes, pos);
    const wireType = key % 8;
    const field = Math.floor(key / 8);
    if (wireType === 0) [, pos] = readVarint(bytes, pos);
    else if (wireType === 1) pos += 8;
    else if (wireType === 5) pos += 4;
    else if (wireType === 2) {
      let length;
      [length, pos] = readVarint(bytes, pos);
      if (pos + length > end) throw new Error('truncated field');
      onField(field, pos, pos + length);
      pos += length;
    } else throw new Error(`unsupported wire type ${wireType}`);
  }
}

/**
 * Spans in an encoded ExportTraceServiceRequest (opentelemetry-proto collector/trace/v1):
 * resource_spans = 1 -> scope_spans = 2 -> spans = 2. Only the nesting is read, which is all
 * the soak needs to check the exporter's accounting against what arrived.
 */
function countOtlpSpans(bytes) {
  let spans = 0;
  eachLengthDelimited(bytes, 0, bytes.length, (field, start, end) => {
    if (field !== 1) return;
    eachLengthDelimited(bytes, start, end, (f, s, e) => {
      if (f !== 2) return;
      eachLengthDelimited(bytes, s, e, (spanField) => {
        if (spanField === 2) spans++;
      });
    });
  });
  return spans;
}

/**
 * Starts the collector on 127.0.0.1 (port 0). `idleMillis` is its keep-alive timeout: it closes
 * the exporter's idle connection soon after the load stops, so that the service's socket
 * count can return to its baseline within the soak's settle time.
 */
function startSlowCollector({ minDelayMillis = 20, maxDelayMillis = 50, idleMillis = 1000 } = {}) {
  const counts = { requests: 0, spans: 0, badRequests: 0, bytes: 0 };
  const pending = new Set();
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      let status = 200;
      if (req.method !== 'POST' || req.url !== '/v1/traces') status = 404;
      else {
        const body = Buffer.concat(chunks);
        counts.bytes += body.length;
        try {
          counts.spans += countOtlpSpans(body);
          counts.requests++;
        } catch {
          counts.badRequests++;
          status = 400;
        }
      }
      const delay = minDelayMillis + Math.random() * (maxDelayMillis - minDelayMillis);
      const timer = setTimeout(() => {
        pending.delete(timer);
        res.writeHead(status, { 'content-type': 'application/x-protobuf', 'content-length': '0' });
        res.end();
      }, delay);
      pending.add(timer);
    });
  });
  server.keepAliveTimeout = idleMillis;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      resolve({
        url: `http://127.0.0.1:${server.address().port}/v1/traces`,
        /** Requests and spans received so far (a copy). */
        counts: () => ({ ...counts }),
        close() {
          for (const timer of pending) clearTimeout(timer);
          pending.clear();
          server.closeAllConnections();
          return new Promise((done) => server.close(() => done()));
        },
      });
    });
  });
}

module.exports = { startSlowCollector, countOtlpSpans };
