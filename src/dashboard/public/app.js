// wa-gateway dashboard: sessions, QR linking, live events, send, contacts, webhooks, campaigns.
import { io } from '/ws/socket.io.esm.min.js';
import { $, api, ApiError, dateTimeOf, el, enc, guarded, keyStore, timeOf } from './api.js';
import { createCampaigns } from './campaigns.js';
import { createContacts } from './contacts.js';
import { createWebhooks } from './webhooks.js';

const STATE_LABELS = {
  connecting: 'connecting',
  qr_waiting: 'scan QR',
  connected: 'connected',
  disconnected: 'disconnected',
  logged_out: 'logged out',
};
const TICKS = { pending: '🕓', sent: '✓', delivered: '✓✓', read: '✓✓', played: '✓✓', failed: '!' };
const STATUS_ORDER = ['pending', 'sent', 'delivered', 'read', 'played'];
const MAX_LOG = 300;

/** sessionId -> {sessionId, name, status, userInfo, disconnectReason, connectedAt} */
const sessions = new Map();
let current = null;
let socket = null;
let qrTimer = null;
let paused = false;
let eventCount = 0;
const sent = new Map();
/** Statuses that arrived before the send's HTTP answer. */
const early = new Map();

/** What the key may do (GET /api-keys/current), so the page offers only that. */
let permissions = new Set();

const contacts = createContacts(() => current);
const webhooks = createWebhooks(() => current);
const campaigns = createCampaigns(
  () => current,
  () => permissions.has('send'),
);

// ---------- key ----------

async function signIn(key) {
  keyStore.set(key);
  $('login-error').textContent = '';
  try {
    permissions = await loadPermissions();
    await loadSessions();
  } catch (error) {
    keyStore.clear();
    $('login-error').textContent = error.status === 401 ? 'Invalid API key' : error.message;
    $('login').hidden = false;
    $('app').hidden = true;
    return;
  }
  $('login').hidden = true;
  $('app').hidden = false;
  $('signout').hidden = false;
  connectSocket(key);
}

$('login-form').addEventListener('submit', (event) => {
  event.preventDefault();
  signIn($('key').value.trim());
});
$('signout').addEventListener('click', () => {
  keyStore.clear();
  socket?.close();
  location.reload();
});

/** The key's permissions; a gateway without the route (404) leaves every check to the API. */
async function loadPermissions() {
  try {
    const body = await api('/api-keys/current');
    return new Set(body.data.permissions);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) {
      return new Set(['read', 'send', 'manage', 'admin']);
    }
    throw error;
  }
}

// ---------- sessions ----------

async function loadSessions() {
  const body = await api('/sessions/all');
  const seen = new Set();
  for (const row of body.data) {
    seen.add(row.sessionId);
    sessions.set(row.sessionId, { ...sessions.get(row.sessionId), ...row });
  }
  for (const id of [...sessions.keys()]) {
    if (!seen.has(id)) {
      sessions.delete(id);
    }
  }
  renderList();
  if (current && !sessions.has(current)) {
    select(null);
  } else if (!current && body.data.length > 0) {
    select(body.data[0].sessionId);
  }
}

function patchSession(sessionId, patch) {
  if (!sessions.has(sessionId)) {
    loadSessions().catch(() => undefined);
    return;
  }
  Object.assign(sessions.get(sessionId), patch);
  renderList();
  if (sessionId === current) {
    renderCurrent();
  }
}

function renderList() {
  const items = [...sessions.values()].map((s) =>
    el(
      'li',
      {},
      el(
        'button',
        {
          class: 'session-item',
          type: 'button',
          'data-session': s.sessionId,
          'aria-current': String(s.sessionId === current),
          onclick: () => select(s.sessionId),
        },
        el(
          'span',
          { class: 'meta' },
          el('span', { class: 'sid' }, s.name || s.sessionId),
          el(
            'span',
            { class: 'sub' },
            s.userInfo?.phoneNumber ? `+${s.userInfo.phoneNumber}` : s.sessionId,
          ),
        ),
        badge(s.status),
      ),
    ),
  );
  $('session-list').replaceChildren(...items);
  $('session-count').textContent = String(sessions.size);
  $('sessions-empty').hidden = sessions.size > 0;
}

function badge(state) {
  return el(
    'span',
    { class: 'badge', 'data-state': state },
    STATE_LABELS[state] ?? state ?? 'unknown',
  );
}

function select(sessionId) {
  current = sessionId;
  renderList();
  $('no-session').hidden = sessionId !== null;
  $('session-view').hidden = sessionId === null;
  $('sv-error').textContent = '';
  $('pair-code').textContent = '';
  contacts.reset();
  webhooks.reset();
  campaigns.reset();
  sent.clear();
  renderSent();
  renderLog();
  if (sessionId === null) {
    return;
  }
  renderCurrent();
  refreshCurrent();
  contacts.load();
  webhooks.load();
  campaigns.load();
}

