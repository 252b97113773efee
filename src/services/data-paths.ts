// Dataset folders, model files and output folders must resolve, after symlinks,
// inside one of the configured DATA_ROOTS.
import { realpath, stat } from "node:fs/promises";
import path from "node:path";
import { badInput } from "../errors";

export interface DataPaths {
  roots: readonly string[];
  /** Resolves an existing file or folder inside the data roots, or throws BAD_USER_INPUT naming `field`. */
  resolveExisting(field: string, value: string, type: "file" | "directory"): Promise<string>;
  /** Resolves a path that may not exist yet (an output folder): its nearest existing parent must be inside. */
  resolveNew(field: string, value: string): Promise<string>;
}

export function createDataPaths(roots: readonly string[]): DataPaths {
  const realRoots = Promise.all(roots.map((root) => realpath(root).catch(() => path.resolve(root))));

  async function assertInside(field: string, value: string, real: string): Promise<void> {
    const inside = (await realRoots).some((root) => real === root || real.startsWith(root + path.sep));
    if (!inside) {
      throw badInput(field, `${JSON.stringify(value)} is outside the data roots (${roots.join(", ")})`);
    }
  }

  return {
    roots,
    async resolveExisting(field, value, type) {
      if (!path.isAbsolute(value)) throw badInput(field, `${JSON.stringify(value)} must be an absolute path`);
      const real = await realpath(value).catch(() => null);
      if (!real) throw badInput(field, `${JSON.stringify(value)} does not exist`);
      await assertInside(field, value, real);
      const info = await stat(real);
      if (type === "file" ? !info.isFile() : !info.isDirectory()) {
        throw badInput(field, `${JSON.stringify(value)} is not a ${type}`);
      }
      return real;
    },
    async resolveNew(field, value) {
      if (!path.isAbsolute(value)) throw badInput(field, `${JSON.stringify(value)} must be an absolute path`);
      let existing = path.resolve(value);
      const missing: string[] = [];
      let real: string | null = null;
      while (!(real = await realpath(existing).catch(() => null))) {
        missing.unshift(path.basename(existing));
        const parent = path.dirname(existing);
        if (parent === existing) break;
        existing = parent;
      }
      const resolved = path.join(real ?? existing, ...missing);
      await assertInside(field, value, resolved);
      return resolved;
    },
  };
}
