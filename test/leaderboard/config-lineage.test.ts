// Configuration lineage end to end through the public API: two realism transfers (fidelity
// weight 0.3 and 0.7, seed 7), each trained with epochs 2 and 3 (seed 7), all four face
// models evaluated on the same benchmark. Each evaluation inherits its training and transfer
// configuration: the leaderboard keeps the four apart, groupBy takes the namespaced keys,
// compareRuns names the two differences, `runs` filters by config keys, and labels and
// exports carry no paths, ids or evaluation mechanics. The small benchmark (40 LFW pairs)
// is off the protocol: marked on rows, cells and exports, never best beside full-size results.
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { embeddingModelSpec } from "../../src/fixtures";
import { writePairBenchmark } from "../evaluation/helpers";
import { gql, gqlData } from "../helpers/graphql-client";
import { startTestServer, type TestServer } from "../helpers/test-server";
import { setUpTransfer, type TransferSetup } from "../helpers/transfer-setup";
import { createRun, csvRecords, latexRows, markdownRows } from "./helpers";

const REPO = path.resolve(".");
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;
const MECHANICS = /batchSize|benchmarkId|dataPath|outputDir|sourceDir|allowNonStandardSize|"mode"|\.bin\b|\.onnx\b/;

let server: TestServer;
let setup: TransferSetup;
let benchmarkPath: string;
/** EVALUATE run ids by `${fidelityWeight}/${epochs}`. */
const evaluations = new Map<string, string>();
let fullSizeRun: string;

const RUN = `query($id: ID!) { run(id: $id) { id status error config configKey
  lineage { outputDataset { id } outputFaceModel { id } } } }`;

