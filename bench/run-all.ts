// `npm run bench`: every benchmark, each against its baseline measured in the
// same run (these machines are noisy: read the ratios, not the absolutes).
// `npm run bench -- leaderboard fanout` runs a subset.
import { benchIjbcFullSize } from "./ijbc-full-size";
import { run as ingestAndRunsQuery } from "./ingest-and-runs-query";
import { run as issue16 } from "./issue16";
import { run as leaderboard } from "./leaderboard";
import { run as load } from "./load";
import { run as runsTable } from "./runs-table";
import { run as slurm } from "./slurm-overhead";
import { run as soak } from "./soak";
import { run as subscriptionChurn } from "./subscription-churn";
import { run as subscriptionFanout } from "./subscription-fanout";
import { benchTransferThroughput } from "./transfer-throughput";

const BENCHES: Record<string, () => Promise<unknown>> = {
  ingest: ingestAndRunsQuery,
  fanout: subscriptionFanout,
  transfer: () => benchTransferThroughput(),
  leaderboard: () => leaderboard(),
  ijbc: () => benchIjbcFullSize(),
  "runs-table": runsTable,
  soak,
  load: () => load(),
  churn: subscriptionChurn,
  slurm,
  // Not in the default set: the leaderboard, runs-table and ingest benches again, in one table.
  issue16,
};
const DEFAULT = Object.keys(BENCHES).filter((name) => name !== "issue16");

const selected = process.argv.slice(2).filter((name) => !name.startsWith("-"));
const unknown = selected.filter((name) => !BENCHES[name]);
if (unknown.length) {
  console.error(`unknown bench ${unknown.join(", ")}; choose from ${Object.keys(BENCHES).join(", ")}`);
  process.exit(2);
}
const results: Record<string, unknown> = {};
for (const name of selected.length ? selected : DEFAULT) {
  console.log(`\n== ${name}`);
  results[name] = await BENCHES[name]!();
}
console.log(`\n${JSON.stringify(results, null, 2)}`);
