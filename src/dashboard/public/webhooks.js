// Webhooks tab: a session's targets (add, pause/resume, test ping, delete) and their deliveries.
import { $, api, ApiError, dateTimeOf, el, enc, guarded } from './api.js';

export const WEBHOOKS_UNAVAILABLE =
  'Webhooks are not available on this gateway: its API has no webhook routes (they answered 404).';

export function createWebhooks(getSession) {
  const base = () => `/sessions/${enc(getSession())}/webhooks`;

  function unavailable(error) {
    if (error instanceof ApiError && error.status === 404) {
      $('wh-unavailable').textContent = WEBHOOKS_UNAVAILABLE;
      $('wh-unavailable').hidden = false;
      $('wh-body').hidden = true;
      return true;
    }
    return false;
  }

  async function load() {
    if (!getSession()) {
      return;
    }
    let body;
    try {
      body = await api(base());
    } catch (error) {
      if (!unavailable(error)) {
        $('wh-result').textContent = error.message;
      }
      return;
    }
    $('wh-unavailable').hidden = true;
    $('wh-body').hidden = false;
    const targets = Array.isArray(body.data) ? body.data : (body.data?.webhooks ?? []);
    $('wh-list').replaceChildren(...targets.map(item));
    $('wh-empty').hidden = targets.length > 0;
  }

  function item(target) {
    const deliveries = el('div', { class: 'deliveries' });
    const status = el(
      'span',
      { class: 'badge', 'data-state': target.enabled ? 'connected' : 'disconnected' },
      target.enabled ? 'active' : 'paused',
    );
    const result = el('span', { class: 'small', role: 'status' });
    const events = target.events?.length ? target.events.join(', ') : 'all events';
    const call = (action, button) => guarded(result, action, button).then(load);
    const row = el(
      'li',
      { class: 'wh-item', 'data-webhook': target.id },
      el('div', { class: 'row between' }, el('span', { class: 'url' }, target.url), status),
      el('p', { class: 'small muted' }, events),
      el(
        'div',
        { class: 'actions' },
        el(
          'button',
          {
            class: 'btn small',
            type: 'button',
            onclick: (e) =>
              call(
                () =>
                  api(`${base()}/${enc(target.id)}`, {
                    method: 'PATCH',
                    body: { enabled: !target.enabled },
                  }),
                e.currentTarget,
              ),
          },
          target.enabled ? 'Pause' : 'Resume',
        ),
        el(
          'button',
          {
            class: 'btn small',
            type: 'button',
            onclick: (e) =>
              guarded(
                result,
                async () => {
                  const { data } = await api(`${base()}/${enc(target.id)}/test`, {
                    method: 'POST',
                  });
                  result.textContent = data.ok
                    ? `Test ping delivered (HTTP ${data.statusCode}, ${data.durationMs} ms)`
                    : `Test ping failed: ${data.error ?? `HTTP ${data.statusCode}`}`;
                  await showDeliveries(target, deliveries);
                },
                e.currentTarget,
              ),
          },
          'Send test ping',
        ),
        el(
          'button',
          { class: 'btn small', type: 'button', onclick: () => showDeliveries(target, deliveries) },
          'Deliveries',
        ),
        el(
          'button',
          {
            class: 'btn small danger',
            type: 'button',
            onclick: (e) =>
              confirm(`Delete the webhook target ${target.url}?`) &&
              call(() => api(`${base()}/${enc(target.id)}`, { method: 'DELETE' }), e.currentTarget),
          },
          'Delete',
        ),
        result,
      ),
      deliveries,
    );
    return row;
  }

  async function showDeliveries(target, container) {
    const body = await guarded(container, () => api(`${base()}/${enc(target.id)}/deliveries`));
    if (!body) {
      return;
    }
    const rows = (Array.isArray(body.data) ? body.data : (body.data?.deliveries ?? [])).map((d) => {
      const ok =
        d.status === 'delivered' ||
        d.status === 'success' ||
        (d.responseStatus >= 200 && d.responseStatus < 300);
      return el(
        'tr',
        {},
        el('td', {}, d.event ?? d.eventType ?? '—'),
        el(
          'td',
          {},
          el(
            'span',
            {
              class: 'badge',
              'data-state': ok ? 'connected' : d.status === 'pending' ? 'connecting' : 'logged_out',
            },
            d.status ?? String(d.responseStatus ?? ''),
          ),
        ),
        el('td', {}, String(d.attempts ?? '')),
        el('td', {}, dateTimeOf(d.createdAt ?? d.created_at)),
        el(
          'td',
          {},
          el(
            'button',
            {
              class: 'btn small',
              type: 'button',
              'aria-label': `Replay delivery ${d.id}`,
              onclick: (e) =>
                guarded(
                  container,
                  () =>
                    api(`${base()}/${enc(target.id)}/deliveries/${enc(d.id)}/replay`, {
                      method: 'POST',
                    }).then(() => showDeliveries(target, container)),
                  e.currentTarget,
                ),
            },
            'Replay',
          ),
        ),
      );
    });
    container.replaceChildren(
      el(
        'table',
        { class: 'table', 'aria-label': `Deliveries to ${target.url}` },
        el(
          'thead',
          {},
          el(
            'tr',
            {},
            el('th', {}, 'Event'),
            el('th', {}, 'Status'),
            el('th', {}, 'Attempts'),
            el('th', {}, 'At'),
            el('th', {}, ''),
          ),
        ),
        el(
          'tbody',
          {},
          ...(rows.length
            ? rows
            : [el('tr', {}, el('td', { colspan: 5, class: 'muted' }, 'No deliveries yet.'))]),
        ),
      ),
    );
  }

  $('wh-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const events = $('wh-events')
      .value.split(',')
      .map((e) => e.trim())
      .filter(Boolean);
    const body = { url: $('wh-url').value.trim(), enabled: true };
    if (events.length) {
      body.events = events;
    }
    if ($('wh-secret').value) {
      body.secret = $('wh-secret').value;
    }
    try {
      await api(base(), { method: 'POST', body });
      $('wh-result').textContent = 'Target added';
      $('wh-form').reset();
      await load();
    } catch (error) {
      if (!unavailable(error)) {
        $('wh-result').textContent = error.message;
      }
    }
  });

  return {
    load,
    reset() {
      $('wh-list').replaceChildren();
      $('wh-result').textContent = '';
    },
  };
}
