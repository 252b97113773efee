// Entry of the `realismlab` command (bin/realismlab.mjs runs it through tsx; or
// `node --import tsx src/cli/main.ts ...`). See src/cli/cli.ts.
import { runCli } from "./cli";

// `realismlab runs | head`: a closed pipe is not an error.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(0);
  throw error;
});

const code = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stderrIsTTY: Boolean(process.stderr.isTTY),
  columns: process.stderr.columns || 100,
  env: process.env,
});
process.exit(code);
