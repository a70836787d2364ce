/**
 * Query parameters whose value is a credential: tokens (token, access_token, resumeToken…), keys, passwords, secrets,
 * signatures, sessions (engine.io's polling `sid` lets its holder act as that connection).
 */
const SECRET_NAME = /token|secret|passw|api[-_]?key|^key$|auth|signature|^sig$|^sid$|session|credential/i;

/**
 * A request URL with the values of credential-like query parameters replaced by [redacted], everything else as sent.
 * The request log redacts headers by path; a secret in the URL is not under any header (issue 22).
 */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const pairs = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      return eq >= 0 && SECRET_NAME.test(decodeName(pair.slice(0, eq))) ? `${pair.slice(0, eq)}=[redacted]` : pair;
    });
  return `${url.slice(0, q)}?${pairs.join('&')}`;
}

/** The same for a parsed query object (Express's req.query). */
export function redactQuery(query: unknown): unknown {
  if (!query || typeof query !== 'object') return query;
  return Object.fromEntries(Object.entries(query).map(([name, value]) => [name, SECRET_NAME.test(name) ? '[redacted]' : value]));
}

function decodeName(raw: string): string {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    return raw; // a malformed escape: matched as written
  }
}
