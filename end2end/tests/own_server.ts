import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

/**
 * A Switchboard server of a test's own, beside the one every test shares: its own port,
 * database and settings (an empty organization, or cookies as over HTTPS).
 */
export type OwnServer = { origin: string; process: ChildProcess; output: () => string };

/** The server's environment: ours, without any Switchboard setting from outside. */
export function serverEnv(port: number, dataDir: string, settings: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key === 'DATABASE_URL') continue;
    if (key.startsWith('SWITCHBOARD_') && !key.startsWith('SWITCHBOARD_E2E_')) continue;
    env[key] = value;
  }
  return {
    ...env,
    SWITCHBOARD_ADDR: `127.0.0.1:${port}`,
    SWITCHBOARD_DATA_DIR: dataDir,
    DATABASE_URL: `sqlite://${join(dataDir, 'own.db')}`,
    SWITCHBOARD_LOG: 'warn',
    LEPTOS_SITE_ROOT: '../target/site',
    SWITCHBOARD_CHAT_STARTS_PER_MINUTE: '1000',
    ...settings,
  };
}

/** Whether a server answers /healthz at `origin`. */
export async function healthy(origin: string): Promise<boolean> {
  try {
    return (await fetch(`${origin}/healthz`)).status === 200;
  } catch {
    return false;
  }
}

/** Starts the release server with `env`; waits up to 30 s for /healthz, else fails with its output. */
export async function startServer(env: NodeJS.ProcessEnv): Promise<OwnServer> {
  const origin = `http://${env.SWITCHBOARD_ADDR}`;
  // Nothing else may answer on the port: the health check would find the wrong server.
  if (await healthy(origin)) throw new Error(`something already listens on ${origin}`);
  let output = '';
  const server = spawn(process.env.SWITCHBOARD_SERVER_BIN!, [], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  server.stderr!.on('data', (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-8_000);
  });
  const until = Date.now() + 30_000;
  while (Date.now() < until) {
    if (server.exitCode !== null) {
      throw new Error(`the server exited (${server.exitCode}):\n${output}`);
    }
    if (await healthy(origin)) return { origin, process: server, output: () => output };
    await new Promise((r) => setTimeout(r, 200));
  }
  await stopServer(server);
  throw new Error(`the server did not answer /healthz within 30 s:\n${output}`);
}

/** Stops the server (SIGTERM, then SIGKILL after 5 s). */
export async function stopServer(server: ChildProcess) {
  if (server.exitCode !== null || server.signalCode !== null) return;
  const exited = new Promise((r) => server.once('exit', r));
  server.kill('SIGTERM');
  const late = setTimeout(() => server.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(late);
}