/** Status (QR availability, last reason), the QR itself and the linked account, from REST. */
async function refreshCurrent() {
  const id = current;
  try {
    const [status, credentials] = await Promise.all([
      api(`/sessions/${enc(id)}/status`),
      api(`/sessions/${enc(id)}/credentials`).catch(() => null),
    ]);
    patchSession(id, {
      ...status.data,
      userInfo: credentials?.data?.userInfo ?? sessions.get(id)?.userInfo ?? null,
    });
    if (status.data.hasQr) {
      const qr = await api(`/sessions/${enc(id)}/qr`);
      if (id === current) {
        showQr(qr.data);
      }
    }
  } catch (error) {
    if (id === current) {
      $('sv-error').textContent = error.message;
    }
  }
}

function renderCurrent() {
  const s = sessions.get(current);
  if (!s) {
    return;
  }
  $('sv-title').textContent = s.name || s.sessionId;
  $('sv-sub').textContent = s.name ? `id ${s.sessionId}` : 'Session';
  $('sv-badge').dataset.state = s.status;
  $('sv-badge').textContent = STATE_LABELS[s.status] ?? s.status;
  const connected = s.status === 'connected';
  const info = s.userInfo;
  $('account').hidden = !connected || !info;
  if (info) {
    $('acc-phone').textContent = info.phoneNumber ? `+${info.phoneNumber}` : '—';
    $('acc-name').textContent = info.name ?? '—';
    $('acc-platform').textContent = info.platform ?? '—';
    $('acc-since').textContent = dateTimeOf(s.connectedAt);
  }
  if (s.status !== 'qr_waiting') {
    hideQr();
  }
  const reason = s.disconnectReason;
  $('sv-reason').hidden = connected || !reason;
  $('sv-reason').textContent = reason ? `Last disconnect: ${reason}` : '';
  const running = ['connecting', 'qr_waiting', 'connected'].includes(s.status);
  document.querySelector('[data-action=start]').disabled = running;
  document.querySelector('[data-action=stop]').disabled = !running;
  document.querySelector('[data-action=logout]').disabled = !connected;
}

function showQr({ qrCode, expiresAt }) {
  $('qr-box').hidden = false;
  $('qr-img').src = qrCode;
  clearInterval(qrTimer);
  const tick = () => {
    const left = Math.max(0, Math.round((new Date(expiresAt).getTime() - Date.now()) / 1000));
    $('qr-countdown').textContent =
      left > 0 ? `Expires in ${left} s` : 'Expired: waiting for a new code…';
  };
  tick();
  qrTimer = setInterval(tick, 1000);
}

function hideQr() {
  $('qr-box').hidden = true;
  clearInterval(qrTimer);
}

$('create-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const body = {};
  if ($('new-id').value.trim()) {
    body.sessionId = $('new-id').value.trim();
  }
  if ($('new-name').value.trim()) {
    body.name = $('new-name').value.trim();
  }
  guarded(
    $('create-error'),
    async () => {
      const created = await api('/sessions', { method: 'POST', body });
      $('create-form').reset();
      await loadSessions();
      select(created.data.sessionId);
    },
    event.submitter,
  );
});

document.querySelectorAll('[data-action]').forEach((button) =>
  button.addEventListener('click', () => {
    const action = button.dataset.action;
    const id = current;
    if (
      action === 'delete' &&
      !confirm(`Delete session ${id}? It is logged out and its auth state removed.`)
    ) {
      return;
    }
    if (action === 'logout' && !confirm(`Log out ${id}? The phone unlinks this device.`)) {
      return;
    }
    guarded(
      $('sv-error'),
      async () => {
        if (action === 'delete') {
          await api(`/sessions/${enc(id)}`, { method: 'DELETE' });
        } else {
          await api(`/sessions/${enc(id)}/${action}`, { method: 'POST' });
        }
        await loadSessions();
        if (sessions.has(id)) {
          await refreshCurrent();
        }
      },
      button,
    );
  }),
);

$('pair-form').addEventListener('submit', (event) => {
  event.preventDefault();
  guarded(
    $('sv-error'),
    async () => {
      const body = await api(`/sessions/${enc(current)}/pairing-code`, {
        method: 'POST',
        body: { phoneNumber: $('pair-phone').value.trim() },
      });
      $('pair-code').textContent = body.data.pairingCode;
    },
    event.submitter,
  );
});

// ---------- tabs ----------

