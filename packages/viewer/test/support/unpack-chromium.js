'use strict';
// Unpacks the Chromium build shipped inside the @sparticuz/chromium npm package and prints
// {executablePath, libraryPath, fontconfigPath} as JSON. Run as a child process: the package
// sets process.env (LD_LIBRARY_PATH, HOME, FONTCONFIG_PATH) when it loads, which must not leak
// into the test runner.
//
// - It unpacks into its own folder (TMPDIR, which the package writes to, is pointed there), once:
//   a `ready` marker is written last, so a run cut short is unpacked again, not reused half-written.
// - Jest workers start this at the same time: a lock file lets one unpack while the others wait.
// - It unpacks the NSS libraries it ships (al2023.tar.br) only when it believes it runs on Amazon
//   Linux 2023, so this says so: a fresh Debian machine has no libnss3 of its own.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const dir = path.join(os.tmpdir(), 'tracewell-chromium');
const lock = path.join(dir, 'lock');
const ready = path.join(dir, 'ready');
const STALE_LOCK_MS = 180_000;

function sleep(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function acquire() {
  for (;;) {
    try {
      return fs.openSync(lock, 'wx');
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
      try {
        if (Date.now() - fs.statSync(lock).mtimeMs > STALE_LOCK_MS) fs.rmSync(lock, { force: true });
      } catch {
        // released meanwhile
      }
      sleep(100);
    }
  }
}

async function main() {
  fs.mkdirSync(dir, { recursive: true });
  const fd = acquire();
  try {
    if (!fs.existsSync(ready)) {
      for (const name of fs.readdirSync(dir)) if (name !== 'lock') fs.rmSync(path.join(dir, name), { recursive: true, force: true });
    }
    process.env.TMPDIR = dir;
    process.env.AWS_LAMBDA_JS_RUNTIME = 'nodejs20.x';
    const chromium = require('@sparticuz/chromium');
    const executablePath = await chromium.executablePath();
    // The package's fonts.conf names /tmp/fonts; ours names where the fonts are here. Without
    // fonts, Chromium's renderer crashes on the first page with text in a web font stack.
    const fontconfig = path.join(dir, 'fontconfig');
    fs.mkdirSync(fontconfig, { recursive: true });
    fs.writeFileSync(path.join(fontconfig, 'fonts.conf'), `<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n  <dir>${path.join(dir, 'fonts')}</dir>\n  <cachedir>${path.join(dir, 'fonts-cache')}</cachedir>\n</fontconfig>\n`);
    fs.writeFileSync(ready, executablePath);
    process.stdout.write(JSON.stringify({ executablePath, libraryPath: path.join(dir, 'al2023', 'lib'), fontconfigPath: fontconfig }));
  } finally {
    fs.closeSync(fd);
    fs.rmSync(lock, { force: true });
  }
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
