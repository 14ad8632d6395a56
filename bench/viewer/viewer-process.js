'use strict';
// The viewer under test, in its own process (run with --expose-gc) so its RSS is its own.
// Prints its URL; answers 'memory' messages with RSS and heap after a full GC, and its stats.
const { startViewer } = require('@tracewell/viewer');

startViewer({ port: 0, log: () => undefined }).then((viewer) => {
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
  process.on('message', (message) => {
    if (message === 'memory') {
      global.gc();
      const { rss, heapUsed } = process.memoryUsage();
      process.send({ rss, heapUsed, peakRss: Math.max(peakRss, rss), stats: viewer.stats() });
    } else if (message === 'stop') {
      clearInterval(sampler);
      viewer.close().then(() => process.exit(0));
    }
  });
  process.send({ url: viewer.url });
});
