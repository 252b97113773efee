// The paper's Table 1 beside measurements: seconds per image of each transfer
// method per device, from SUCCEEDED TRANSFER runs, next to the published figure.
import type { Stores } from "../../db/stores";
import type { TransferMethod } from "../../generated/prisma/client";
import { IMAGES_PER_SECOND, SECONDS_PER_IMAGE } from "../../domain/metric-names";
import type { StdKind } from "./types";

export interface DeviceTiming {
  device: string;
  secondsPerImage: number;
  std: number | null;
  runs: number;
  minSecondsPerImage: number;
  maxSecondsPerImage: number;
  /** measured / published (only meaningful on comparable hardware). */
  ratioToPublished: number | null;
  lastRunAt: Date | null;
}

export interface TransferMethodTiming {
  method: TransferMethod;
  publishedSecondsPerImage: number | null;
  publishedDevice: string | null;
  measured: DeviceTiming[];
}

export function createTransferTimings(stores: Stores) {
  return async function transferMethodTimings(options: { std?: StdKind | null; methods?: string[] | null } = {}): Promise<TransferMethodTiming[]> {
    const [methods, rows] = await Promise.all([
      stores.catalogue.listMethods(),
      stores.leaderboard.transferTimings({ secondsPerImage: SECONDS_PER_IMAGE, imagesPerSecond: IMAGES_PER_SECOND }),
    ]);
    const wanted = options.methods?.length ? new Set(options.methods) : null;
    const sample = options.std === "SAMPLE";
    return methods
      .filter((m) => !wanted || wanted.has(m.name) || wanted.has(m.id))
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.name < b.name ? -1 : 1))
      .map((method) => ({
        method,
        publishedSecondsPerImage: method.publishedSecondsPerImage,
        publishedDevice: method.publishedDevice,
        measured: rows
          .filter((r) => r.transferMethodId === method.id)
          .map((r) => ({
            device: r.device,
            secondsPerImage: r.mean,
            std: sample ? r.stdSamp : r.stdPop,
            runs: r.runs,
            minSecondsPerImage: r.min,
            maxSecondsPerImage: r.max,
            ratioToPublished: method.publishedSecondsPerImage ? r.mean / method.publishedSecondsPerImage : null,
            lastRunAt: r.lastAt,
          })),
      }));
  };
}
