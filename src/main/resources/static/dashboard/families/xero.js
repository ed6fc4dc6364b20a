// The Xero family's part of the manage drawer: which organisation the connection works on (a grant may reach several:
// GET /connections/{id}/organisations, chosen by PATCHing config.tenantId), its last sync and scopes, "Sync payments
// now" (payments, then invoices: a payment changes its invoice's amounts and status) and the errors Xero gave pushes.

export async function panel(c, p, kit) {
  const { api, el, section, patchConnection, startSync, when, ago, problemText } = kit;
  const nodes = [];

  const orgs = el('div', { class: 'xero-organisations' }, 'Loading organisations…');
  nodes.push(section('Xero organisation', orgs,
    el('dl', { class: 'kv' },
      el('dt', {}, 'Last synced'), el('dd', {}, c.lastSyncAt ? `${when(c.lastSyncAt)} (${ago(c.lastSyncAt)})` : 'never'),
      el('dt', {}, 'Scopes'), el('dd', {}, (c.scopes || []).join(' ') || '—'))));
  try {
    const listing = await api(`/connections/${c.id}/organisations`);
    const list = listing.organisations || [];
    if (list.length <= 1) {
      const only = list[0];
      orgs.replaceChildren(el('p', {}, only ? `${only.name} (${only.tenantId})` : 'Xero lists no organisation for this grant.'));
    } else {
      const select = el('select', { 'aria-label': 'Xero organisation' },
        ...list.map((o) => el('option', { value: o.tenantId, selected: o.current }, o.name)));
      const save = el('button', {
        onclick: async () => {
          save.disabled = true;
          await patchConnection(c, { config: { tenantId: select.value } },
            `Xero calls now go to ${select.options[select.selectedIndex].text}.`);
          save.disabled = false;
        },
      }, 'Use this organisation');
      orgs.replaceChildren(el('p', {}, `This consent reaches ${list.length} organisations; every call goes to the one chosen.`),
        el('div', { class: 'row' }, select, save));
    }
  } catch (err) {
    orgs.replaceChildren(el('p', { class: 'error', role: 'alert' }, `Organisations could not be listed: ${problemText(err)}`));
  }

  const syncPayments = el('button', {
    onclick: async () => {
      syncPayments.disabled = true;
      await startSync(c, 'payment', { mode: 'incremental' });
      await startSync(c, 'invoice', { mode: 'incremental' });
      syncPayments.disabled = false;
    },
  }, 'Sync payments now');
  nodes.push(section('Payments', el('p', {}, 'Pulls new and voided payments and the invoices they settle; a paid invoice '
    + 'is announced once as invoice.paid.'), syncPayments));

  const errors = el('div', { class: 'xero-push-errors' }, 'Loading…');
  nodes.push(section('Push errors', errors));
  try {
    const runs = await api(`/connections/${c.id}/syncs?limit=20`);
    const failed = (Array.isArray(runs) ? runs : runs.syncs || runs.runs || [])
      .filter((r) => r.direction === 'push' && (r.errors || []).length)
      .flatMap((r) => r.errors.map((e) => ({ run: r, error: e })));
    errors.replaceChildren(failed.length
      ? el('ul', {}, ...failed.slice(0, 20).map(({ run, error }) => el('li', {},
        el('strong', {}, `${run.entity} ${error.localRef || error.externalId || ''}`), ` — ${error.message}`,
        el('span', { class: 'muted' }, ` (${when(run.startedAt)})`))))
      : el('p', {}, 'Xero accepted every pushed invoice and bill.'));
  } catch (err) {
    errors.replaceChildren(el('p', { class: 'error', role: 'alert' }, problemText(err)));
  }
  return nodes;
}
