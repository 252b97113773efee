import { access } from "node:fs/promises";
import { join } from "node:path";
import type { DatasetImage } from "./dataset-walker";

/** The output mirrors the source: same identity folder, same file name and extension. */
export function outputPathOf(outputDir: string, image: DatasetImage): string {
  return image.identity ? join(outputDir, image.identity, image.file) : join(outputDir, image.file);
}

/** Written outputs are complete (atomic rename), so existence means done. */
export async function outputExists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
