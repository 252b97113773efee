// `npm start`: one RealismLab server on this machine.
import { mkdir } from "node:fs/promises";
import { startApp } from "./app";
import { ConfigError, loadConfig } from "./config/config";

const log = { info: (m: string) => console.log(m), warn: (m: string) => console.warn(m) };

try {
  const config = loadConfig();
  for (const root of config.dataRoots) await mkdir(root, { recursive: true }).catch(() => undefined);
  const app = await startApp(config, log, {
    // Supervision gave up: exit non-zero so that a process manager restarts us.
    onDatabaseLost: (error) => {
      console.error(`RealismLab is stopping: ${error.message}`);
      process.exit(1);
    },
  });
  if (config.AUTH_REQUIRED && (await app.services.auth.countTokens()) === 0) {
    // Bootstrap: without any token nobody could change anything.
    const { secret } = await app.services.auth.createToken({ name: "first admin token", scopes: ["ADMIN"] });
    console.log(`\nNo API token existed, so an ADMIN token was created (shown once; keep it):\n  ${secret}\nSend it as 'Authorization: Bearer <token>'; make narrower ones with 'npm run token -- create'.`);
  }
  console.log(`\nRealismLab is running.\n  Dashboard:     ${app.http.url}/\n  GraphQL:       ${app.http.graphqlUrl}\n  Subscriptions: ${app.http.wsUrl}\n  Data roots:    ${config.dataRoots.join(", ")}\nPress Ctrl-C to stop.`);
  let stopping = false;
  // While stopping, a connection that Postgres closes first (Ctrl-C reaches the
  // whole process group, Postgres included) is expected, not a crash.
  process.on("uncaughtException", (error) => {
    if (!stopping) throw error;
    console.warn(`during shutdown: ${error.message}`);
  });
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping (draining requests, workers, database)...`);
    app.stop().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });
  };
  process.on("SIGINT", () => shutdown("SIGINT"));
  process.on("SIGTERM", () => shutdown("SIGTERM"));
} catch (error) {
  const message = error instanceof ConfigError ? error.message : `RealismLab failed to start: ${error instanceof Error ? error.message : String(error)}`;
  console.error(message);
  process.exit(1);
}
