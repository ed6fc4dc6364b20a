// Integrations dashboard: a tenant admin's view of the public REST API (/api/v1), nothing else.
const KEY_STORAGE = 'integration-hub.apiKey';
const CONFIRM_TEXT = 'This will stop all data synchronization. Historical data imported will be preserved.';
const $ = (id) => document.getElementById(id);

const state = { key: null, providers: [], connections: [], open: null, polls: new Map() };

class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

async function api(path, { method = 'GET', body } = {}) {
  const headers = { Authorization: `Bearer ${state.key}` };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(`/api/v1${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = null; }
  if (!res.ok) {
    throw new ApiError(res.status, json && typeof json === 'object' ? json : { title: `HTTP ${res.status}`, detail: text });
  }
  return json;
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else if (k === 'class') node.className = v;
    else if (k === 'text') node.textContent = v;
    else node.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined) node.append(c instanceof Node ? c : String(c));
  return node;
}

function toast(message, kind = 'info') {
  const t = el('div', { class: `toast ${kind}`, role: kind === 'error' ? 'alert' : 'status' }, message);
  $('toasts').append(t);
  setTimeout(() => t.remove(), kind === 'error' ? 8000 : 4000);
}

function showError(err) {
  if (err instanceof ApiError) toast(`${err.problem.title || 'Error'}: ${err.problem.detail || ''}`.trim(), 'error');
  else toast(`Error: ${err.message}`, 'error');
}

function ago(iso) {
  if (!iso) return null;
  const s = Math.max(0, (Date.now() - Date.parse(iso)) / 1000);
  if (s < 60) return 'just now';
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} d ago`;
}

// ---------- sign-in ----------

async function init() {
  $('sign-in-form').addEventListener('submit', (e) => { e.preventDefault(); signIn($('api-key').value.trim()); });
  $('sign-out').addEventListener('click', signOut);
  $('drawer-close').addEventListener('click', closeDrawer);
  $('backdrop').addEventListener('click', closeDrawer);
  document.addEventListener('keydown', (e) => { if (e.key === 'Escape') { closeConfirm(); closeDrawer(); } });
  window.addEventListener('message', (e) => {
    if (e.origin === location.origin && e.data && e.data.connectionId) loadCatalog().catch(showError);
  });
  const saved = sessionStorage.getItem(KEY_STORAGE);
  if (saved) return signIn(saved);
  showSignIn();
  try {
    const cfg = await (await fetch('/dashboard/config.json')).json();
    if (cfg.demoApiKey && !$('api-key').value) $('api-key').value = cfg.demoApiKey;
  } catch { /* no pre-fill outside the zero-setup profile */ }
}

function showSignIn(message) {
  $('sign-in').hidden = false;
  $('catalog').hidden = true;
  $('sign-out').hidden = true;
  $('sign-in-error').hidden = !message;
  $('sign-in-error').textContent = message || '';
  $('api-key').focus();
}

async function signIn(key) {
  state.key = key;
  try {
    await loadCatalog();
    sessionStorage.setItem(KEY_STORAGE, key);
    $('sign-in').hidden = true;
    $('catalog').hidden = false;
    $('sign-out').hidden = false;
  } catch (err) {
    sessionStorage.removeItem(KEY_STORAGE);
    state.key = null;
    showSignIn(err instanceof ApiError && err.status === 401 ? 'That API key is not valid.' : err.message);
  }
}

function signOut() {
  sessionStorage.removeItem(KEY_STORAGE);
  state.key = null;
  closeDrawer();
  $('api-key').value = '';
  showSignIn();
}

// ---------- catalog ----------

async function loadCatalog() {
  const [providers, connections] = await Promise.all([api('/providers'), api('/connections')]);
  state.providers = providers;
  state.connections = connections;
  renderCatalog();
  if (state.open) {
    const fresh = connections.find((c) => c.id === state.open.id);
    if (fresh) state.open = fresh;
  }
}

/** The connection a card stands for: the newest one of the provider that is not disconnected. */
function connectionOf(providerKey) {
  return state.connections.filter((c) => c.provider === providerKey && c.status !== 'disconnected')
    .sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt))[0] || null;
}

