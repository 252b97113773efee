// Row ids are Postgres uuids: a key that is not one cannot name a row, so look-ups answer
// "no such row" for it without a query (Postgres would reject it as invalid input, an error
// that must not be confused with a failing database).
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isUuid = (value: unknown): value is string => typeof value === "string" && UUID.test(value);

/** The keys that can name a row. */
export const uuidsOf = (ids: readonly string[]): string[] => ids.filter(isUuid);
