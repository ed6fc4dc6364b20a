// Slack's part of the connection drawer (docs/slack.md): the channel alerts go to (a picker over
// GET /connections/{id}/channels, paged by nextCursor), which of the hub's alerts are sent (config.alerts) and
// "Send a test alert" (the test-alert action, through the same flow as real alerts).
const ALERTS = [
  ['reauth_required', 'A connection needs to be authorized again'],
  ['sync_failed', 'A sync run failed'],
  ['dead_letter', 'A message was dead-lettered'],
  ['quota_reached', "A provider's daily quota was reached"],
  ['subscription_lost', 'A webhook subscription was lost'],
  ['webhook_endpoint_disabled', 'A host webhook endpoint was disabled'],
];

function chosenAlerts(config) {
  const value = (config && config.alerts) || '*';
  if (value === '*') return new Set(ALERTS.map(([type]) => type));
  if (value === 'none') return new Set();
  return new Set(value.split(','));
}

export function panel(c, provider, kit) {
  const { api, el, section, toast, showError, problemText, patchConnection } = kit;
  if (c.status !== 'active') {
    return section('Slack alerts', el('p', { class: 'hint' }, 'Reconnect Slack to choose a channel and send alerts.'));
  }
  let current = c;
  const channelId = () => (current.config && current.config.channel) || null;

  const shown = el('span', { id: 'slack-channel', 'data-channel': channelId() || '' }, channelId() || 'No channel chosen');
  const select = el('select', { 'aria-label': 'Slack channel for alerts', id: 'slack-channel-select' },
    el('option', { value: '' }, 'Choose a channel…'));
  const more = el('button', { class: 'link', hidden: true, 'aria-label': 'Load more Slack channels' }, 'More channels');
  const status = el('p', { role: 'status', class: 'hint' });
  let cursor = null;

  const load = async () => {
    status.textContent = 'Loading channels…';
    try {
      const page = await api(`/connections/${c.id}/channels${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ''}`);
      for (const ch of page.channels) {
        select.append(el('option', { value: ch.id, selected: ch.id === channelId() },
          `#${ch.name}${ch.isMember ? '' : ' (invite the app first)'}`));
      }
      cursor = page.nextCursor || null;
      more.hidden = !cursor;
      status.textContent = '';
    } catch (err) {
      status.textContent = `Channels could not be listed: ${problemText(err)}`;
      status.className = 'error';
    }
  };
  more.addEventListener('click', load);
  select.addEventListener('change', async () => {
    if (!select.value) return;
    const updated = await patchConnection(current, { config: { channel: select.value } }, `Alerts go to ${select.selectedOptions[0].textContent}.`);
    if (updated) {
      current = updated;
      shown.textContent = channelId();
      shown.dataset.channel = channelId();
    }
  });

  const chosen = chosenAlerts(current.config);
  const boxes = ALERTS.map(([type, text]) => {
    const box = el('input', { type: 'checkbox', value: type, id: `slack-alert-${type}`, checked: chosen.has(type) });
    box.addEventListener('change', async () => {
      const picked = boxes.filter((b) => b.checked).map((b) => b.value);
      const alerts = picked.length === ALERTS.length ? '*' : picked.length ? picked.join(',') : 'none';
      const updated = await patchConnection(current, { config: { alerts } }, 'Alert choice saved.');
      if (updated) current = updated;
    });
    return el('div', { class: 'setting' }, box, el('label', { for: `slack-alert-${type}` }, text));
  });

  const test = el('button', { class: 'primary', id: 'slack-test-alert' }, 'Send a test alert');
  test.addEventListener('click', async () => {
    if (!channelId()) { toast('Choose a channel first.', 'error'); return; }
    test.disabled = true;
    try {
      await api(`/connections/${c.id}/actions/test-alert`, { method: 'POST', body: { data: {} } });
      toast(`Test alert sent to ${channelId()}.`);
    } catch (err) {
      showError(err);
    } finally {
      test.disabled = false;
    }
  });

  load();
  return section('Slack alerts',
    el('div', { class: 'setting' }, el('label', { for: 'slack-channel-select' }, 'Channel'), select, more, shown),
    status,
    el('h4', {}, 'Which alerts'),
    ...boxes,
    el('p', { class: 'hint' }, 'Repeats of one alert within an hour are replies in its thread.'),
    test);
}