function cardState(provider, connection) {
  if (!provider.configured) return 'not-configured';
  if (!connection) return 'not-connected';
  if (connection.status === 'active') return 'connected';
  if (connection.status === 'pending') return 'pending';
  return 'error';
}

function renderCatalog() {
  const root = $('catalog');
  root.replaceChildren();
  const byCategory = new Map();
  for (const p of state.providers) {
    if (!byCategory.has(p.category)) byCategory.set(p.category, []);
    byCategory.get(p.category).push(p);
  }
  for (const [category, providers] of byCategory) {
    const id = `cat-${category}`;
    root.append(el('section', { class: 'category', 'aria-labelledby': id },
      el('h2', { id }, category),
      el('div', { class: 'grid' }, providers.map(renderCard))));
  }
}

function renderCard(p) {
  const c = connectionOf(p.key);
  const s = cardState(p, c);
  const labels = {
    'not-configured': ['', 'Not configured'], 'not-connected': ['', 'Not connected'],
    connected: ['ok', 'Connected'], pending: ['pending', 'Waiting for consent'],
    error: ['bad', c && c.status === 'reauth_required' ? 'Re-authorization required' : 'Error'],
  };
  const [dotClass, label] = labels[s];
  let detail = null;
  let reason = null;
  let actions = [];
  if (s === 'not-configured') {
    detail = `Ask your administrator to set ${p.missingSetting || 'the client id'}.`;
    actions = [el('button', { disabled: true, 'aria-label': `Connect ${p.name} (not configured)` }, 'Connect')];
  } else if (s === 'not-connected') {
    actions = [el('button', { class: 'primary', 'aria-label': `Connect ${p.name}`, onclick: () => connect(p) }, 'Connect')];
  } else if (s === 'connected') {
    const who = c.account && (c.account.email || c.account.name);
    detail = [who ? `Connected as ${who}` : 'Connected', c.lastSyncAt ? ` · Last synced ${ago(c.lastSyncAt)}` : ''].join('');
    actions = [el('button', { 'aria-label': `Manage ${p.name}`, onclick: () => openDrawer(c.id) }, 'Manage')];
  } else if (s === 'pending') {
    detail = 'Finish the consent in the provider window.';
    actions = [el('button', { class: 'primary', 'aria-label': `Connect ${p.name}`, onclick: () => connect(p) }, 'Connect'),
      el('button', { 'aria-label': `Manage ${p.name}`, onclick: () => openDrawer(c.id) }, 'Manage')];
  } else {
    reason = c.lastError || 'The connection needs attention.';
    actions = [el('button', { class: 'primary', 'aria-label': `Reconnect ${p.name}`, onclick: () => reconnect(c) }, 'Reconnect'),
      el('button', { 'aria-label': `Manage ${p.name}`, onclick: () => openDrawer(c.id) }, 'Manage')];
  }
  return el('article', { class: `card state-${s}`, 'data-provider': p.key, 'data-state': s, 'aria-label': `${p.name}: ${label}` },
    el('div', { class: 'head' },
      el('span', { class: 'logo', 'aria-hidden': 'true' }, p.name.replace(/^Microsoft /, '').slice(0, 2)),
      el('div', {}, el('h3', {}, p.name),
        el('span', { class: 'status' }, el('span', { class: `dot ${dotClass}`, 'aria-hidden': 'true' }), el('span', { class: 'label' }, label)))),
    detail && el('div', { class: 'detail' }, detail),
    reason && el('div', { class: 'reason', role: 'note' }, reason),
    el('div', { class: 'actions' }, actions));
}

// ---------- connect ----------

function watchPopup(popup) {
  if (!popup) { toast('Allow pop-ups for this page to connect.', 'error'); return; }
  const timer = setInterval(() => {
    if (popup.closed) { clearInterval(timer); loadCatalog().catch(showError); }
  }, 400);
}

async function connect(provider) {
  // Opened before the API call so the browser treats it as a reaction to the click, not an unwanted pop-up.
  const popup = window.open('about:blank', 'hub-connect', 'width=560,height=720');
  try {
    const created = await api('/connections', { method: 'POST', body: { provider: provider.key } });
    if (created.authorizeUrl && popup) {
      popup.location.href = created.authorizeUrl;
      watchPopup(popup);
    } else {
      if (popup) popup.close();
      await loadCatalog();
    }
  } catch (err) {
    if (popup) popup.close();
    showError(err);
  }
}

