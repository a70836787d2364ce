/**
 * Every code an AppError carries, in one list. Codes are stable (clients, scripts and tests branch on them): never
 * rename one. Lower-case codes are met by clients of the chat, admin and /v1 APIs, each mapped to its wire shape in
 * error-responses.ts (docs/websocket-protocol.md lists the socket's). UPPER_CASE codes name a file, a setting or an
 * engine state; operators meet them (the command line, start-up, logs, a training run's error), and a client sees
 * them only as `internal` (or, for MODEL_NOT_LOADED, `model_not_found`).
 */
export const ERROR_CODES = [
  // Any API
  'invalid_input', // a field is missing, malformed or out of range; meta.field names the first one
  'unauthorized', // missing or wrong credentials (the admin token)
  'not_found', // a row nobody else has a code for (training run, comparison), or an admin route while that API is off
  'conflict', // valid, but it clashes with the current state (e.g. deleting the active model)
  'unavailable', // the database cannot be reached right now: the same request succeeds once it is back
  'shutting_down', // this instance is stopping: retry on another
  'internal', // not an AppError: a bug or an outage; logged, and its message never reaches a client
  // Models
  'model_not_found', // unknown version, a kind with no active version, or a version the caller may not use
  'model_unusable', // the version's files fail to load (meta.reason: its file code)
  // Chat (socket)
  'unknown_event',
  'text_empty',
  'text_too_long', // meta.max
  'conversation_not_found',
  'invalid_token', // the resume token does not match the conversation
  'not_authorized', // this connection has not started or resumed the conversation
  'reply_not_found',
  'reply_in_progress', // meta.replyIds
  'conversation_full', // meta.maxTurns
  'rate_limited', // meta.retryAfterMs
  'too_many_conversations', // this client address started meta.max conversations in the last minute; meta.retryAfterMs
  'too_many_sockets', // this client address holds meta.max chat sockets already
  // Serving limits, shared by the socket chat and /v1 (src/serving)
  'over_limit', // a setting over a server-side cap; meta.field names it, meta.max is the cap (false: not allowed)
  'server_busy', // the reply queue is full; meta.retryAfterMs
  'too_many_replies', // this client address has meta.max replies decoding or waiting; meta.retryAfterMs
  // OpenAI-compatible API
  'invalid_api_key',
  // Files, settings, engine state
  'MODEL_NOT_LOADED',
  'DECODER_THREAD_EXITED', // the decoder thread of a reply died (the reply is lost; another thread takes its place)
  'DECODER_THREADS_DOWN', // no decoder thread could start
  'MODEL_FILE_MISSING',
  'MODEL_FILE_CORRUPT',
  'MODEL_CHECKSUM_MISMATCH',
  'MODEL_FORMAT_UNSUPPORTED',
  'TOKENIZER_FILE_MISSING',
  'TOKENIZER_FILE_CORRUPT',
  'CORPUS_FORMAT_UNKNOWN',
  'CORPUS_LINE_MALFORMED',
  'EMBEDDINGS_FILE_INVALID',
  'EMBEDDINGS_MISMATCH', // word vectors of another width than the model's embeddings
  'TRAINING_DATA_EMPTY',
  'BASE_MODEL_MISMATCH', // fine-tuning a model as another kind
  'CHECKPOINT_MISSING',
  'CHECKPOINT_MISMATCH', // a checkpoint whose optimizer moments are not the model's parameters
  'LABEL_FILE_INVALID',
  'BLEU_UNDEFINED',
  'CONFIG_INVALID',
  'BACKEND_UNAVAILABLE', // TF_BACKEND's tensor backend cannot start on this machine
  'DATA_DIR_IN_USE',
  'DATA_DIR_NOT_WRITABLE',
  'USAGE', // a command line the CLI cannot run
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];
