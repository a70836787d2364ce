/**
 * The service's test apps decode greedily (DEFAULT_DECODING): the end-to-end specs pin replies that stream token by
 * token and can be cancelled mid-way, while the default beam search streams its best hypothesis once it ends. The
 * beam default itself is checked in src/config, src/chat/chat.service.spec.ts and src/openai-api/choice-plan.spec.ts.
 */
export const GREEDY_REPLIES = '{"strategy":"greedy"}';
