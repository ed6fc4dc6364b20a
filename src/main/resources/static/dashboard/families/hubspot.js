// HubSpot's part of the manage drawer: per model (contacts, companies, deals) the two sync directions — pull from
// HubSpot (incremental through the CRM search API, or full with deletions) and push the hub's linked objects back
// through batch upsert — the model's conflict policy, and its open conflicts side by side (local and HubSpot's
// version, differing fields marked) with the manual resolution. Everything goes through the hub's REST API.

const MODELS = [['contact', 'Contacts'], ['company', 'Companies'], ['deal', 'Deals']];
const POLICIES = ['last-write-wins', 'prefer-local', 'prefer-remote', 'manual'];

export async function panel(c, p, kit) {
  const { api, el, section, toast, showError, patchConnection, startSync, followSync, label } = kit;
  let conflicts = [];
  try {
    const data = await api(`/connections/${c.id}/conflicts?status=open`);
    conflicts = Array.isArray(data) ? data : (data && data.conflicts) || [];
  } catch (err) { showError(err); }
  const policies = (c.config && c.config.conflicts) || {};

  async function push(model) {
    try {
      const run = await api(`/connections/${c.id}/syncs`, { method: 'POST', body: { entity: model, direction: 'push', mode: 'full' } });
      toast(`Pushing ${label(model)}s to HubSpot in batches of 100.`);
      followSync(run.id, c.id, model);
    } catch (err) { showError(err); }
  }

  async function resolve(conflict, resolution, button) {
    button.disabled = true;
    try {
      await api(`/connections/${c.id}/conflicts/${conflict.id}/resolve`, { method: 'POST', body: { resolution } });
      toast(resolution === 'local' ? 'Your version was pushed to HubSpot.' : 'HubSpot\'s version is kept.');
      button.closest('tr').remove();
    } catch (err) { button.disabled = false; showError(err); }
  }

  function fields(mine, theirs) {
    const keys = [...new Set([...Object.keys(mine || {}), ...Object.keys(theirs || {})])].sort();
    return el('dl', { class: 'kv' }, keys.flatMap((k) => {
      const v = mine && k in mine ? JSON.stringify(mine[k]) : '—';
      const differs = JSON.stringify((mine || {})[k]) !== JSON.stringify((theirs || {})[k]);
      return [el('dt', {}, k), el('dd', { class: differs ? 'differs' : '' }, differs ? el('mark', {}, v) : v)];
    }));
  }

  function conflictTable(model, open) {
    if (!open.length) return el('p', { class: 'muted' }, 'No open conflicts.');
    return el('table', { class: 'conflicts', 'aria-label': `Open ${label(model)} conflicts, your version and HubSpot's side by side` },
      el('thead', {}, el('tr', {}, el('th', {}, 'Record'), el('th', {}, 'Yours'), el('th', {}, 'HubSpot'), el('th', {}, ''))),
      el('tbody', {}, open.map((k) => el('tr', { 'data-conflict': k.id },
        el('td', {}, k.externalId || '—', k.localRef ? el('div', { class: 'muted' }, `local ref ${k.localRef}`) : null),
        el('td', { class: 'local' }, fields(k.local, k.remote)),
        el('td', { class: 'remote' }, fields(k.remote, k.local)),
        el('td', {}, k.policy === 'manual'
          ? el('div', { class: 'resolve' },
            el('button', { 'aria-label': `Keep your version of ${k.externalId}`, onclick: (e) => resolve(k, 'local', e.target) }, 'Keep mine'),
            el('button', { 'aria-label': `Keep HubSpot's version of ${k.externalId}`, onclick: (e) => resolve(k, 'remote', e.target) }, 'Keep HubSpot\'s'))
          : el('span', { class: 'muted' }, k.policy))))));
  }

  return section('HubSpot two-way sync', ...MODELS.map(([model, title]) => {
    const open = conflicts.filter((k) => k.model === model);
    const policy = el('select', { 'aria-label': `Conflict policy for ${title}` },
      POLICIES.map((v) => el('option', { value: v, selected: (policies[model] || 'last-write-wins') === v }, v)));
    policy.addEventListener('change', () => patchConnection(c, { config: { conflicts: { [model]: policy.value } } },
      `Conflicts of ${title.toLowerCase()}: ${policy.value}.`));
    return el('div', { class: 'entity hubspot-model', 'data-model': model },
      el('h4', {}, title, ' ', el('span', { class: open.length ? 'badge warn' : 'badge', 'aria-label': `${open.length} open conflicts` },
        `${open.length} open conflict${open.length === 1 ? '' : 's'}`)),
      el('div', { class: 'actions' },
        el('button', { 'aria-label': `Pull changed ${title.toLowerCase()} from HubSpot`, onclick: () => startSync(c, model, { mode: 'incremental' }) }, 'Pull changes ←'),
        el('button', { 'aria-label': `Pull all ${title.toLowerCase()} from HubSpot`, onclick: () => startSync(c, model, { mode: 'full' }) }, 'Pull all ←'),
        el('button', { 'aria-label': `Push ${title.toLowerCase()} to HubSpot`, onclick: () => push(model) }, 'Push →')),
      el('div', { class: 'setting' }, el('label', {}, 'When both sides changed'), policy),
      conflictTable(model, open));
  }));
}
