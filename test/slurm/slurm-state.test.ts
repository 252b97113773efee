// Parsing what Slurm's commands print, on their real output formats (Slurm 22.05):
// sacct -n -P -X (parsable2, and without -X its .batch/.extern steps), squeue -h -o,
// scontrol show job -o and sinfo -h -o. No cluster needed.
import { describe, expect, it } from "vitest";
import { parseSacct, parseScontrolJob, parseSinfo, parseSqueue } from "../../src/executors/slurm/slurm-state";

describe("parseSacct", () => {
  it("reads the allocation line of the job, not its steps or other jobs", () => {
    // sacct -n -P -j 4245 -o JobID,State,ExitCode,Reason,NodeList (without -X: steps too)
    const out = ["4245|FAILED|3:0|None|gpu-node01", "4245.batch|FAILED|3:0||gpu-node01", "4245.extern|COMPLETED|0:0||gpu-node01", ""].join("\n");
    expect(parseSacct(out, "4245")).toEqual({ state: "FAILED", reason: "exit 3:0", node: "gpu-node01" });
    expect(parseSacct(out, "424")).toBeNull();
  });

  it("splits 'CANCELLED by UID' and keeps Slurm's reason", () => {
    expect(parseSacct("4242|CANCELLED by 1000|0:15|None|gpu-node02\n", "4242")).toEqual({ state: "CANCELLED", reason: "exit 0:15, by uid 1000", node: "gpu-node02" });
    expect(parseSacct("4243|TIMEOUT|0:0|None|gpu-node[01-02]\n", "4243")).toEqual({ state: "TIMEOUT", reason: "None", node: "gpu-node[01-02]" });
    expect(parseSacct("4244|NODE_FAIL|1:0|None|gpu-node03\n", "4244")).toMatchObject({ state: "NODE_FAIL", reason: "exit 1:0" });
    expect(parseSacct("4246|PENDING|0:0|Resources|None assigned\n", "4246")).toEqual({ state: "PENDING", reason: "Resources", node: null });
  });

  it("knows nothing of a job sacct did not print", () => {
    expect(parseSacct("", "1")).toBeNull();
  });
});

describe("the other parsers", () => {
  it("squeue -h -o %i|%j|%T|%r|%N", () => {
    const jobs = parseSqueue("17|rl-2b1e9f0c-0000-4000-8000-000000000001|RUNNING|None|node1\n18|rl-x|PENDING|Resources|\n");
    expect(jobs).toEqual([
      { jobId: "17", name: "rl-2b1e9f0c-0000-4000-8000-000000000001", state: "RUNNING", reason: "None", node: "node1" },
      { jobId: "18", name: "rl-x", state: "PENDING", reason: "Resources", node: null },
    ]);
  });

  it("scontrol show job -o: the first value of each key", () => {
    const fields = parseScontrolJob("JobId=19 JobName=rl-x UserId=root(0) JobState=TIMEOUT Reason=TimeLimit Dependency=(null) ExitCode=0:15 NodeList=node1");
    expect(fields).toMatchObject({ JobId: "19", JobState: "TIMEOUT", Reason: "TimeLimit", ExitCode: "0:15", NodeList: "node1" });
  });

  it("sinfo -h -o %P|%G|%c|%m|%l: the largest node per partition, the default marked *", () => {
    const partitions = parseSinfo("gpu*|gpu:2|4|4000|infinite\ngpu*|gpu:a100:8(S:0-1)|64|512000|infinite\ncpu|(null)|128|256000+|1:00:00\n");
    expect(partitions).toEqual([
      { name: "gpu", isDefault: true, maxGpus: 8, maxCpus: 64, maxMemoryMb: 512_000, maxTimeMinutes: null },
      { name: "cpu", isDefault: false, maxGpus: 0, maxCpus: 128, maxMemoryMb: 256_000, maxTimeMinutes: 60 },
    ]);
  });
});