async function reconnect(connection) {
  const popup = window.open('about:blank', 'hub-connect', 'width=560,height=720');
  try {
    const { authorizeUrl } = await api(`/connections/${connection.id}/reauthorize`, { method: 'POST' });
    popup.location.href = authorizeUrl;
    watchPopup(popup);
  } catch (err) {
    if (popup) popup.close();
    showError(err);
  }
}

// ---------- manage drawer ----------

function section(title, ...content) {
  return el('section', { 'aria-label': title }, el('h3', {}, title), ...content);
}

async function openDrawer(connectionId) {
  const c = state.connections.find((x) => x.id === connectionId);
  const p = state.providers.find((x) => x.key === c.provider);
  state.open = c;
  $('drawer-title').textContent = `${p.name}${c.name && c.name !== p.name ? ` — ${c.name}` : ''}`;
  const health = el('p', { id: 'health', role: 'status' }, 'Checking connection…');
  const body = $('drawer-body');
  body.replaceChildren(
    section('Health', health),
    section('Account', el('dl', { class: 'kv' },
      el('dt', {}, 'Status'), el('dd', { id: 'account-status' }, c.status),
      el('dt', {}, 'Account'), el('dd', {}, (c.account && (c.account.name || c.account.id)) || '—'),
      el('dt', {}, 'Email'), el('dd', {}, (c.account && c.account.email) || '—'),
      el('dt', {}, 'Scopes'), el('dd', {}, (c.scopes || []).join(', ') || '—'),
      el('dt', {}, 'Connected'), el('dd', {}, c.createdAt ? new Date(c.createdAt).toLocaleString() : '—'),
      el('dt', {}, 'Last error'), el('dd', {}, c.lastError || '—'))),
    section('Data', ...(p.entities.length ? p.entities.map((e) => entityRow(c, e)) : [el('p', {}, 'This provider has nothing to sync.')])),
    section('Sync log', el('div', { id: 'sync-log' }, 'Loading…')),
    section('Webhook events', el('div', { id: 'webhook-events' }, 'Loading…')),
    section('Dead letters', el('div', { id: 'dead-letters' }, 'Loading…')),
    section('Conflicts', el('div', { id: 'conflicts' }, 'Loading…')),
    section('Danger zone', el('div', { class: 'danger-zone' },
      el('p', {}, CONFIRM_TEXT),
      el('button', { class: 'danger', id: 'disconnect', onclick: () => askDisconnect(c) }, 'Disconnect & delete credentials'))));
  $('drawer').hidden = false;
  $('backdrop').hidden = false;
  $('drawer-close').focus();
  runHealthCheck(c, health);
  loadActivity(c);
}

function closeDrawer() {
  $('drawer').hidden = true;
  $('backdrop').hidden = true;
  state.open = null;
}

async function runHealthCheck(c, target) {
  try {
    const r = await api(`/connections/${c.id}/check`, { method: 'POST' });
    target.textContent = `${r.healthy ? 'Healthy' : 'Unhealthy'}: ${r.message || ''}`.trim();
    target.className = r.healthy ? '' : 'error';
  } catch (err) {
    target.textContent = err instanceof ApiError && (err.status === 404 || err.status === 405)
      ? 'Health check is not available for this connection.' : `Health check failed: ${err.message}`;
    target.className = 'error';
  }
}

