/** Row ids are UUIDs: anything else can be answered "not found" without asking the database. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(id: unknown): id is string {
  return typeof id === 'string' && UUID.test(id);
}

/**
 * The one spelling of an id inside the service: UUIDs lower-case. PostgreSQL compares uuid columns without regard
 * to case, but the in-memory keys (socket rooms, the reply-in-progress map, caches) do not, so every border
 * (websocket payloads, admin route parameters) canonicalizes before anything else sees the id (issue 22).
 */
export function canonicalId(id: string): string {
  return isUuid(id) ? id.toLowerCase() : id;
}
