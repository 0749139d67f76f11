// Campaigns tab: create one (stored contacts or an uploaded CSV/XLSX), live progress from
// campaign_progress, pause/resume/cancel, the recipients and the report as CSV or XLSX.
import { $, api, dateTimeOf, download, el, enc, guarded } from './api.js';

/** The commands and the campaign states they apply in (as the API allows them). */
const COMMANDS = [
  { action: 'pause', label: 'Pause', from: ['running', 'scheduled'] },
  { action: 'resume', label: 'Resume', from: ['paused'] },
  { action: 'cancel', label: 'Cancel', from: ['running', 'scheduled', 'paused'], danger: true },
];
/** Counts shown per campaign; `queued` (claimed, on its way) is shown with pending. */
const COUNTS = ['pending', 'sent', 'delivered', 'read', 'failed', 'skipped'];
const RECIPIENT_STATES = ['pending', 'queued', 'sent', 'delivered', 'read', 'failed', 'skipped'];
const PAUSE_REASONS = { user: 'by a user', session_offline: 'session offline' };
const LIST_SIZE = 50;
const RECIPIENTS_PER_PAGE = 20;
/** An open recipients table, and the list for unknown campaigns, follow progress at most this often. */
const REFRESH_MS = 1000;

export function createCampaigns(getSession, canSend) {
  /** campaign id -> {view, node, parts, recipients: {state, page, timer} | null} */
  const items = new Map();
  let groupsOf = null;
  /** A reload for progress of a campaign not listed (new elsewhere, or older than the list). */
  let reloadTimer = null;

  const base = () => `/sessions/${enc(getSession())}/campaigns`;

  async function load() {
    const session = getSession();
    if (!session) {
      return;
    }
    applyPermissions();
    const body = await guarded($('cp-result'), () => api(`${base()}?per_page=${LIST_SIZE}`));
    if (!body || session !== getSession()) {
      return;
    }
    const seen = new Set(body.data.map((view) => view.id));
    for (const id of [...items.keys()]) {
      if (!seen.has(id)) {
        clearTimeout(items.get(id).recipients?.timer);
        items.delete(id);
      }
    }
    for (const view of body.data) {
      upsert(view);
    }
    renderList();
    if (items.size === 0 && canSend()) {
      $('cp-new').open = true;
    }
    loadGroups(session);
  }

  function applyPermissions() {
    $('cp-new').hidden = !canSend();
    $('cp-readonly').hidden = canSend();
  }

  /** The stored groups, for "members of group" (once per session). */
  async function loadGroups(session) {
    if (groupsOf === session || !canSend()) {
      return;
    }
    groupsOf = session;
    const body = await api(`/api/sessions/${enc(session)}/contacts?type=group&per_page=500`).catch(
      () => null,
    );
    if (!body || session !== getSession()) {
      return;
    }
    $('cp-group').replaceChildren(
      el('option', { value: '' }, 'Any'),
      ...body.data.contacts.map((group) =>
        el('option', { value: group.contact_id }, group.name ?? group.contact_id),
      ),
    );
  }

  function upsert(view) {
    const item = items.get(view.id);
    if (item) {
      item.view = { ...item.view, ...view };
      update(item);
      return item;
    }
    const created = build(view);
    items.set(view.id, created);
    update(created);
    return created;
  }

  function renderList() {
    const ordered = [...items.values()].sort((a, b) => Number(b.view.id) - Number(a.view.id));
    $('cp-list').replaceChildren(...ordered.map((item) => item.node));
    $('cp-empty').hidden = items.size > 0;
  }

  /** A campaign's row: built once, updated in place so an open recipients table stays open. */
  function build(view) {
    const parts = {
      badge: el('span', { class: 'badge', role: 'status' }),
      detail: el('p', { class: 'small muted' }),
      progress: el('progress', { max: 1, value: 0, 'aria-label': `Progress of ${view.name}` }),
      numbers: el('span', { class: 'small cp-numbers' }),
      counts: el('ul', { class: 'cp-counts', 'aria-label': `Recipient counts of ${view.name}` }),
      commands: {},
      result: el('span', { class: 'small', role: 'status' }),
      recipients: el('div', { class: 'cp-recipients', hidden: true }),
    };
    const item = { view, parts, recipients: null };
    if (canSend()) {
      for (const command of COMMANDS) {
        parts.commands[command.action] = el(
          'button',
          {
            class: command.danger ? 'btn small danger' : 'btn small',
            type: 'button',
            onclick: (e) => run(item, command, e.currentTarget),
          },
          command.label,
        );
      }
    }
    const report = (format) =>
      el(
        'button',
        {
          class: 'btn small',
          type: 'button',
          'aria-label': `Download the report of ${view.name} as ${format.toUpperCase()}`,
          onclick: () =>
            download(
              `${base()}/${enc(item.view.id)}/recipients?format=${format}`,
              `campaign-${item.view.id}-report.${format}`,
              parts.result,
            ),
        },
        `Report ${format.toUpperCase()}`,
      );
    item.node = el(
      'li',
      { class: 'cp-item', 'data-campaign': view.id },
      el('div', { class: 'row between' }, el('span', { class: 'cp-name' }, view.name), parts.badge),
      parts.detail,
      el('div', { class: 'row between small' }, parts.progress, parts.numbers),
      parts.counts,
      el(
        'div',
        { class: 'actions' },
        ...Object.values(parts.commands),
        el(
          'button',
          {
            class: 'btn small',
            type: 'button',
            'aria-expanded': 'false',
            onclick: (e) => toggleRecipients(item, e.currentTarget),
          },
          'Recipients',
        ),
        report('csv'),
        report('xlsx'),
        parts.result,
      ),
      parts.recipients,
    );
    return item;
  }

  function update(item) {
    const { view, parts } = item;
    const counts = view.counts ?? {};
    const total = view.totalRecipients ?? 0;
    const waiting = (counts.pending ?? 0) + (counts.queued ?? 0);
    const reason = view.state === 'paused' && view.pauseReason;
    parts.badge.dataset.state = view.state;
    parts.badge.textContent = reason
      ? `${view.state} (${PAUSE_REASONS[reason] ?? reason})`
      : view.state;
    parts.progress.max = Math.max(total, 1);
    parts.progress.value = total - waiting;
    parts.numbers.textContent = `${total - waiting} / ${total}`;
    parts.counts.replaceChildren(
      ...COUNTS.map((state) =>
        el(
          'li',
          { 'data-count': state },
          el('span', { class: 'label' }, state),
          el('b', {}, String(state === 'pending' ? waiting : (counts[state] ?? 0))),
        ),
      ),
    );
    parts.detail.textContent = detailOf(view);
    for (const command of COMMANDS) {
      const button = parts.commands[command.action];
      if (button) {
        button.disabled = !command.from.includes(view.state);
      }
    }
  }

  function detailOf(view) {
    const when = [
      view.state === 'scheduled' && view.scheduledAt
        ? `starts ${dateTimeOf(view.scheduledAt)}`
        : null,
      view.startedAt ? `started ${dateTimeOf(view.startedAt)}` : null,
      view.finishedAt ? `finished ${dateTimeOf(view.finishedAt)}` : null,
      view.nextSendAt ? `held until ${dateTimeOf(view.nextSendAt)}` : null,
    ].filter(Boolean);
    const message = view.message ?? `[${view.type}]`;
    const text = message.length > 90 ? `${message.slice(0, 90)}…` : message;
    return [text, ...when].join(' · ');
  }

  async function run(item, command, button) {
    const body = await guarded(
      item.parts.result,
      () =>
        api(`${base()}/${enc(item.view.id)}/${command.action}`, {
          method: 'POST',
        }),
      button,
    );
    if (body) {
      upsert(body.data);
    } else {
      update(item);
    }
  }

  async function toggleRecipients(item, button) {
    const open = item.recipients === null;
    button.setAttribute('aria-expanded', String(open));
    item.parts.recipients.hidden = !open;
    if (!open) {
      clearTimeout(item.recipients.timer);
      item.recipients = null;
      return;
    }
    item.recipients = { state: '', page: 1, timer: null };
    await loadRecipients(item);
  }

  async function loadRecipients(item) {
    const open = item.recipients;
    if (!open) {
      return;
    }
    const params = new URLSearchParams({
      page: String(open.page),
      per_page: String(RECIPIENTS_PER_PAGE),
    });
    if (open.state) {
      params.set('state', open.state);
    }
    const container = item.parts.recipients;
    const error = el('p', { class: 'error', role: 'alert' });
    const body = await guarded(error, () =>
      api(`${base()}/${enc(item.view.id)}/recipients?${params}`),
    );
    if (item.recipients !== open) {
      return;
    }
    const lastPage = Math.max(1, body?.meta?.last_page ?? 1);
    const filter = el(
      'select',
      {
        'aria-label': `Recipient state of ${item.view.name}`,
        onchange: (e) => {
          open.state = e.currentTarget.value;
          open.page = 1;
          loadRecipients(item);
        },
      },
      el('option', { value: '' }, 'All states'),
      ...RECIPIENT_STATES.map((state) =>
        el('option', { value: state, selected: state === open.state }, state),
      ),
    );
    const page = (delta, label, disabled) =>
      el(
        'button',
        {
          class: 'btn small',
          type: 'button',
          disabled,
          onclick: () => {
            open.page += delta;
            loadRecipients(item);
          },
        },
        label,
      );
    const rows = (body?.data ?? []).map((r) =>
      el(
        'tr',
        { 'data-recipient': r.address },
        el('td', {}, r.address),
        el('td', {}, r.name ?? '—'),
        el('td', {}, el('span', { class: 'pill', 'data-state': r.state }, r.state)),
        el('td', {}, r.reason ?? ''),
        el('td', {}, dateTimeOf(r.updatedAt ?? r.queuedAt)),
      ),
    );
    container.replaceChildren(
      el(
        'div',
        { class: 'row between small' },
        filter,
        el(
          'span',
          { class: 'row' },
          page(-1, '‹ Prev', open.page <= 1),
          el('span', {}, `Page ${open.page} of ${lastPage} · ${body?.meta?.total ?? 0} recipients`),
          page(1, 'Next ›', open.page >= lastPage),
        ),
      ),
      error,
      el(
        'div',
        { class: 'table-wrap' },
        el(
          'table',
          { class: 'table', 'aria-label': `Recipients of ${item.view.name}` },
          el(
            'thead',
            {},
            el(
              'tr',
              {},
              ...['Recipient', 'Name', 'State', 'Reason', 'Updated'].map((h) => el('th', {}, h)),
            ),
          ),
          el(
            'tbody',
            {},
            ...(rows.length
              ? rows
              : [el('tr', {}, el('td', { colspan: 5, class: 'muted' }, 'No recipients.'))]),
          ),
        ),
      ),
    );
  }

  // ---------- create ----------

  function pacingOf() {
    const seconds = (id) => {
      const value = $(id).value.trim();
      return value === '' ? undefined : Math.round(Number(value) * 1000);
    };
    const pacing = {
      minIntervalMs: seconds('cp-min'),
      maxIntervalMs: seconds('cp-max'),
      dailyCap: $('cp-cap').value ? Number($('cp-cap').value) : undefined,
      timeZone: $('cp-tz').value.trim() || undefined,
    };
    const start = $('cp-quiet-start').value;
    const end = $('cp-quiet-end').value;
    if (Boolean(start) !== Boolean(end)) {
      throw new Error('Quiet hours need both a start and an end');
    }
    if (start) {
      pacing.quietHours = { start, end };
    }
    return Object.fromEntries(Object.entries(pacing).filter(([, v]) => v !== undefined));
  }

  function defaultsOf() {
    const defaults = {};
    for (const line of $('cp-defaults').value.split('\n')) {
      if (!line.trim()) {
        continue;
      }
      const at = line.indexOf('=');
      if (at <= 0) {
        throw new Error(`Defaults: "${line.trim()}" is not variable=value`);
      }
      defaults[line.slice(0, at).trim()] = line.slice(at + 1).trim();
    }
    return defaults;
  }

  function contactsFilterOf() {
    const filter = {
      type: $('cp-type').value || undefined,
      search: $('cp-search').value.trim() || undefined,
      groupId: $('cp-group').value || undefined,
    };
    return Object.fromEntries(Object.entries(filter).filter(([, v]) => v !== undefined));
  }

  /** JSON for stored contacts, multipart (objects as JSON text) for an upload. */
  function requestBody() {
    const fields = {
      name: $('cp-name').value.trim(),
      message: $('cp-message').value,
      pacing: pacingOf(),
    };
    const defaults = defaultsOf();
    if (Object.keys(defaults).length) {
      fields.defaults = defaults;
    }
    if ($('cp-at').value) {
      fields.scheduledAt = new Date($('cp-at').value).toISOString();
    }
    if (sourceOf() === 'contacts') {
      return { ...fields, contacts: contactsFilterOf() };
    }
    const file = $('cp-file').files[0];
    if (!file) {
      throw new Error('Choose a CSV or XLSX file of recipients');
    }
    const form = new FormData();
    for (const [name, value] of Object.entries(fields)) {
      form.append(name, typeof value === 'string' ? value : JSON.stringify(value));
    }
    form.append('file', file, file.name);
    return form;
  }

  const sourceOf = () => document.querySelector('input[name=cp-source]:checked').value;

  document.querySelectorAll('input[name=cp-source]').forEach((radio) =>
    radio.addEventListener('change', () => {
      $('cp-contacts').hidden = sourceOf() !== 'contacts';
      $('cp-upload').hidden = sourceOf() !== 'upload';
    }),
  );

  $('cp-form').addEventListener('submit', (event) => {
    event.preventDefault();
    guarded(
      $('cp-error'),
      async () => {
        const created = await api(base(), { method: 'POST', body: requestBody() });
        upsert(created.data);
        renderList();
        $('cp-result').textContent =
          `Campaign "${created.data.name}" created: ${created.data.totalRecipients} recipients`;
        $('cp-name').value = '';
        $('cp-file').value = '';
        $('cp-new').open = false;
      },
      event.submitter,
    );
  });

  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  $('cp-tz').value = zone ?? '';
  $('cp-tz-list').replaceChildren(
    ...(Intl.supportedValuesOf?.('timeZone') ?? []).map((name) => el('option', { value: name })),
  );

  return {
    load,
    reset() {
      for (const item of items.values()) {
        clearTimeout(item.recipients?.timer);
      }
      items.clear();
      groupsOf = null;
      clearTimeout(reloadTimer);
      reloadTimer = null;
      $('cp-list').replaceChildren();
      $('cp-empty').hidden = false;
      $('cp-error').textContent = '';
      $('cp-result').textContent = '';
      $('cp-group').replaceChildren(el('option', { value: '' }, 'Any'));
    },
    /** A `campaign_progress` of the current session. */
    onProgress(event) {
      const item = items.get(event.campaignId);
      if (!item) {
        reloadTimer ??= setTimeout(() => {
          reloadTimer = null;
          load();
        }, REFRESH_MS);
        return;
      }
      const stateChanged = item.view.state !== event.state;
      upsert({
        id: event.campaignId,
        state: event.state,
        pauseReason: event.pauseReason,
        totalRecipients: event.total,
        counts: event.counts,
        nextSendAt: event.nextSendAt,
      });
      if (stateChanged) {
        // started/finished times come with the campaign itself
        api(`${base()}/${enc(event.campaignId)}`)
          .then((body) => items.has(body.data.id) && upsert(body.data))
          .catch(() => undefined);
      }
      const open = item.recipients;
      if (open && !open.timer) {
        open.timer = setTimeout(() => {
          open.timer = null;
          loadRecipients(item);
        }, REFRESH_MS);
      }
    },
  };
}
