// The TRANSFER kind: apply a realism-transfer method's ONNX model to every image of a dataset,
// writing a new REALISM_TRANSFERRED dataset.
import { runTransferJob } from "../../worker/jobs/transfer-job";
import { defineKind } from "../kind";
import { planTransfer, queueTransfer } from "./launch";
import { transferLaunchParams } from "./params";

export const transferKind = defineKind({
  name: "TRANSFER",
  label: "Transfer",
  description: "Applies a realism-transfer method's ONNX model to every image of a dataset, producing a new dataset.",
  params: transferLaunchParams,
  plan: async (params, context) => [await planTransfer(params, context)],
  queue: (tx, plan) => queueTransfer(tx, plan),
  job: runTransferJob,
  launchMutations: ["launchTransfer"],
});
