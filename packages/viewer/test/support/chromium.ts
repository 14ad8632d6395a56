import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

// The browser the viewer's UI tests run in: CHROMIUM_PATH if set, else the build shipped inside
// the @sparticuz/chromium npm package (a dev dependency, with its own NSS libraries and fonts),
// so `npm ci && npm test` passes on a machine with only Node.js and npm. It is the default even
// where a system Chromium exists, so CI always tests the path a fresh machine takes.
const ARGS = ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

interface Found {
  readonly executablePath: string;
  /** Extra env for the browser process (the npm build's own NSS libraries and fonts). */
  readonly env?: Record<string, string>;
}

let unpacked: Found | undefined;

/** The npm-shipped build, unpacked by a child process (see unpack-chromium.js). */
function npmChromium(): Found {
  if (unpacked !== undefined) return unpacked;
  const out = execFileSync(process.execPath, [join(__dirname, 'unpack-chromium.js')], { encoding: 'utf8', timeout: 120_000 });
  const { executablePath, libraryPath, fontconfigPath } = JSON.parse(out) as { executablePath: string; libraryPath: string; fontconfigPath: string };
  const existing = process.env.LD_LIBRARY_PATH;
  const ldLibraryPath = existing === undefined || existing === '' ? libraryPath : `${libraryPath}:${existing}`;
  unpacked = { executablePath, env: { LD_LIBRARY_PATH: ldLibraryPath, FONTCONFIG_PATH: fontconfigPath } };
  return unpacked;
}

/** Which Chromium the tests use: `CHROMIUM_PATH` (e.g. /usr/bin/chromium), else the one from npm. */
export function findChromium(): Found {
  const configured = process.env.CHROMIUM_PATH;
  if (configured === undefined || configured === '') return npmChromium();
  if (!existsSync(configured)) throw new Error(`CHROMIUM_PATH=${configured}: no such file`);
  return { executablePath: configured };
}

/**
 * Launches headless Chromium for a test, with `extraArgs` after the usual flags.
 *
 * @example
 * const browser = await launchChromium(['--host-resolver-rules=MAP evil.test 127.0.0.1']);
 */
export async function launchChromium(extraArgs: readonly string[] = []): Promise<Browser> {
  const found = findChromium();
  return chromium.launch({
    executablePath: found.executablePath,
    args: [...ARGS, ...extraArgs],
    ...(found.env === undefined ? {} : { env: { ...process.env, ...found.env } }),
  });
}
