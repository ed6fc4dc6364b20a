// Business Central's part of the connection drawer: the environment and company the connection syncs and writes
// (config.environment, config.companyId), chosen from GET /api/v1/connections/{id}/companies?environment=…
// (docs/business-central.md). The generic drawer shows entities, schedules, conflict policies and activity.
export async function panel(c, p, kit) {
  const { api, el, section, showError, problemText, patchConnection } = kit;
  const config = c.config || {};
  const environment = el('input', {
    type: 'text', value: config.environment || 'production', pattern: '[A-Za-z0-9][A-Za-z0-9_\\-]{0,49}',
    'aria-label': 'Business Central environment', placeholder: 'production',
  });
  const company = el('select', { 'aria-label': 'Company' }, el('option', { value: '' }, 'Choose a company…'));
  const status = el('p', { class: 'muted', role: 'status' },
    config.companyId ? `Company ${config.companyId} in ${config.environment || 'the default environment'}.` : 'No company chosen yet: syncs and actions need one.');
  const save = el('button', { type: 'button', disabled: true }, 'Use this company');

  async function load() {
    company.replaceChildren(el('option', { value: '' }, 'Loading companies…'));
    save.disabled = true;
    try {
      const env = environment.value.trim();
      const r = await api(`/connections/${c.id}/companies${env ? `?environment=${encodeURIComponent(env)}` : ''}`);
      company.replaceChildren(el('option', { value: '' }, r.companies.length ? 'Choose a company…' : 'No companies in this environment'),
        ...r.companies.map((x) => el('option', { value: x.id, selected: x.id === config.companyId },
          `${x.displayName || x.name}${x.systemVersion ? ` (v${x.systemVersion})` : ''}`)));
      save.disabled = !company.value;
    } catch (err) {
      company.replaceChildren(el('option', { value: '' }, 'Could not list companies'));
      status.textContent = `Companies could not be listed: ${problemText(err)}`;
      status.className = 'error';
    }
  }

  company.addEventListener('change', () => { save.disabled = !company.value; });
  save.addEventListener('click', async () => {
    try {
      const updated = await patchConnection(c, { config: { ...(c.config || {}), environment: environment.value.trim(), companyId: company.value } },
        'Business Central company saved');
      if (updated) {
        const chosen = company.options[company.selectedIndex];
        status.textContent = `Syncing ${chosen ? chosen.textContent : company.value} in ${environment.value.trim()}.`;
        status.className = 'ok';
      }
    } catch (err) {
      showError(err);
    }
  });

  const reload = el('button', { type: 'button', onclick: load }, 'List companies');
  const nodes = section('Environment and company',
    el('label', {}, 'Environment ', environment), reload,
    el('label', {}, 'Company ', company), save, status);
  if (c.status === 'active') load();
  return nodes;
}
