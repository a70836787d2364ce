/**
 * Per-client limits and caps lifted for the app-level tests: every client of a test is 127.0.0.1, so the
 * defaults (CHAT_SOCKETS_PER_ADDRESS 32, SERVE_REPLIES_PER_ADDRESS 8…) would count fifty test clients as one
 * abuser, and many tests make replies long on purpose (maxTokens 200–512, ignoreEos) to act on them while they
 * stream. The specs of the limits themselves set them back (test/chat/serving-limits.spec.ts).
 */
export const PERMISSIVE_LIMITS: Record<string, string> = {
  CHAT_MAX_TOKENS: '512',
  CHAT_MAX_BEAM_WIDTH: '16',
  CHAT_MAX_CANDIDATES: '32',
  CHAT_MAX_COMPARE: '4',
  CHAT_IGNORE_EOS: 'true',
  CHAT_SOCKETS_PER_ADDRESS: '100000',
  CHAT_CONVERSATIONS_PER_MINUTE: '100000',
  SERVE_REPLIES_PER_ADDRESS: '100000',
};
