import type { DatasetImage } from "./dataset-walker";
import { FailureShareExceededError } from "./errors";

export type TransferPhase = "counting" | "loading-model" | "transferring" | "finished";

export interface TransferProgress {
  /** processed + skipped + failed; reaches total at the end. */
  done: number;
  total: number;
  processed: number;
  skipped: number;
  failed: number;
  phase: TransferPhase;
}

export type ProgressListener = (progress: TransferProgress) => void;
export type ImageErrorListener = (path: string, error: unknown) => void;

// Skips (resume) are cheap and can come by the thousand: report them in groups.
const SKIPS_PER_REPORT = 256;

/** Counts outcomes, reports them, and fails the run when too many images are unreadable. */
export class ProgressTracker {
  processed = 0;
  skipped = 0;
  failed = 0;
  phase: TransferPhase = "counting";

  constructor(
    public total: number,
    private readonly maxFailureShare: number,
    private readonly onProgress: ProgressListener = () => {},
    private readonly onImageError: ImageErrorListener = () => {},
  ) {}

  get done(): number {
    return this.processed + this.skipped + this.failed;
  }

  report(phase: TransferPhase = this.phase): void {
    this.phase = phase;
    const { done, total, processed, skipped, failed } = this;
    this.onProgress({ done, total, processed, skipped, failed, phase });
  }

  skip(): void {
    this.skipped++;
    if (this.skipped % SKIPS_PER_REPORT === 0) this.report();
  }

  wrote(count: number): void {
    this.processed += count;
    this.report();
  }

  /** Reports an unreadable image; throws FailureShareExceededError past the allowed share. */
  fail(image: DatasetImage, error: unknown): void {
    this.failed++;
    this.onImageError(image.absolutePath, error);
    if (this.failed / Math.max(this.total, 1) > this.maxFailureShare) {
      throw new FailureShareExceededError(this.failed, this.total, this.maxFailureShare, error);
    }
  }
}
