// Worker thread owning one onnxruntime-node InferenceSession. onnxruntime-node's run() blocks
// the calling thread for the whole inference, so it runs here: the main thread stays free to
// decode/encode images, answer GraphQL and heartbeat. Protocol: session-protocol.ts.
import { parentPort, workerData } from "node:worker_threads";
import ort from "onnxruntime-node";

/** @param {unknown} error */
const messageOf = (error) => (error instanceof Error ? error.message : String(error));

/** @param {readonly any[]} metadata */
const describe = (metadata) =>
  metadata.map((m) => ({ name: m.name, type: m.isTensor ? m.type : "non-tensor", shape: m.isTensor ? [...m.shape] : [] }));

async function openSession() {
  const { modelPath, providers, sessionOptions } = workerData;
  const attempts = [];
  for (const provider of providers) {
    try {
      const session = await ort.InferenceSession.create(modelPath, {
        ...sessionOptions,
        executionProviders: [provider],
      });
      return { session, provider, attempts };
    } catch (error) {
      attempts.push({ provider, error: messageOf(error) });
    }
  }
  return { session: null, provider: null, attempts };
}

/** @param {Record<string, {type: string, data: any, dims: number[]}>} feeds */
const toTensors = (feeds) =>
  Object.fromEntries(Object.entries(feeds).map(([name, t]) => [name, new ort.Tensor(t.type, t.data, t.dims)]));

/** @param {Record<string, any>} outputs */
const toPayloads = (outputs) =>
  Object.fromEntries(Object.entries(outputs).map(([name, t]) => [name, { type: t.type, data: t.data, dims: [...t.dims] }]));

const { session, provider, attempts } = await openSession();
if (!session) {
  parentPort.postMessage({ kind: "open-failed", attempts });
} else {
  parentPort.postMessage({
    kind: "ready",
    provider,
    attempts,
    inputs: describe(session.inputMetadata),
    outputs: describe(session.outputMetadata),
  });
  /** Runs in flight: a close waits for them, so the session is never released under a run. */
  const inFlight = new Set();
  parentPort.on("message", async (request) => {
    if (request.kind === "close") {
      await Promise.all(inFlight);
      await session.release();
      parentPort.postMessage({ kind: "closed" });
      parentPort.close();
      return;
    }
    let finished = () => {};
    const running = new Promise((resolve) => (finished = resolve));
    inFlight.add(running);
    try {
      const outputs = await session.run(toTensors(request.feeds), request.outputNames);
      // Copied by structured clone: output buffers belong to onnxruntime and are not transferable.
      parentPort.postMessage({ kind: "result", id: request.id, outputs: toPayloads(outputs) });
    } catch (error) {
      parentPort.postMessage({ kind: "run-failed", id: request.id, error: messageOf(error) });
    } finally {
      inFlight.delete(running);
      finished();
    }
  });
}
