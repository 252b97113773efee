// Archived catalogue entries (datasets, transfer methods) stay readable and restorable,
// but take no new work until restored: the launch checks refuse them with this message.
export function archivedMessage(what: "dataset" | "transfer method", name: string, restoreMutation: string): string {
  const cli = what === "dataset" ? "dataset" : "method";
  return `${what} ${name} is archived; restore it first (${restoreMutation}, CLI: realismlab restore ${cli} ${JSON.stringify(name)})`;
}
