// The data roots as a remote node sees them. The server checked every path at launch,
// so a path missing here means the node does not share that filesystem path with the
// server: the error says so, naming the path, instead of a bare "does not exist".
import { lstat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createDataPaths, type DataPaths } from "../../services/data-paths";

export class NotSharedPath extends Error {
  override name = "NotSharedPath";
}

export function notSharedMessage(field: string, value: string, host = os.hostname()): string {
  return `${field}: ${value} does not exist on ${host}: the cluster shares no filesystem path with the server there (the server saw it at launch); mount it at the same path on the nodes`;
}

export function sharedDataPaths(roots: readonly string[], host = os.hostname()): DataPaths {
  const local = createDataPaths(roots);
  const exists = (value: string) => lstat(value).then(() => true, () => false);
  return {
    roots,
    async resolveExisting(field, value, type) {
      if (path.isAbsolute(value) && !(await exists(value))) throw new NotSharedPath(notSharedMessage(field, value, host));
      return local.resolveExisting(field, value, type);
    },
    async resolveNew(field, value) {
      // An output folder may not exist yet, but its data root must (else the node writes where the server never reads).
      const root = roots.find((r) => value === r || value.startsWith(r.endsWith(path.sep) ? r : r + path.sep));
      if (root && !(await exists(root))) throw new NotSharedPath(notSharedMessage(`${field} (its data root)`, root, host));
      return local.resolveNew(field, value);
    },
  };
}
