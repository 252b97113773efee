// The EVALUATE kind: embed benchmark images with an ONNX face model (or read precomputed
// features), score the protocol's pairs and store metrics and ROC curves per benchmark.
import { runEvaluateJob } from "../../worker/jobs/evaluate-job";
import { defineKind } from "../kind";
import { createEvaluationPlanner } from "./launch";
import { evaluateLaunchParams } from "./params";

export const evaluateKind = defineKind({
  name: "EVALUATE",
  label: "Evaluation",
  description: "Evaluates face models (or precomputed features) on verification benchmarks: accuracy over 10 folds, IJB TAR at FMR, ROC curves.",
  params: evaluateLaunchParams,
  plan: (params, context) => createEvaluationPlanner(context).planEvaluation(params),
  job: runEvaluateJob,
  launchMutations: ["launchEvaluation"],
});