const tabs = [...document.querySelectorAll('[role=tab]')];
tabs.forEach((tab) =>
  tab.addEventListener('click', () => {
    for (const other of tabs) {
      other.setAttribute('aria-selected', String(other === tab));
      $(other.getAttribute('aria-controls')).hidden = other !== tab;
    }
    if (tab.id === 'tab-webhooks') {
      webhooks.load();
    }
    if (tab.id === 'tab-campaigns') {
      campaigns.load();
    }
  }),
);

// ---------- send ----------

$('send-type').addEventListener('change', () => {
  $('file-field').hidden = $('send-type').value === 'text';
});

const readAsDataUrl = (file) =>
  new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result);
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });

$('send-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const type = $('send-type').value;
  const body = { to: $('send-to').value.trim(), type };
  const text = $('send-text').value;
  guarded(
    $('send-result'),
    async () => {
      if (type === 'text') {
        body.message = text;
      } else {
        const file = $('send-file').files[0];
        if (!file) {
          throw new Error('Choose a file to send');
        }
        body.media = await readAsDataUrl(file);
        body.fileName = file.name;
        if (file.type) {
          body.mimetype = file.type;
        }
        if (text) {
          body.caption = text;
        }
      }
      const result = await api(`/sessions/${enc(current)}/messages`, { method: 'POST', body });
      const m = result.data;
      const seen = early.get(m.messageId);
      early.delete(m.messageId);
      sent.set(m.messageId, {
        ...m,
        type,
        caption: body.caption,
        fileName: body.fileName,
        status: seen ? later(m.status, seen) : m.status,
      });
      renderSent();
      $('send-result').textContent = 'Sent';
      $('send-text').value = '';
    },
    event.submitter,
  );
});

$('check-btn').addEventListener('click', (event) =>
  guarded(
    $('send-result'),
    async () => {
      const to = $('send-to').value.trim();
      if (!to) {
        throw new Error('Type a number to check');
      }
      const body = await api(`/sessions/${enc(current)}/check/${enc(to)}`);
      $('send-result').textContent = body.data.exists
        ? `${body.data.normalized} is on WhatsApp`
        : `${body.data.normalized} is not on WhatsApp`;
    },
    event.currentTarget,
  ),
);

const later = (a, b) => (STATUS_ORDER.indexOf(b) > STATUS_ORDER.indexOf(a) ? b : a);

function renderSent() {
  const rows = [...sent.values()]
    .reverse()
    .map((m) =>
      el(
        'tr',
        { 'data-message': m.messageId },
        el('td', {}, m.to),
        el(
          'td',
          {},
          ...(m.type && m.type !== 'text'
            ? [el('span', { class: 'pill' }, m.type), ' ', m.caption || m.fileName || '']
            : [m.message ?? '']),
        ),
        el('td', {}, timeOf(m.timestamp)),
        el(
          'td',
          {},
          el(
            'span',
            { class: 'ticks', 'data-status': m.status, title: m.status },
            TICKS[m.status] ?? '',
            el('span', { class: 'word' }, m.status),
          ),
        ),
      ),
    );
  $('sent-rows').replaceChildren(...rows);
  $('sent-empty').hidden = rows.length > 0;
}

// ---------- socket.io ----------

function connectSocket(key) {
  socket = io(location.origin, {
    path: '/ws',
    auth: { token: key },
    transports: ['websocket', 'polling'],
  });
  let connectedBefore = false;
  socket.on('connect', () => {
    setLive(true);
    if (connectedBefore && current) {
      // progress missed while offline
      campaigns.load();
    }
    connectedBefore = true;
  });
  socket.on('disconnect', () => setLive(false));
  socket.on('connect_error', (error) => {
    setLive(false, error.message === 'Invalid API key' ? 'Invalid API key' : 'offline');
  });
  socket.on('qr_code', (e) => {
    patchSession(e.sessionId, { status: 'qr_waiting' });
    if (e.sessionId === current) {
      showQr(e);
    }
  });
  socket.on('session_status', (e) => {
    patchSession(e.sessionId, {
      status: e.status,
      disconnectReason: e.disconnectReason ?? null,
      connectedAt: e.connectedAt ?? null,
    });
  });
  socket.on('session_connected', (e) =>
    patchSession(e.sessionId, {
      status: 'connected',
      userInfo: e.userInfo,
      connectedAt: e.connectedAt,
    }),
  );
  socket.on('session_updated', (e) => patchSession(e.sessionId, { userInfo: e.userInfo }));
  socket.on('session_disconnected', (e) =>
    patchSession(e.sessionId, { disconnectReason: e.reason ?? null }),
  );
  socket.on('message_status', (e) => {
    const m = sent.get(e.messageId);
    if (e.sessionId === current && !m) {
      early.set(e.messageId, later(early.get(e.messageId) ?? 'pending', e.status));
    }
    if (e.sessionId === current && m) {
      m.status = e.status === 'failed' ? 'failed' : later(m.status, e.status);
      renderSent();
    }
  });
  socket.on('grab_progress', (e) => e.sessionId === current && contacts.onProgress(e));
  socket.on('grab_completed', (e) => e.sessionId === current && contacts.onCompleted(e));
  socket.on('campaign_progress', (e) => e.sessionId === current && campaigns.onProgress(e));
  socket.onAny((name, payload) => logEvent(name, payload));
}

