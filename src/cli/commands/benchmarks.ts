// --benchmark NAME[=PATH] values -> EvaluationBenchmarkInput, names checked against the benchmarks query.
import { list, type ParsedArgs } from "../args";
import { UsageError } from "../errors";
import type { NameResolver } from "../resolve";
import path from "node:path";

export async function benchmarkInputs(args: ParsedArgs, names: NameResolver): Promise<Array<{ name: string; dataPath?: string }>> {
  const values = list(args, "benchmark", { split: false });
  if (!values.length) throw new UsageError("missing --benchmark NAME[=PATH]");
  return Promise.all(
    values.map(async (value) => {
      const eq = value.indexOf("=");
      const name = (eq < 0 ? value : value.slice(0, eq)).trim();
      const dataPath = eq < 0 ? undefined : value.slice(eq + 1).trim();
      if (!name) throw new UsageError(`--benchmark takes NAME or NAME=PATH, got "${value}"`);
      if (dataPath === "") throw new UsageError(`--benchmark ${name}=: the path is empty`);
      const benchmark = await names.resolve("benchmark", name);
      // The server reads the path: make a relative one absolute from where the CLI runs.
      return dataPath ? { name: benchmark.name, dataPath: path.resolve(dataPath) } : { name: benchmark.name };
    }),
  );
}
