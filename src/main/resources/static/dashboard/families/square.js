// Square's drawer panel: which locations the sales sync reads (GET /connections/{id}/locations, config.locationIds),
// "Sync catalog" (item, category and modifier_list runs), "Sync today" and "Sync range" of the sales (order runs with
// from/to, at most two years), each followed by the dashboard's progress bar (the sales bar moves with the dates
// covered: the run's `progress`).

const CATALOG = ['item', 'category', 'modifier_list'];
const CATALOG_NAMES = { item: 'Items', category: 'Categories', modifier_list: 'Modifier lists' };
const MAX_DAYS = 731;

export async function panel(c, p, kit) {
  const { el, section } = kit;
  if (c.status !== 'active') {
    return section('Square',
      el('p', { class: 'hint' }, c.status === 'reauth_required' || c.status === 'error'
        ? 'Re-auth required: reconnect Square to choose locations and sync again.'
        : 'Connect Square to choose locations and sync its catalog and sales.'));
  }
  return [
    await locationsSection(c, kit),
    section('Catalog',
      el('p', { class: 'hint' }, 'Items (with their variations), categories and modifier lists.'),
      el('div', { class: 'controls' },
        el('button', { class: 'primary', 'aria-label': 'Sync Square catalog', onclick: () => syncCatalog(c, kit) }, 'Sync catalog')),
      // Each run's bar under its own name (the three runs go at once).
      ...CATALOG.map((entity) => el('div', { class: 'catalog-run' },
        el('span', { class: 'hint' }, CATALOG_NAMES[entity]), el('div', { class: 'progress', 'data-entity': entity })))),
    salesSection(c, kit),
  ];
}

async function locationsSection(c, kit) {
  const { el, section, api, problemText } = kit;
  let listing;
  try {
    listing = await api(`/connections/${c.id}/locations`);
  } catch (err) {
    return section('Locations', el('p', { class: 'error', role: 'alert' }, `Locations could not be listed: ${problemText(err)}`));
  }
  const boxes = listing.locations.map((l) => el('input', { type: 'checkbox', value: l.id, checked: l.chosen,
    'aria-label': `Read sales of ${l.name || l.id}` }));
  const save = async () => {
    const ids = boxes.filter((b) => b.checked).map((b) => b.value);
    if (ids.length === 0) { kit.toast('Choose at least one location.', 'error'); return; }
    const config = { ...(c.config || {}) };
    if (ids.length === boxes.length) delete config.locationIds; else config.locationIds = ids.join(',');
    const updated = await kit.patchConnection(c, { config }, 'Square locations saved.');
    if (updated) Object.assign(c, updated);
  };
  return section('Locations',
    el('p', { class: 'hint' }, 'Sales are synced from the ticked locations.'),
    el('ul', { class: 'locations' }, ...listing.locations.map((l, i) => el('li', {},
      el('label', {}, boxes[i], ` ${l.name || l.id}`, l.status !== 'ACTIVE' ? ` (${l.status.toLowerCase()})` : ''),
      l.address ? el('span', { class: 'hint' }, ` · ${l.address}`) : ''))),
    el('button', { 'aria-label': 'Save Square locations', onclick: save }, 'Save locations'));
}

function salesSection(c, kit) {
  const { el, section, toast } = kit;
  const from = el('input', { type: 'date', 'aria-label': 'Sales from date' });
  const to = el('input', { type: 'date', 'aria-label': 'Sales to date' });
  const today = () => {
    const d = new Date().toISOString().slice(0, 10);
    startSales(c, kit, `${d}T00:00:00Z`, new Date().toISOString(), 'Today\'s sales sync started.');
  };
  const range = () => {
    if (!from.value || !to.value) { toast('Choose both dates of the range.', 'error'); return; }
    // The run reads from the first day's midnight to the last day's end: one day more than the dates' difference.
    const days = (Date.parse(to.value) - Date.parse(from.value)) / 86400000 + 1;
    if (days < 1) { toast('The range ends before it starts.', 'error'); return; }
    if (days > MAX_DAYS) { toast('Choose at most two years at a time.', 'error'); return; }
    startSales(c, kit, `${from.value}T00:00:00Z`, `${to.value}T23:59:59Z`,
      'Sales sync started. We\'ll notify you when it\'s ready.');
  };
  return section('Sales',
    el('p', { class: 'hint' }, 'Orders with their line items, totals and tenders, by the day they closed.'),
    el('div', { class: 'controls' },
      el('button', { class: 'primary', 'aria-label': 'Sync Square sales for today', onclick: today }, 'Sync today')),
    el('div', { class: 'range' },
      from, el('span', { 'aria-hidden': 'true' }, '–'), to,
      el('button', { 'aria-label': 'Sync Square sales for the date range', onclick: range }, 'Sync range')),
    el('div', { class: 'progress', 'data-entity': 'order' }));
}

async function start(c, kit, body) {
  try {
    const run = await kit.api(`/connections/${c.id}/syncs`, { method: 'POST', body: { direction: 'pull', ...body } });
    kit.followSync(run.id, c.id, body.entity);
    return true;
  } catch (err) {
    if (err.status === 409 && err.problem && err.problem.runId) {
      kit.followSync(err.problem.runId, c.id, body.entity);
      return true;
    }
    kit.showError(err);
    return false;
  }
}

async function syncCatalog(c, kit) {
  const started = await Promise.all(CATALOG.map((entity) => start(c, kit, { entity, mode: 'incremental' })));
  if (started.some(Boolean)) kit.toast('Catalog sync started. We\'ll notify you when it\'s ready.');
}

async function startSales(c, kit, from, to, message) {
  if (await start(c, kit, { entity: 'order', mode: 'full', from, to })) kit.toast(message);
}