function entityRow(c, entity) {
  const mode = el('select', { 'aria-label': `Mode for ${entity}` },
    el('option', { value: 'incremental' }, 'Incremental'), el('option', { value: 'full' }, 'Full'));
  const from = el('input', { type: 'date', 'aria-label': `From date for ${entity}` });
  const to = el('input', { type: 'date', 'aria-label': `To date for ${entity}` });
  const schedules = (c.config && c.config.schedules) || {};
  const schedule = el('input', { type: 'text', value: schedules[entity] || '', placeholder: 'PT15M or a cron expression',
    'aria-label': `Schedule for ${entity}` });
  const progress = el('div', { class: 'progress', 'data-entity': entity });
  const start = (body) => startSync(c, entity, body, progress);
  const today = () => { const d = new Date().toISOString().slice(0, 10); return { from: `${d}T00:00:00Z`, to: `${d}T23:59:59Z` }; };
  return el('div', { class: 'entity', 'data-entity': entity },
    el('strong', {}, entity.replace('_', ' ')),
    el('div', { class: 'controls' },
      mode,
      el('button', { class: 'primary', 'aria-label': `Sync ${entity} now`, onclick: () => start({ mode: mode.value }) }, 'Sync now'),
      el('button', { 'aria-label': `Sync ${entity} for today`, onclick: () => start({ mode: 'full', ...today() }) }, 'Sync today')),
    el('div', { class: 'schedule' },
      from, to,
      el('button', { 'aria-label': `Sync ${entity} for the date range`, onclick: () => {
        if (!from.value || !to.value) { toast('Choose both dates of the range.', 'error'); return; }
        start({ mode: 'full', from: `${from.value}T00:00:00Z`, to: `${to.value}T23:59:59Z` });
      } }, 'Sync range')),
    el('div', { class: 'schedule' },
      schedule,
      el('button', { 'aria-label': `Save schedule for ${entity}`, onclick: () => saveSchedule(c, entity, schedule.value.trim()) }, 'Save schedule')),
    progress);
}

async function saveSchedule(c, entity, value) {
  try {
    const updated = await api(`/connections/${c.id}`, { method: 'PATCH',
      body: { config: { schedules: { [entity]: value || null } } } });
    const i = state.connections.findIndex((x) => x.id === c.id);
    state.connections[i] = updated;
    toast(value ? `Schedule for ${entity} saved.` : `Schedule for ${entity} removed.`);
  } catch (err) { showError(err); }
}

async function startSync(c, entity, options, target) {
  try {
    const run = await api(`/connections/${c.id}/syncs`, { method: 'POST', body: { entity, direction: 'pull', ...options } });
    toast(`Sync of ${entity} started.`);
    followSync(run.id, entity, target);
  } catch (err) {
    if (err instanceof ApiError && err.status === 409 && err.problem.runId) {
      toast(`A sync of ${entity} is already running.`);
      followSync(err.problem.runId, entity, target);
    } else showError(err);
  }
}

function followSync(runId, entity, target) {
  const bar = el('progress', { max: 1, value: 0, 'aria-label': `Progress of ${entity} sync` });
  const text = el('span', { class: 'progress-text' }, 'Queued');
  const cancel = el('button', { 'aria-label': `Cancel ${entity} sync`, onclick: async () => {
    try { await api(`/syncs/${runId}/cancel`, { method: 'POST' }); } catch (err) { showError(err); }
  } }, 'Cancel');
  target.replaceChildren(bar, text, ' ', cancel);
  const tick = async () => {
    try {
      const r = await api(`/syncs/${runId}`);
      const total = r.recordsTotal || 0;
      bar.max = total > 0 ? total : Math.max(1, r.recordsProcessed);
      bar.value = r.status === 'succeeded' ? bar.max : r.recordsProcessed;
      text.textContent = `${r.status} · ${r.recordsProcessed}${total ? ` of ${total}` : ''} records`;
      if (['succeeded', 'failed', 'cancelled'].includes(r.status)) {
        clearInterval(state.polls.get(runId));
        state.polls.delete(runId);
        cancel.remove();
        toast(`Sync of ${entity} ${r.status}.`, r.status === 'failed' ? 'error' : 'info');
        if (state.open) loadActivity(state.open);
        loadCatalog().catch(() => {});
      }
    } catch (err) {
      clearInterval(state.polls.get(runId));
      state.polls.delete(runId);
      showError(err);
    }
  };
  state.polls.set(runId, setInterval(tick, 1000));
  tick();
}

// ---------- activity ----------

async function fill(targetId, loader, render) {
  const target = $(targetId);
  if (!target) return;
  try {
    const data = await loader();
    target.replaceChildren(render(data));
  } catch (err) {
    target.replaceChildren(el('p', { class: err instanceof ApiError && err.status >= 500 ? 'error' : '' },
      err instanceof ApiError && (err.status === 404 || err.status === 405) ? 'Not available yet.' : `Could not load: ${err.message}`));
  }
}

const items = (data, field) => (Array.isArray(data) ? data : (data && data[field]) || []);

