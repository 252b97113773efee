// TRANSFER's launch params (launchTransfer's arguments, launchRun's params) and what a TRANSFER
// run stores in Run.params for its job.
import { z } from "zod";
import { executorOverride, id, json, optionalInt, optionalNumber, optionalString } from "../shared/params";

export const transferLaunchParams = z.strictObject({
  datasetId: id,
  methodId: id,
  options: z
    .strictObject({
      batchSize: optionalInt,
      limit: optionalInt,
      outputName: optionalString(200),
      fidelityWeight: optionalNumber,
      steps: optionalInt,
      methodOptions: json,
      maxFailureShare: optionalNumber,
      seed: optionalInt,
      maxAttempts: optionalInt,
      group: optionalString(200),
    })
    .nullish(),
  ...executorOverride,
});

export type LaunchTransferInput = z.infer<typeof transferLaunchParams>;

/** What a TRANSFER job needs, stored in Run.params (the worker reads it back). */
export interface TransferRunParams {
  outputName: string;
  outputDir: string;
  batchSize: number;
  limit: number | null;
  maxFailureShare: number;
  methodOptions: Record<string, number>;
  [key: string]: unknown;
}
