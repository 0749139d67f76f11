// Contacts tab: grabs with live progress (grab_progress / grab_completed) and the stored table.
import { $, api, dateTimeOf, download, el, enc, guarded } from './api.js';

const PER_PAGE = 20;
const PHASES = {
  groups: 'Groups',
  contacts: 'Contacts',
  participants: 'Participants',
  pictures: 'Profile pictures',
};

export function createContacts(getSession) {
  let page = 1;
  let lastPage = 1;
  let searchTimer;

  const query = () => {
    const params = new URLSearchParams({ page: String(page), per_page: String(PER_PAGE) });
    const search = $('c-search').value.trim();
    if (search) {
      params.set('search', search);
    }
    if ($('c-type').value) {
      params.set('type', $('c-type').value);
    }
    return params;
  };

  async function load() {
    const session = getSession();
    if (!session) {
      return;
    }
    const body = await guarded($('c-error'), () =>
      api(`/api/sessions/${enc(session)}/contacts?${query()}`),
    );
    if (!body) {
      return;
    }
    const rows = body.data.contacts.map((c) =>
      el(
        'tr',
        {},
        el('td', {}, c.name ?? c.group_name ?? '—'),
        el('td', {}, c.phone_number ?? c.contact_id),
        el('td', {}, el('span', { class: 'pill' }, c.type)),
        el(
          'td',
          {},
          c.group_name ?? (c.type === 'group' ? `${c.group_participants_count ?? 0} members` : '—'),
        ),
        el('td', {}, dateTimeOf(c.grabbed_at)),
      ),
    );
    $('contact-rows').replaceChildren(...rows);
    if (rows.length === 0) {
      $('contact-rows').append(
        el(
          'tr',
          {},
          el('td', { colspan: 5, class: 'muted' }, 'No stored contacts. Grab them above.'),
        ),
      );
    }
    lastPage = Math.max(1, body.meta?.last_page ?? 1);
    $('c-total').textContent = `${body.data.total_contacts} stored`;
    $('c-page').textContent = `Page ${page} of ${lastPage}`;
    $('c-prev').disabled = page <= 1;
    $('c-next').disabled = page >= lastPage;
  }

  async function grab(button) {
    const session = getSession();
    $('grab-box').hidden = false;
    $('grab-phase').textContent = 'Starting…';
    $('grab-numbers').textContent = '';
    $('grab-progress').removeAttribute('value');
    $('grab-result').textContent = '';
    const buttons = document.querySelectorAll('[data-grab]');
    buttons.forEach((b) => (b.disabled = true));
    try {
      const body = await guarded($('grab-result'), () =>
        api(`/api/sessions/${enc(session)}/${button.dataset.grab}`),
      );
      if (body) {
        const d = body.data;
        const counts = [
          d.total_groups !== undefined ? `${d.total_groups} groups` : null,
          d.total_contacts !== undefined ? `${d.total_contacts} contacts` : null,
        ].filter(Boolean);
        $('grab-progress').value = 100;
        $('grab-phase').textContent = 'Done';
        $('grab-result').textContent =
          `${counts.join(', ')} — ${d.saved_count} saved, ${d.updated_count} updated`;
        page = 1;
        await load();
      }
    } finally {
      buttons.forEach((b) => (b.disabled = false));
    }
  }

  function exportAs(format) {
    const session = getSession();
    const params = query();
    params.delete('page');
    params.delete('per_page');
    params.set('format', format);
    return download(
      `/api/sessions/${enc(session)}/contacts?${params}`,
      `contacts-${session}.${format}`,
      $('c-error'),
    );
  }

  document
    .querySelectorAll('[data-grab]')
    .forEach((b) => b.addEventListener('click', () => grab(b)));
  document
    .querySelectorAll('[data-export]')
    .forEach((b) => b.addEventListener('click', () => exportAs(b.dataset.export)));
  $('c-search').addEventListener('input', () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => ((page = 1), load()), 250);
  });
  $('c-type').addEventListener('change', () => ((page = 1), load()));
  $('c-prev').addEventListener('click', () => ((page = Math.max(1, page - 1)), load()));
  $('c-next').addEventListener('click', () => ((page = Math.min(lastPage, page + 1)), load()));

  return {
    reset() {
      page = 1;
      $('grab-box').hidden = true;
      $('contact-rows').replaceChildren();
      $('c-total').textContent = '';
      $('c-page').textContent = '';
    },
    load,
    onProgress(event) {
      $('grab-box').hidden = false;
      $('grab-phase').textContent = PHASES[event.phase] ?? event.phase;
      if (event.total > 0) {
        $('grab-progress').max = event.total;
        $('grab-progress').value = event.done;
        $('grab-numbers').textContent = `${event.done} / ${event.total}`;
      }
    },
    onCompleted() {
      $('grab-phase').textContent = 'Done';
    },
  };
}