function table(headers, rows) {
  if (!rows.length) return el('p', {}, 'Nothing yet.');
  return el('table', {}, el('thead', {}, el('tr', {}, headers.map((h) => el('th', { scope: 'col' }, h)))),
    el('tbody', {}, rows));
}

function loadActivity(c) {
  fill('sync-log', () => api(`/connections/${c.id}/syncs?limit=20`), (data) => table(
    ['Entity', 'Mode', 'Status', 'Records', 'Duration', 'Errors'],
    items(data, 'syncs').map((r) => el('tr', { 'data-sync': r.id },
      el('td', {}, r.entity), el('td', {}, r.mode), el('td', {}, r.status),
      el('td', {}, `${r.recordsProcessed}${r.recordsTotal ? ` / ${r.recordsTotal}` : ''} (+${r.created || 0} ~${r.updated || 0} −${r.deleted || 0})`),
      el('td', {}, r.startedAt && r.completedAt ? `${Math.round((Date.parse(r.completedAt) - Date.parse(r.startedAt)) / 100) / 10} s` : '—'),
      el('td', {}, (r.errors || []).length ? el('details', {}, el('summary', {}, `${r.errors.length}`),
        el('pre', {}, JSON.stringify(r.errors, null, 2))) : '0')))));
  fill('webhook-events', () => api(`/webhook-events?provider=${encodeURIComponent(c.provider)}`), (data) => table(
    ['Received', 'Type', 'Status'],
    items(data, 'events').filter((e) => !e.connectionId || e.connectionId === c.id).map((e) => el('tr', {},
      el('td', {}, e.receivedAt ? new Date(e.receivedAt).toLocaleString() : '—'), el('td', {}, e.eventType || '—'),
      el('td', {}, e.status)))));
  fill('dead-letters', () => api('/dead-letters'), (data) => table(
    ['When', 'Route', 'Failure', ''],
    items(data, 'deadLetters').filter((d) => !d.connectionId || d.connectionId === c.id).map((d) => el('tr', { 'data-dead-letter': d.id },
      el('td', {}, d.createdAt ? new Date(d.createdAt).toLocaleString() : '—'), el('td', {}, d.routeId || '—'),
      el('td', {}, d.exceptionMessage || d.exceptionType || '—'),
      el('td', {}, d.status === 'replayed' ? 'Replayed' : el('button', { 'aria-label': `Replay dead letter ${d.id}`, onclick: () => replay(d.id) }, 'Replay'))))));
  fill('conflicts', () => api(`/connections/${c.id}/conflicts`), (data) => table(
    ['Record', 'Local', 'Remote', ''],
    items(data, 'conflicts').map((k) => el('tr', {},
      el('td', {}, `${k.model || ''} ${k.externalId || k.localRef || ''}`),
      el('td', {}, el('pre', {}, JSON.stringify(k.local, null, 1))), el('td', {}, el('pre', {}, JSON.stringify(k.remote, null, 1))),
      el('td', {}, k.status === 'open' || k.status === 'pending'
        ? [el('button', { onclick: () => resolve(c, k, 'local') }, 'Keep local'), ' ', el('button', { onclick: () => resolve(c, k, 'remote') }, 'Keep remote')]
        : k.status)))));
}

async function replay(id) {
  try {
    await api(`/dead-letters/${id}/replay`, { method: 'POST' });
    toast('Dead letter replayed.');
    if (state.open) loadActivity(state.open);
  } catch (err) { showError(err); }
}

async function resolve(c, conflict, keep) {
  try {
    await api(`/connections/${c.id}/conflicts/${conflict.id}/resolve`, { method: 'POST', body: { keep } });
    toast('Conflict resolved.');
    loadActivity(c);
  } catch (err) { showError(err); }
}

// ---------- danger zone ----------

function askDisconnect(c) {
  $('confirm').hidden = false;
  $('confirm-ok').onclick = () => disconnect(c);
  $('confirm-cancel').onclick = closeConfirm;
  $('confirm-cancel').focus();
}

function closeConfirm() { $('confirm').hidden = true; }

async function disconnect(c) {
  closeConfirm();
  try {
    await api(`/connections/${c.id}`, { method: 'DELETE' });
    toast('Disconnected. Historical data is kept.');
    closeDrawer();
    await loadCatalog();
  } catch (err) { showError(err); }
}

init();
