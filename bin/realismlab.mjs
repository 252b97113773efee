#!/usr/bin/env node
// The `realismlab` command: registers tsx (TypeScript on the fly) in this process and
// runs the CLI's TypeScript entry, so no build step is needed.
import { register } from "tsx/esm/api";

register();
await import("../src/cli/main.ts");