async function waitFor(id: string, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const { run } = await gqlData(server.url, RUN, { id });
    if (run.status === "SUCCEEDED") return run;
    if (run.status === "FAILED" || run.status === "CANCELLED") throw new Error(`run ${id} ${run.status}: ${run.error}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`run ${id} did not finish`);
}

beforeAll(async () => {
  server = await startTestServer({ WORKER_IN_PROCESS: "true", WORKER_CONCURRENCY: "2", HEARTBEAT_INTERVAL_MS: "300" });
  setup = await setUpTransfer(server.url, server.dataRoot, { identities: 3, imagesPerIdentity: 2 });
  benchmarkPath = (await writePairBenchmark(server.dataRoot, "lfw-mini", 40, 5)).path;
  const command = ["node", "--import", "tsx", path.join(REPO, "examples/trainer/train.ts"), "--data", "{datasetPath}", "--out", "{outputDir}", "--seed", "{seed}", "--epochs", "{param.epochs}", "--sleep-ms", "5"];
  const trainer = await gqlData(server.url, `mutation($input: RegisterTrainerInput!) { registerTrainer(input: $input) { id } }`, {
    input: { name: "ir50-fixture", command, workingDirectory: REPO, modelOutput: "{outputDir}/model.onnx", inputSpec: embeddingModelSpec(), backbone: "IR50-fixture", head: "AdaFace", defaultParams: { epochs: 2 } },
  });
  const trainerId: string = trainer.registerTrainer.id;

  const transfers = await Promise.all(
    [0.3, 0.7].map(async (fidelityWeight) => {
      const launched = await gqlData(server.url, `mutation($d: ID!, $m: ID!, $o: LaunchTransferOptions) { launchTransfer(datasetId: $d, methodId: $m, options: $o) { id } }`, {
        d: setup.datasetId,
        m: setup.methodId,
        o: { batchSize: 2, fidelityWeight, seed: 7, outputName: `digi-mini-fw${fidelityWeight}` },
      });
      const done = await waitFor(launched.launchTransfer.id);
      return { fidelityWeight, datasetId: done.lineage.outputDataset.id as string };
    }),
  );
  const models: Array<{ key: string; faceModelId: string }> = [];
  for (const transfer of transfers) {
    for (const epochs of [2, 3]) {
      const launched = await gqlData(server.url, `mutation($d: ID!, $t: ID!, $p: JSON) { launchTraining(datasetId: $d, trainerId: $t, seed: 7, params: $p) { id } }`, {
        d: transfer.datasetId,
        t: trainerId,
        p: { epochs },
      });
      models.push({ key: `${transfer.fidelityWeight}/${epochs}`, faceModelId: launched.launchTraining.id });
    }
  }
  for (const model of models) model.faceModelId = (await waitFor(model.faceModelId)).lineage.outputFaceModel.id;
  const launched = await gqlData(server.url, `mutation($input: LaunchEvaluationInput!) { launchEvaluation(input: $input) { id faceModel { id } } }`, {
    input: {
      faceModelIds: models.map((m) => m.faceModelId),
      benchmarks: [{ name: "LFW", dataPath: benchmarkPath }],
      options: { allowNonStandardSize: true, batchSize: 16 },
    },
  });
  for (const run of launched.launchEvaluation) {
    await waitFor(run.id);
    evaluations.set(models.find((m) => m.faceModelId === run.faceModel.id)!.key, run.id);
  }
  // A full-size LFW result tracked from outside (createRun + logMetrics), lower than any above.
  fullSizeRun = await createRun(server.url, { datasetId: setup.datasetId, seed: 7, params: { note: "full protocol" }, accuracy: { LFW: 0.05 } });
}, 300_000);
afterAll(() => server?.close());

const BOARD = `query($groupBy: LeaderboardGroupBy, $baseline: LeaderboardRowSelector) {
  leaderboard(benchmarks: ["LFW"], filter: { published: false, transferMethods: ["CodeFormer-fixture"] }, groupBy: $groupBy, baseline: $baseline) {
    groupBy { params exceptParams }
    rows { key label params runIds runCount seeds nonStandard nonStandardNotes dataset { name } baseDataset { name } transferMethod { name }
           cells { n mean best nonStandard text } }
  }
}`;

const board = async (variables: Record<string, unknown> = {}) => (await gqlData(server.url, BOARD, variables)).leaderboard;

describe("effective configuration", () => {
  it("gives each evaluation the training and transfer configuration behind its model, without mechanics", async () => {
    const { run } = await gqlData(server.url, RUN, { id: evaluations.get("0.7/3") });
    expect(run.config).toMatchObject({
      dataset: "DigiFace-mini",
      "transfer.method": "CodeFormer-fixture",
      "transfer.fidelityWeight": 0.7,
      "transfer.seed": 7,
      "train.trainer": "ir50-fixture",
      "train.backbone": "IR50-fixture",
      "train.head": "AdaFace",
      "train.epochs": 3,
      "train.seed": 7,
      "evaluate.nonStandard": { LFW: "40 of 6000 pairs" },
    });
    expect(run.config["transfer.modelVersion"]).toMatch(/^sha256:[0-9a-f]{16}$/);
    expect(Object.keys(run.config).filter((k) => !k.match(/^(dataset|transfer\.|train\.|evaluate\.nonStandard)/))).toEqual([]);
    expect(JSON.stringify(run.config)).not.toMatch(MECHANICS);
    expect(JSON.stringify(run.config)).not.toMatch(UUID);
    expect(run.configKey).toMatch(/^[0-9a-f]{32}$/);
    // Four configurations, four identities.
    const keys = await Promise.all([...evaluations.values()].map(async (id) => (await gqlData(server.url, RUN, { id })).run.configKey));
    expect(new Set(keys).size).toBe(4);
  });
});

describe("leaderboard over the configuration", () => {
  it("keeps the four configurations in separate rows labelled by what differs", async () => {
    const lb = await board();
    expect(lb.groupBy).toEqual({ params: null, exceptParams: ["train.seed", "transfer.seed", "evaluate.seed"] });
    expect(lb.rows).toHaveLength(4);
    expect(lb.rows.map((r: any) => r.runCount)).toEqual([1, 1, 1, 1]);
    const byLabel = new Map(lb.rows.map((r: any) => [r.label, r]));
    for (const [fw, epochs] of [[0.3, 2], [0.3, 3], [0.7, 2], [0.7, 3]]) {
      const row: any = byLabel.get(`CodeFormer-fixture on DigiFace-mini (epochs=${epochs}, fidelityWeight=${fw})`);
      expect(row, `row ${fw}/${epochs} in ${[...byLabel.keys()].join(" | ")}`).toBeDefined();
      expect(row.runIds).toEqual([evaluations.get(`${fw}/${epochs}`)]);
      expect(row.params).toMatchObject({ "train.epochs": epochs, "transfer.fidelityWeight": fw });
      expect(row.seeds).toEqual([7]);
      expect(row.baseDataset.name).toBe("DigiFace-mini");
    }
    for (const row of lb.rows) {
      expect(row.label).not.toMatch(UUID);
      expect(row.label).not.toMatch(MECHANICS);
      expect(row.label).not.toContain("/");
    }
  });

  it("groups by namespaced config keys", async () => {
    const byEpochs = await board({ groupBy: { params: ["train.epochs"] } });
    expect(byEpochs.groupBy.params).toEqual(["train.epochs"]);
    expect(byEpochs.rows.map((r: any) => [r.params, r.runCount, r.label])).toEqual([
      [{ "train.epochs": 2 }, 2, "CodeFormer-fixture on DigiFace-mini (epochs=2)"],
      [{ "train.epochs": 3 }, 2, "CodeFormer-fixture on DigiFace-mini (epochs=3)"],
    ]);
    expect(byEpochs.rows[0].runIds.sort()).toEqual([evaluations.get("0.3/2"), evaluations.get("0.7/2")].sort());
    const byWeight = await board({ groupBy: { params: ["transfer.fidelityWeight"] } });
    expect(byWeight.rows.map((r: any) => [r.params["transfer.fidelityWeight"], r.runCount])).toEqual([[0.3, 2], [0.7, 2]]);
    // Seeds are the same everywhere: grouping by everything but nothing changes nothing.
    expect((await board({ groupBy: { exceptParams: [] } })).rows).toHaveLength(4);
    const bad = await gql(server.url, BOARD, { groupBy: { params: ["train epochs; drop"] } });
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "groupBy.params[0]" });
  });

  it("compareRuns names exactly the configuration differences", async () => {
    const compared = (
      await gqlData(server.url, `query($ids: [ID!]!) { compareRuns(ids: $ids) { params { key values differs } differingParams ownParams { key differs } } }`, {
        ids: [evaluations.get("0.3/2"), evaluations.get("0.7/3")],
      })
    ).compareRuns;
    expect(compared.differingParams).toEqual(["train.epochs", "transfer.fidelityWeight"]);
    const params = Object.fromEntries(compared.params.map((p: any) => [p.key, p]));
    expect(params["train.epochs"].values).toEqual([2, 3]);
    expect(params["transfer.fidelityWeight"].values).toEqual([0.3, 0.7]);
    expect(params["train.seed"]).toEqual({ key: "train.seed", values: [7, 7], differs: false });
    expect(compared.params.map((p: any) => p.key).join(" ")).not.toMatch(/batchSize|benchmarks/);
    // The evaluations' own params are the same (mechanics only).
    expect(compared.ownParams.filter((p: any) => p.differs).map((p: any) => p.key)).toEqual([]);
  });
});

describe("runs filtered by configuration", () => {
  const RUNS = `query($filter: RunFilter) { runs(filter: $filter, first: 100) { totalCount nodes { id kind config } } }`;
  const ids = async (filter: Record<string, unknown>) => (await gqlData(server.url, RUNS, { filter })).runs.nodes.map((n: any) => n.id).sort();
  const evals = (...keys: string[]) => keys.map((k) => evaluations.get(k)).sort();

  it("filters by equality, IN and numeric ranges on namespaced keys", async () => {
    expect(await ids({ kind: "EVALUATE", config: [{ key: "train.epochs", eq: 3 }] })).toEqual(evals("0.3/3", "0.7/3"));
    expect(await ids({ kind: "EVALUATE", config: [{ key: "transfer.fidelityWeight", in: [0.3, 0.7] }] })).toEqual(evals("0.3/2", "0.3/3", "0.7/2", "0.7/3"));
    expect(await ids({ kind: "EVALUATE", config: [{ key: "transfer.fidelityWeight", gte: 0.5 }, { key: "train.epochs", lt: 3 }] })).toEqual(evals("0.7/2"));
    expect(await ids({ kind: "EVALUATE", config: [{ key: "dataset", eq: "DigiFace-mini" }, { key: "train.trainer", eq: "ir50-fixture" }] })).toHaveLength(4);
    // A numeric range matches numbers only (not strings, not objects).
    expect(await ids({ config: [{ key: "dataset", lt: 1e9 }] })).toEqual([]);
    expect(await ids({ config: [{ key: "evaluate.nonStandard", gt: 0 }] })).toEqual([]);
    // The TRAIN runs carry the transfer they trained on; the TRANSFER run its own options.
    const heavy = (await gqlData(server.url, RUNS, { filter: { config: [{ key: "transfer.fidelityWeight", eq: 0.7 }] } })).runs.nodes;
    expect(heavy.map((n: any) => n.kind).sort()).toEqual(["EVALUATE", "EVALUATE", "TRAIN", "TRAIN", "TRANSFER"]);
    // One configuration's repeats by its identity.
    const { run } = await gqlData(server.url, RUN, { id: evaluations.get("0.3/2") });
    expect(await ids({ configKey: run.configKey })).toEqual(evals("0.3/2"));
  });

  it("names the condition that is wrong", async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ key: "no spaces", eq: 1 }, "filter.config[0].key"],
      [{ key: "train.epochs", eq: 1, gt: 0 }, "filter.config[0]"],
      [{ key: "train.epochs" }, "filter.config[0]"],
      [{ key: "train.epochs", in: [] }, "filter.config[0].in"],
    ];
    for (const [condition, field] of cases) {
      const result = await gql(server.url, RUNS, { filter: { config: [condition] } });
      expect(result.errors?.[0]?.extensions, JSON.stringify(condition)).toMatchObject({ code: "BAD_USER_INPUT", field });
    }
    const many = await gql(server.url, RUNS, { filter: { config: Array.from({ length: 21 }, () => ({ key: "a", eq: 1 })) } });
    expect(many.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "filter.config" });
  });
});

describe("exports", () => {
  const exported = async (format: string, extra = "") =>
    (await gqlData(server.url, `{ leaderboardExport(format: ${format}, benchmarks: ["LFW"], filter: { published: false, transferMethods: ["CodeFormer-fixture"] }${extra}) { content } }`))
      .leaderboardExport.content as string;

  const clean = (text: string) => {
    expect(text).not.toMatch(UUID);
    expect(text).not.toMatch(MECHANICS);
    expect(text).not.toContain(server.dataRoot);
    expect(text).not.toMatch(/(^|[\s(])\/[A-Za-z]/m); // no absolute path
  };

  it("Markdown and CSV show dataset, method and the differing values, nothing else", async () => {
    const md = await exported("MARKDOWN");
    clean(md);
    const [header, ...rows] = markdownRows(md);
    expect(header).toEqual(["Transfer Method", "Dataset", "Type", "SynGen Req", "epochs", "fidelityWeight", "Runs", "LFW"]);
    expect(rows.map((r) => r.slice(0, 7)).sort()).toEqual([
      ["CodeFormer-fixture", "DigiFace-mini", "Syn-RT", "No-Req", "2", "0.3", "1"],
      ["CodeFormer-fixture", "DigiFace-mini", "Syn-RT", "No-Req", "2", "0.7", "1"],
      ["CodeFormer-fixture", "DigiFace-mini", "Syn-RT", "No-Req", "3", "0.3", "1"],
      ["CodeFormer-fixture", "DigiFace-mini", "Syn-RT", "No-Req", "3", "0.7", "1"],
    ]);

    const csv = await (await fetch(`${server.url.replace(/\/graphql$/, "")}/leaderboard.csv?benchmarks=LFW&published=false&transferMethods=CodeFormer-fixture`)).text();
    clean(csv);
    const records = csvRecords(csv);
    expect(records).toHaveLength(4);
    expect(Object.keys(records[0]!)).toEqual(expect.arrayContaining(["label", "param train.epochs", "param transfer.fidelityWeight", "non_standard", "LFW non_standard"]));
    expect(records.map((r) => `${r["param transfer.fidelityWeight"]}/${r["param train.epochs"]}`).sort()).toEqual(["0.3/2", "0.3/3", "0.7/2", "0.7/3"]);
    // The HTTP export groups by config keys too.
    const byEpochs = csvRecords(
      await (await fetch(`${server.url.replace(/\/graphql$/, "")}/leaderboard.csv?benchmarks=LFW&published=false&transferMethods=CodeFormer-fixture&groupBy=dataset,transferMethod,param:train.epochs`)).text(),
    );
    expect(byEpochs.map((r) => [r.label, r.runs])).toEqual([
      ["CodeFormer-fixture on DigiFace-mini (epochs=2)", "2"],
      ["CodeFormer-fixture on DigiFace-mini (epochs=3)", "2"],
    ]);
  });

  it("LaTeX is a booktabs table with a caption in words that parses", async () => {
    const tex = await exported("LATEX");
    clean(tex);
    expect(tex).toContain("\\begin{table}");
    expect(tex).toContain("\\end{table}");
    const caption = tex.match(/\\caption\{(.*)\}\n/)?.[1];
    expect(caption).toMatch(/^Verification accuracy \(\\%\) on LFW: mean\$\\pm\$std over runs \(population std\), best per column in bold/);
    expect(caption).not.toMatch(/[{}]\s*"|\\_|\\\{/); // no escaped JSON in the caption
    // Balanced braces and math shifts on every line; each body row has the header's cell count.
    for (const line of tex.split("\n").filter((l) => !l.startsWith("%"))) {
      const stripped = line.replace(/\\[{}$&%#_]/g, "");
      let depth = 0;
      for (const c of stripped) {
        depth += c === "{" ? 1 : c === "}" ? -1 : 0;
        expect(depth, line).toBeGreaterThanOrEqual(0);
      }
      expect(depth, line).toBe(0);
      expect((stripped.match(/\$/g) ?? []).length % 2, line).toBe(0);
    }
    const spec = tex.match(/\\begin\{tabular\}\{([lc]+)\}/)![1]!;
    const [header, ...body] = latexRows(tex);
    expect(header).toEqual(["Transfer Method", "Dataset", "Type", "SynGen Req", "epochs", "fidelityWeight", "Runs", "LFW"]);
    expect(spec).toHaveLength(header!.length);
    expect(body).toHaveLength(4);
    for (const row of body) expect(row).toHaveLength(header!.length);
    for (const env of ["table", "tabular"]) {
      expect(tex.split(`\\begin{${env}}`).length).toBe(tex.split(`\\end{${env}}`).length);
    }
    expect(tex.indexOf("\\toprule") < tex.indexOf("\\midrule") && tex.indexOf("\\midrule") < tex.indexOf("\\bottomrule")).toBe(true);
  });
});

describe("non-standard evaluations", () => {
  const FULL = `query { leaderboard(benchmarks: ["LFW"], filter: { published: false }) {
    rows { label runIds nonStandard nonStandardNotes cells { mean best nonStandard } } } }`;

  it("are marked on every row and cell and never best beside a full-size result", async () => {
    const { leaderboard } = await gqlData(server.url, FULL);
    const full = leaderboard.rows.find((r: any) => r.runIds.includes(fullSizeRun));
    const small = leaderboard.rows.filter((r: any) => !r.runIds.includes(fullSizeRun));
    expect(small).toHaveLength(4);
    expect(full).toMatchObject({ nonStandard: false, nonStandardNotes: [], cells: [{ mean: 0.05, best: true, nonStandard: false }] });
    for (const row of small) {
      expect(row).toMatchObject({ nonStandard: true, nonStandardNotes: ["LFW: 40 of 6000 pairs"] });
      expect(row.cells[0]).toMatchObject({ best: false, nonStandard: true });
      expect(row.cells[0].mean).toBeGreaterThan(0.05); // better, yet not best: not comparable
    }
  });

  it("are marked in every export", async () => {
    const md = (await gqlData(server.url, `{ leaderboardExport(format: MARKDOWN, benchmarks: ["LFW"], filter: { published: false }) { content } }`)).leaderboardExport.content as string;
    const [, ...rows] = markdownRows(md);
    const lfw = rows.map((r) => r[r.length - 1]!);
    expect(lfw.filter((c) => c.endsWith("†"))).toHaveLength(4);
    expect(lfw.filter((c) => c.startsWith("**"))).toEqual(["**5.00±0.00**"]);
    expect(md).toContain("† CodeFormer-fixture on DigiFace-mini (epochs=2, fidelityWeight=0.3): LFW: 40 of 6000 pairs");
    expect(md).toMatch(/†: evaluated off the benchmark's protocol, never marked best/);

    const tex = (await gqlData(server.url, `{ leaderboardExport(format: LATEX, benchmarks: ["LFW"], filter: { published: false }) { content } }`)).leaderboardExport.content as string;
    const [, ...body] = latexRows(tex);
    expect(body.filter((r) => r[r.length - 1]!.endsWith("$^\\dagger$"))).toHaveLength(4);
    expect(tex).toMatch(/\\caption\{.*\$\^\\dagger\$CodeFormer-fixture on DigiFace-mini \(epochs=2, fidelityWeight=0.3\): LFW: 40 of 6000 pairs/);

    const csv = csvRecords((await gqlData(server.url, `{ leaderboardExport(format: CSV, benchmarks: ["LFW"], filter: { published: false }) { content } }`)).leaderboardExport.content);
    expect(csv.map((r) => [r.non_standard, r["LFW non_standard"], r["LFW best"]]).sort()).toEqual([
      ["", "false", "true"],
      ...Array.from({ length: 4 }, () => ["LFW: 40 of 6000 pairs", "true", "false"]),
    ]);
  });
});
