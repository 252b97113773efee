// The kind registry on its own: what it accepts, the worker kinds and job table it gives, and
// the launch policies authorization reads from it. No database: pure functions over modules.
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/config";
import { createPolicies } from "../../src/graphql/authorization";
import { executorDefaults } from "../../src/executors";
import { BUILT_IN_KINDS, checkExecutorKinds, createKindRegistry, jobsByKind, workerKinds } from "../../src/kinds/registry";
import { echoKind } from "../fixtures/kinds/echo";

describe("the kind registry", () => {
  it("lists the built-in kinds, then the extra ones, each with a job", () => {
    const kinds = createKindRegistry([echoKind]);
    expect(kinds.names()).toEqual(["TRANSFER", "TRAIN", "EVALUATE", "DATASET_QUALITY", "ECHO"]);
    expect(Object.keys(jobsByKind(kinds))).toEqual(kinds.names());
    expect(jobsByKind(kinds).ECHO).toBe(echoKind.job);
    expect(kinds.get("ECHO")).toBe(echoKind);
    expect(() => kinds.require("NOPE")).toThrow(/unknown run kind "NOPE" \(known: TRANSFER, TRAIN, EVALUATE, DATASET_QUALITY, ECHO\)/);
  });

  it("refuses a name twice or a name that is not an enum value", () => {
    expect(() => createKindRegistry([{ ...echoKind, name: "TRAIN" }])).toThrow(/TRAIN is registered twice/);
    expect(() => createKindRegistry([{ ...echoKind, name: "echo-kind" }])).toThrow(/upper-case/);
    expect(BUILT_IN_KINDS.map((k) => k.name)).toEqual(["TRANSFER", "TRAIN", "EVALUATE", "DATASET_QUALITY"]);
  });

  it("checks WORKER_KINDS against the registry; unset means every runnable kind", () => {
    const kinds = createKindRegistry([echoKind]);
    expect(workerKinds(undefined, kinds)).toEqual(kinds.names());
    const config = loadConfig({ WORKER_KINDS: "echo, dataset_quality" });
    expect(config.WORKER_KINDS).toEqual(["ECHO", "DATASET_QUALITY"]);
    expect(workerKinds(config.WORKER_KINDS, kinds)).toEqual(["ECHO", "DATASET_QUALITY"]);
    // Without the ECHO module, the same setting names an unknown kind.
    expect(() => workerKinds(config.WORKER_KINDS, createKindRegistry())).toThrow(/WORKER_KINDS: ECHO is not a run kind .*known: TRANSFER, TRAIN, EVALUATE, DATASET_QUALITY/);
    expect(() => loadConfig({ WORKER_KINDS: "TRAIN,no such" })).toThrow(/WORKER_KINDS/);
  });

  it("takes EXECUTOR_<KIND> / RESOURCES_<KIND> for any registered kind, and refuses unknown kinds and bad values by variable", () => {
    const config = loadConfig({ EXECUTOR_DATASET_QUALITY: "slurm", RESOURCES_DATASET_QUALITY: '{"gpus":1}', EXECUTOR_ECHO: "slurm", RESOURCES_TRAIN: '{"cpus":2}' });
    expect(executorDefaults(config)).toEqual({
      DATASET_QUALITY: { executor: "slurm", resources: { gpus: 1 } },
      ECHO: { executor: "slurm", resources: {} },
      TRAIN: { executor: "local", resources: { cpus: 2 } },
    });
    expect(() => checkExecutorKinds(Object.keys(config.executorByKind), createKindRegistry([echoKind]))).not.toThrow();
    expect(() => checkExecutorKinds(Object.keys(config.executorByKind), createKindRegistry())).toThrow(/EXECUTOR_<KIND> \/ RESOURCES_<KIND>: ECHO is not a run kind \(known: TRANSFER, TRAIN, EVALUATE, DATASET_QUALITY\)/);
    expect(() => loadConfig({ EXECUTOR_TRAIN: "kubernetes", RESOURCES_EVALUATE: "{gpus" })).toThrow(/EXECUTOR_TRAIN: .*\n.*RESOURCES_EVALUATE: must be a JSON object/);
  });

  it("gives every kind's own launch mutations and launchRun the LAUNCH scope", () => {
    const policyFor = createPolicies(createKindRegistry([{ ...echoKind, launchMutations: ["launchEcho"] }]));
    for (const field of ["launchRun", "launchTransfer", "launchTraining", "launchEvaluation", "launchDatasetQuality", "launchEcho"]) {
      expect(policyFor("Mutation", field).scope, field).toBe("LAUNCH");
    }
    expect(policyFor("Mutation", "registerTrainer").scope).toBe("ADMIN");
    expect(policyFor("Mutation", "somethingNew").scope).toBe("ADMIN"); // still fails closed
    expect(policyFor("Query", "runKinds").scope).toBe("PUBLIC_READ");
  });
});
