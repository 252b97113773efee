// Recognising database errors that are really user errors.
export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; cause?: { code?: string }; meta?: { driverAdapterError?: { cause?: { kind?: string } } } };
  return e?.code === "P2002" || e?.code === "23505" || e?.meta?.driverAdapterError?.cause?.kind === "UniqueConstraintViolation";
}

/** A deadlock (40P01) or serialization failure (40001): the transaction may simply be run again. */
export function isRetryableConflict(error: unknown): boolean {
  const e = error as { code?: string; cause?: { code?: string; originalCode?: string }; meta?: { driverAdapterError?: { cause?: { kind?: string; originalCode?: string } } } };
  const adapter = e?.meta?.driverAdapterError?.cause;
  return (
    e?.code === "P2034" ||
    e?.code === "40001" ||
    e?.code === "40P01" ||
    adapter?.kind === "TransactionWriteConflict" ||
    adapter?.originalCode === "40001" ||
    adapter?.originalCode === "40P01"
  );
}
