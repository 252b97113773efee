// The child side of file-probe.ts: reads one file, answers once over IPC, exits.
import { readFile } from "node:fs/promises";
import { parseInsightfaceBin } from "../metrics/insightface-bin";
import { readNpyShape } from "../runners/evaluate/npy-shape";

export type ProbeRequest = { kind: "npyShape"; file: string } | { kind: "binIssame"; file: string };
export type ProbeReply = { ok: true; value: number[] | boolean[] } | { ok: false; message: string };

async function answer(request: ProbeRequest): Promise<number[] | boolean[]> {
  if (request.kind === "npyShape") return readNpyShape(request.file);
  return parseInsightfaceBin(await readFile(request.file), request.file).issame;
}

process.once("message", (request: ProbeRequest) => {
  answer(request)
    .then(
      (value): ProbeReply => ({ ok: true, value }),
      (error): ProbeReply => ({ ok: false, message: error instanceof Error ? error.message : String(error) }),
    )
    .then((reply) => process.send!(reply, () => process.disconnect()));
});
