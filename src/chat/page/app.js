// The chat page: plain browser JavaScript, no build step. Protocol: docs/websocket-protocol.md.
'use strict';
(() => {
  const STORAGE_KEY = 'hred-chat:conversation';
  const TRAINING_KEY = 'hred-chat:training'; // the person's last choice, for the conversations they start next
  const ACK_TIMEOUT_MS = 15000;
  const FINISH_LABELS = { eos: '', length: 'cut at the token limit', cancelled: 'stopped', error: 'failed', interrupted: 'interrupted' };
  const $ = (id) => document.getElementById(id);
  const ui = {
    transcript: $('transcript'), empty: $('empty'), composer: $('composer'), message: $('message'), send: $('send'), stop: $('stop'),
    error: $('error'), connection: $('connection'), settings: $('settings'), model: $('model'), compare: $('compare'), strategy: $('strategy'),
    earlier: $('earlier'), training: $('training'),
  };
  ui.training.checked = localStorage.getItem(TRAINING_KEY) !== 'false';

  // Websocket only: every packet is its own browser task, so an ack is handled before the reply:start that follows it.
  const socket = io('/chat', { transports: ['websocket'] });
  let conversation = loadConversation(); // { id, token, compare }
  const exchanges = new Map(); // user turn index → { item, replies }
  const replies = new Map(); // replyId → { node, exchange }
  const streaming = new Set();
  let pending = null; // the exchange of a message sent but not acknowledged yet
  let nextBefore; // the `before` of the page of older turns not shown yet (undefined: all are shown)
  let topPlaceholder = null; // the shown page began with replies whose user turn is on the page before it

  // ---------- protocol ----------

  /** Emits with an ack; an error ack throws an Error with its code. Only timeouts are retried, and only when safe. */
  async function request(event, payload, { retries = 0 } = {}) {
    for (let attempt = 0; ; attempt++) {
      let ack;
      try {
        ack = await socket.timeout(ACK_TIMEOUT_MS).emitWithAck(event, payload);
      } catch (timeout) {
        if (attempt < retries) continue;
        throw Object.assign(new Error('The server did not answer. Check your connection and try again.'), { code: 'timeout' });
      }
      if (!ack.ok) throw Object.assign(new Error(ack.error.message), { code: ack.error.code, meta: ack.error.meta });
      return ack;
    }
  }

  socket.on('connect', async () => {
    setConnection('Connected');
    // A new connection is not in the conversation's room yet: resume joins it (and catches up on missed turns).
    if (conversation) await resume().catch(showError);
  });
  socket.on('disconnect', () => setConnection('Disconnected, reconnecting…'));
  // A refusal by the server (too many tabs from this address) is not retried by socket.io: say what to do.
  socket.on('connect_error', (error) =>
    setConnection(error.data?.code === 'too_many_sockets' ? 'Too many chat tabs are open from your address: close one, then reload.' : 'Cannot reach the server, retrying…'),
  );

  socket.on('reply:start', (e) => {
    // A resume during the reply may already have listed it.
    if (e.conversationId !== conversation?.id || replies.has(e.replyId)) return;
    addReply(ensureExchange(e.turnIndex), { replyId: e.replyId, model: e.model, text: '', finishReason: null });
  });
  socket.on('reply:token', (e) => {
    const reply = replies.get(e.replyId);
    if (!reply) return;
    const follow = nearBottom();
    reply.node.querySelector('.text').textContent = e.text;
    if (follow) scrollToEnd();
  });
  socket.on('reply:end', (e) => {
    const reply = replies.get(e.replyId);
    if (!reply) return;
    reply.node.querySelector('.text').textContent = e.text;
    finishReply(reply.node, e.replyId, e.finishReason, `${e.tokens} tokens · first ${e.firstTokenMs ?? '–'} ms · total ${e.totalMs} ms`);
  });

  async function startConversation() {
    const ack = await request('conversation:start', { ...readSettings(), training: ui.training.checked });
    conversation = { id: ack.conversationId, token: ack.resumeToken, compare: ack.models.length > 1 };
    ui.training.checked = ack.training;
    localStorage.setItem(STORAGE_KEY, JSON.stringify(conversation));
    ui.message.maxLength = ack.limits.maxMessageChars;
    setConnection(`Connected · ${ack.models.map(modelLabel).join(' vs ')}`);
  }

  async function resume() {
    try {
      const { conversation: c, limits } = await request('conversation:resume', { conversationId: conversation.id, resumeToken: conversation.token }, { retries: 1 });
      conversation.compare = c.settings.models.length > 1;
      ui.message.maxLength = limits.maxMessageChars;
      writeSettings(c.settings);
      ui.training.checked = c.training;
      clearTranscript();
      renderTurns(c.turns, null);
      setEarlier(c.nextBefore);
      scrollToEnd();
    } catch (error) {
      if (error.code !== 'conversation_not_found' && error.code !== 'invalid_token') throw error;
      forgetConversation(); // deleted, or the token is stale: start afresh with the next message
    }
  }

  async function sendMessage() {
    const text = ui.message.value.trim();
    if (!text || streaming.size > 0) return;
    showError(null);
    pending = createExchange(text);
    ui.message.value = '';
    try {
      if (!conversation) await startConversation();
      // The same clientMessageId on a retry: the server stores the message once.
      const message = { conversationId: conversation.id, text, clientMessageId: crypto.randomUUID() };
      const ack = await request('message:send', message, { retries: 2 });
      ensureExchange(ack.turnIndex);
    } catch (error) {
      pending?.item.remove();
      pending = null;
      ui.message.value = text;
      showError(error);
    } finally {
      updateControls();
    }
  }

  /** Opts the conversation out of retraining, or back in; before one exists, the choice goes with conversation:start. */
  async function setTraining() {
    const training = ui.training.checked;
    localStorage.setItem(TRAINING_KEY, String(training));
    if (!conversation) return;
    showError(null);
    try {
      await request('conversation:training', { conversationId: conversation.id, training }, { retries: 1 });
    } catch (error) {
      ui.training.checked = !training;
      showError(error);
    }
  }

  function stopReplies() {
    for (const replyId of streaming) request('reply:cancel', { conversationId: conversation.id, replyId }).catch(() => {}); // it may just have ended
  }

  async function rate(replyId, node, rating, preferred) {
    try {
      await request('feedback', { conversationId: conversation.id, replyId, rating, ...(preferred ? { preferred: true } : {}) }, { retries: 1 });
      node.querySelector('.up').setAttribute('aria-pressed', String(rating === 1));
      node.querySelector('.down').setAttribute('aria-pressed', String(rating === -1));
      if (preferred) {
        for (const other of node.parentElement.children) {
          other.classList.toggle('preferred', other === node);
          other.querySelector('.better').setAttribute('aria-pressed', String(other === node));
        }
      }
    } catch (error) {
      showError(error);
    }
  }

  // ---------- transcript ----------

  /** A new exchange at the end of the transcript, or before `anchor` (earlier turns). */
  function createExchange(text, anchor = null) {
    const item = document.createElement('li');
    item.className = 'exchange';
    const user = document.createElement('p');
    user.className = 'user';
    user.textContent = text;
    const group = document.createElement('div');
    group.className = conversation?.compare ? 'replies compare' : 'replies';
    item.append(user, group);
    ui.transcript.insertBefore(item, anchor);
    ui.empty.hidden = true;
    if (!anchor) scrollToEnd();
    return { item, user, replies: group };
  }

  /** The exchange of user turn `index`: the one waiting for its ack if any, else an existing or new one. */
  function ensureExchange(index) {
    let exchange = exchanges.get(index);
    if (!exchange) {
      exchange = pending ?? createExchange('');
      pending = null;
      exchanges.set(index, exchange);
    }
    return exchange;
  }

  /**
   * Stored turns (a page, oldest first) as exchanges inserted before `anchor` (null: at the end). A page that begins
   * with replies gets an exchange without user text, which the page before it fills when it is loaded.
   */
  function renderTurns(turns, anchor) {
    let current = null;
    turns.forEach((turn, i) => {
      if (turn.speaker === 'user') {
        const fillsPlaceholder = anchor !== null && topPlaceholder !== null && i === turns.length - 1;
        current = fillsPlaceholder ? topPlaceholder : createExchange('', anchor);
        if (fillsPlaceholder) topPlaceholder = null;
        current.user.textContent = turn.text;
        exchanges.set(turn.index, current);
      } else {
        if (!current) current = topPlaceholder = createExchange('', anchor);
        addReply(current, turn);
      }
    });
  }

  function setEarlier(before) {
    nextBefore = before;
    ui.earlier.hidden = before === undefined;
  }

  async function showEarlier() {
    try {
      const page = await request('conversation:history', { conversationId: conversation.id, before: nextBefore, limit: 50 }, { retries: 1 });
      renderTurns(page.turns, ui.transcript.firstElementChild);
      setEarlier(page.nextBefore);
    } catch (error) {
      showError(error);
    }
  }

  function addReply(exchange, { replyId, model, text, finishReason }) {
    const node = $('reply-template').content.firstElementChild.cloneNode(true);
    node.querySelector('.model').textContent = model ? modelLabel(model) : 'model removed';
    node.querySelector('.text').textContent = text;
    const better = node.querySelector('.better');
    better.hidden = !conversation?.compare;
    node.querySelector('.up').addEventListener('click', () => rate(replyId, node, 1));
    node.querySelector('.down').addEventListener('click', () => rate(replyId, node, -1));
    better.addEventListener('click', () => rate(replyId, node, 1, true));
    exchange.replies.classList.toggle('compare', Boolean(conversation?.compare));
    exchange.replies.append(node);
    replies.set(replyId, { node, exchange });
    if (finishReason === null) {
      streaming.add(replyId);
      updateControls();
    } else {
      finishReply(node, replyId, finishReason, '');
    }
    if (nearBottom()) scrollToEnd();
  }

  function finishReply(node, replyId, finishReason, detail) {
    node.setAttribute('aria-busy', 'false'); // the live region reads the whole reply now, not token by token
    node.querySelector('.status').textContent = [FINISH_LABELS[finishReason], detail].filter(Boolean).join(' · ');
    streaming.delete(replyId);
    updateControls();
  }

  function clearTranscript() {
    ui.transcript.replaceChildren();
    setEarlier(undefined);
    topPlaceholder = null;
    exchanges.clear();
    replies.clear();
    streaming.clear();
    pending = null;
    ui.empty.hidden = false;
    updateControls();
  }

  // ---------- settings and controls ----------

  function readSettings() {
    const number = (id) => Number($(id).value);
    const strategy = ui.strategy.value;
    const decoding = { strategy };
    if (strategy === 'sample') Object.assign(decoding, { temperature: number('temperature'), topK: number('topK'), topP: number('topP') });
    if (strategy === 'beam') decoding.beamWidth = number('beamWidth');
    if ($('maxTokens').value) decoding.maxTokens = number('maxTokens');
    return ui.compare.checked ? { compare: ['hred', 'vhred'], decoding } : { model: ui.model.value, decoding };
  }

  /** Shows a resumed conversation's settings (a pinned version id is shown as its kind's choice). */
  function writeSettings({ models, decoding }) {
    ui.compare.checked = models.length > 1;
    if (models.length === 1 && [...ui.model.options].some((o) => o.value === models[0])) ui.model.value = models[0];
    ui.strategy.value = decoding.strategy ?? 'greedy';
    for (const key of ['temperature', 'topK', 'topP', 'beamWidth', 'maxTokens']) if (decoding[key] !== undefined) $(key).value = decoding[key];
    updateControls();
  }

  function updateControls() {
    for (const group of document.querySelectorAll('[data-for]')) group.hidden = group.dataset.for !== ui.strategy.value;
    ui.model.disabled = ui.compare.checked;
    ui.send.disabled = streaming.size > 0;
    ui.stop.hidden = streaming.size === 0;
  }

  function forgetConversation() {
    conversation = null;
    localStorage.removeItem(STORAGE_KEY);
    clearTranscript();
  }

  function loadConversation() {
    try {
      return JSON.parse(localStorage.getItem(STORAGE_KEY) ?? 'null');
    } catch {
      return null;
    }
  }

  const modelLabel = (model) => `${model.kind ? model.kind.toUpperCase() : 'model'}${model.name ? ` · ${model.name}` : ''}`;
  const setConnection = (text) => (ui.connection.textContent = text);
  const nearBottom = () => window.innerHeight + window.scrollY >= document.body.scrollHeight - 80;
  const scrollToEnd = () => window.scrollTo(0, document.body.scrollHeight);

  function showError(error) {
    if (!error) return void (ui.error.textContent = '');
    const later = 'Send it again in a few seconds.';
    const advice = { rate_limited: 'Slow down a little.', reply_in_progress: 'Wait for the reply, or stop it.', model_not_found: 'Pick another model.', server_busy: later, too_many_replies: later };
    ui.error.textContent = [error.message, advice[error.code]].filter(Boolean).join(' ');
  }

  ui.composer.addEventListener('submit', (event) => {
    event.preventDefault();
    sendMessage();
  });
  ui.message.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      sendMessage();
    }
  });
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && streaming.size > 0) stopReplies();
  });
  ui.stop.addEventListener('click', stopReplies);
  ui.earlier.addEventListener('click', showEarlier);
  ui.training.addEventListener('change', setTraining);
  ui.strategy.addEventListener('change', updateControls);
  ui.compare.addEventListener('change', updateControls);
  ui.settings.addEventListener('submit', async (event) => {
    event.preventDefault();
    showError(null);
    forgetConversation();
    await startConversation().catch(showError);
    ui.message.focus();
  });

  updateControls();
})();