function setLive(on, text) {
  $('live').dataset.state = on ? 'on' : 'off';
  $('live').textContent = text ?? (on ? 'live' : 'offline');
}

// ---------- live events ----------

const log = [];

function kindOf(name) {
  if (name.startsWith('message_received') || name === 'message_sent') {
    return 'message';
  }
  if (name.startsWith('message_') || name === 'chat_presence') {
    return 'status';
  }
  if (name.startsWith('grab_') || name.startsWith('campaign_')) {
    return 'grab';
  }
  return 'session';
}

function summary(name, p) {
  if (!p || typeof p !== 'object') {
    return '';
  }
  switch (name) {
    case 'message_received': {
      const m = p.message ?? {};
      const who = m.pushName
        ? `${m.pushName} (${m.senderPhone ?? m.from})`
        : (m.senderPhone ?? m.from);
      const chat = (m.chat ?? '').replace(/@.*$/, '');
      return `${m.fromMe ? `me → ${chat}` : who}: ${m.text ?? `[${m.type}]`}`;
    }
    case 'message_sent':
      return `to ${p.to}: ${p.message ?? `[${p.type}]`}`;
    case 'message_status':
      return `${p.messageId} → ${p.status}`;
    case 'chat_presence':
      return `${p.chat ?? p.from ?? ''} ${p.presence ?? p.state ?? ''}`.trim();
    case 'grab_progress':
      return `${p.phase} ${p.done}/${p.total}`;
    case 'grab_completed':
      return `${p.totalGroups ?? 0} groups, ${p.totalContacts ?? 0} contacts, ${p.savedCount} saved`;
    case 'campaign_progress': {
      const c = p.counts ?? {};
      const done = (p.total ?? 0) - (c.pending ?? 0) - (c.queued ?? 0);
      return `campaign ${p.campaignId} ${p.state} ${done}/${p.total}`;
    }
    case 'qr_code':
      return `new QR code, expires ${timeOf(p.expiresAt)}`;
    case 'session_status':
      return `${p.previousStatus ? `${p.previousStatus} → ` : ''}${p.status}${p.reason ? ` (${p.reason})` : ''}`;
    case 'session_connected':
    case 'session_updated':
      return p.userInfo ? `+${p.userInfo.phoneNumber} ${p.userInfo.name ?? ''}` : '';
    case 'session_disconnected':
      return p.reason ?? '';
    default:
      return JSON.stringify(p).slice(0, 200);
  }
}

function logEvent(name, payload) {
  if (paused) {
    return;
  }
  log.push({
    at: new Date(),
    name,
    sessionId: payload?.sessionId ?? null,
    text: summary(name, payload),
  });
  if (log.length > MAX_LOG) {
    log.shift();
  }
  eventCount += 1;
  $('event-count').textContent = String(eventCount);
  renderLog();
}

function renderLog() {
  const filter = $('ev-filter').value.trim().toLowerCase();
  const all = $('ev-all').checked;
  const rows = log
    .filter((e) => all || e.sessionId === current || e.sessionId === null)
    .filter((e) => !filter || `${e.name} ${e.text}`.toLowerCase().includes(filter))
    .slice(-150)
    .reverse()
    .map((e) =>
      el(
        'li',
        { 'data-event': e.name },
        el('time', { datetime: e.at.toISOString() }, e.at.toLocaleTimeString()),
        el(
          'span',
          { class: 'ev', 'data-kind': kindOf(e.name) },
          all && e.sessionId ? `${e.name} · ${e.sessionId}` : e.name,
        ),
        el('span', { class: 'text' }, e.text),
      ),
    );
  $('ev-log').replaceChildren(...rows);
  $('ev-empty').hidden = rows.length > 0;
}

$('ev-filter').addEventListener('input', renderLog);
$('ev-all').addEventListener('change', renderLog);
$('ev-clear').addEventListener('click', () => {
  log.length = 0;
  renderLog();
});
$('ev-pause').addEventListener('click', () => {
  paused = !paused;
  $('ev-pause').setAttribute('aria-pressed', String(paused));
  $('ev-pause').textContent = paused ? 'Resume' : 'Pause';
});

// ---------- boot ----------

if (keyStore.get()) {
  signIn(keyStore.get());
}
