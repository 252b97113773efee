import type { PreparedBatch } from "./batch-source";
import { AbortError } from "./errors";

export interface TransferStages<Output> {
  next(): Promise<PreparedBatch | null>;
  infer(batch: PreparedBatch): Promise<Output>;
  write(batch: PreparedBatch, output: Output): Promise<void>;
}

// A promise we await later must not count as an unhandled rejection in the meantime.
function quiet<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => {});
  return promise;
}

function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw new AbortError(undefined, { cause: signal.reason });
}

/**
 * A bounded pipeline that keeps the model busy: as soon as batch k leaves the model, batch k+1
 * (decoded meanwhile) goes in, and only then is batch k converted, encoded and written, while
 * batch k+2 decodes. At most four batches are alive, whatever the dataset size.
 */
export async function runPipeline<Output>(stages: TransferStages<Output>, signal: AbortSignal): Promise<void> {
  let nextBatch = quiet(stages.next());
  let writing: Promise<void> = Promise.resolve();
  let inferring: Promise<Output> | null = null;
  try {
    let batch = await nextBatch;
    if (batch) {
      nextBatch = quiet(stages.next());
      inferring = quiet(stages.infer(batch));
    }
    while (batch && inferring) {
      const output = await inferring;
      const following = await nextBatch;
      throwIfAborted(signal);
      inferring = null;
      if (following) {
        inferring = quiet(stages.infer(following));
        nextBatch = quiet(stages.next());
      }
      await writing;
      writing = quiet(stages.write(batch, output));
      batch = following;
    }
    await writing;
  } finally {
    // On failure or abort, let in-flight work settle: nothing runs or writes after we return.
    await Promise.allSettled([nextBatch, writing, inferring]);
  }
}
