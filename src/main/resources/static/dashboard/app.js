// Integrations dashboard: a tenant admin's view of the public REST API (/api/v1), nothing else. Opened as
// /?session=<connect-session token> it is one end user's view instead (docs/host-integration.md): the token is kept
// in memory only, never the tenant key; the hub lets it reach that end user's connections and nothing else.
const KEY_STORAGE = 'integration-hub.apiKey';
const CONFIRM_TEXT = 'This will stop all data synchronization. Historical data imported will be preserved.';
const FINISHED = ['succeeded', 'failed', 'cancelled'];
const POLICIES = ['last-write-wins', 'prefer-local', 'prefer-remote', 'manual'];
const $ = (id) => document.getElementById(id);

const state = { key: null, session: null, providers: [], connections: [], open: null, runs: new Map(), watches: new Map() };

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
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) node.append(c instanceof Node ? c : String(c));
  return node;
}

function toast(message, kind = 'info') {
  const t = el('div', { class: `toast ${kind}`, role: kind === 'error' ? 'alert' : 'status' }, message);
  $('toasts').append(t);
  setTimeout(() => t.remove(), kind === 'error' ? 8000 : 5000);
}

/** A problem document's title and detail, e.g. "Unprocessable: The hub has no client id for 'xero'." */
function problemText(err) {
  if (err instanceof ApiError) {
    const { title, detail, errors } = err.problem;
    const fields = Array.isArray(errors) && errors.length
      ? ` (${errors.map((e) => [e.field, e.message].filter(Boolean).join(': ')).join('; ')})` : '';
    return `${title || 'Error'}${detail ? `: ${detail}` : ''}${fields}`;
  }
  return `Error: ${err.message}`;
}

function showError(err) {
  if (err instanceof ApiError && err.status === 401 && state.session) {
    sessionEnded();
    return;
  }
  if (err instanceof ApiError && err.status === 401 && state.key) {
    signOut('Your API key is no longer accepted. Sign in again.');
    return;
  }
  toast(problemText(err), 'error');
}

function ago(iso) {
  if (!iso) return null;
  const s = Math.max(0, (Date.now() - Date.parse(iso)) / 1000);
  if (s < 60) return 'just now';
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} d ago`;
}

const when = (iso) => (iso ? new Date(iso).toLocaleString() : '—');
const label = (entity) => entity.replace(/_/g, ' ');

// ---------- sign-in ----------

async function init() {
  $('sign-in-form').addEventListener('submit', (e) => { e.preventDefault(); signIn($('api-key').value.trim()); });
  $('sign-out').addEventListener('click', () => signOut());
  $('drawer-close').addEventListener('click', closeDrawer);
  $('backdrop').addEventListener('click', closeDrawer);
  $('key-form').addEventListener('submit', (e) => { e.preventDefault(); submitKey(); });
  $('key-cancel').addEventListener('click', closeKeyDialog);
  $('pair-form').addEventListener('submit', (e) => { e.preventDefault(); submitPair(); });
  $('pair-cancel').addEventListener('click', closePairDialog);
  document.addEventListener('keydown', (e) => {
    if (e.key !== 'Escape') return;
    if (!$('confirm').hidden) closeConfirm();
    else if (!$('key-dialog').hidden) closeKeyDialog();
    else if (!$('pair-dialog').hidden) closePairDialog();
    else closeDrawer();
  });
  // The OAuth callback page in the popup tells us how the consent ended, then closes itself.
  window.addEventListener('message', (e) => {
    if (e.origin !== location.origin || !e.data || e.data.type !== 'integration-hub.connection') return;
    consentFinished(e.data.connectionId, e.data.status);
  });
  const sessionToken = new URLSearchParams(location.search).get('session');
  if (sessionToken) return openSession(sessionToken);
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
    showSignIn(err instanceof ApiError && err.status === 401 ? 'That API key is not valid.' : problemText(err));
  }
}

// ---------- connect session (one end user, possibly embedded in the host's page) ----------

async function openSession(token) {
  state.key = token;
  $('sign-in').hidden = true;
  try {
    state.session = await api('/connect-sessions/current');
    document.body.classList.add('session');
    const user = state.session.endUser;
    $('session-user').textContent = `Connections of ${user.displayName || user.email || user.id}`;
    $('session-user').hidden = false;
    if (state.session.returnUrl && window.top === window) {
      $('session-return').href = state.session.returnUrl;
      $('session-return').hidden = false;
    }
    await loadCatalog();
    $('catalog').hidden = false;
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) sessionEnded();
    else showSessionMessage(problemText(err));
  }
}

function sessionEnded() {
  for (const run of state.runs.values()) clearInterval(run.timer);
  state.runs.clear();
  for (const w of state.watches.values()) clearInterval(w);
  state.watches.clear();
  state.key = null;
  closeDrawer();
  $('catalog').hidden = true;
  showSessionMessage('This link has expired or was revoked. Open the integrations page again from the application.');
}

function showSessionMessage(message) {
  $('session-message').textContent = message;
  $('session-message').hidden = false;
}

function signOut(message) {
  sessionStorage.removeItem(KEY_STORAGE);
  state.key = null;
  for (const run of state.runs.values()) clearInterval(run.timer);
  state.runs.clear();
  for (const w of state.watches.values()) clearInterval(w);
  state.watches.clear();
  closeDrawer();
  $('api-key').value = '';
  showSignIn(message);
}

// ---------- catalog ----------

async function loadCatalog() {
  const [providers, connections] = await Promise.all([api('/providers'), api('/connections')]);
  state.providers = providers;
  state.connections = connections;
  renderCatalog();
  if (state.open) {
    const fresh = connections.find((c) => c.id === state.open.id);
    if (fresh) {
      state.open = fresh;
      const status = $('account-status');
      if (status) status.textContent = statusText(fresh);
      const lastError = $('account-last-error');
      if (lastError) lastError.textContent = fresh.lastError || '—';
    }
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

function statusText(c) {
  return { active: 'Connected', pending: 'Waiting for consent', error: 'Error', reauth_required: 'Re-authorization required',
    disconnected: 'Disconnected' }[c.status] || c.status;
}

function renderCatalog() {
  const root = $('catalog');
  const focused = document.activeElement && document.activeElement.closest && document.activeElement.closest('.card');
  const focusKey = focused ? [focused.dataset.provider, document.activeElement.textContent] : null;
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
  if (focusKey) {
    // A re-render must not throw keyboard users back to the top of the page.
    const again = [...root.querySelectorAll(`.card[data-provider="${CSS.escape(focusKey[0])}"] button`)]
      .find((b) => b.textContent === focusKey[1]);
    if (again) again.focus();
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
  const [dotClass, text] = labels[s];
  let detail = null;
  let reason = null;
  let actions = [];
  if (s === 'not-configured') {
    detail = `Ask your administrator to set ${p.missingSetting || 'the client id'}.`;
    actions = [el('button', { disabled: true, 'aria-label': `Connect ${p.name} (not configured)` }, 'Connect')];
  } else if (s === 'not-connected') {
    actions = [el('button', { class: 'primary', 'aria-label': `Connect ${p.name}`, onclick: () => connect(p) }, 'Connect')];
    if (p.clientCredentials) {
      actions.push(el('button', { 'aria-label': `Connect ${p.name} with a key pair`, onclick: () => openPairDialog(p) }, 'Use a key pair'));
    }
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
    actions = [el('button', { class: 'primary', 'aria-label': `Reconnect ${p.name}`, onclick: () => reconnect(c, p) }, 'Reconnect'),
      el('button', { 'aria-label': `Manage ${p.name}`, onclick: () => openDrawer(c.id) }, 'Manage')];
  }
  return el('article', { class: `card state-${s}`, 'data-provider': p.key, 'data-state': s, 'aria-label': `${p.name}: ${text}` },
    el('div', { class: 'head' },
      el('span', { class: 'logo', 'aria-hidden': 'true' }, p.name.replace(/^Microsoft /, '').slice(0, 2)),
      el('div', {}, el('h3', {}, p.name),
        el('span', { class: 'status' }, el('span', { class: `dot ${dotClass}`, 'aria-hidden': 'true' }), el('span', { class: 'label' }, text)))),
    detail && el('div', { class: 'detail' }, detail),
    reason && el('div', { class: 'reason', role: 'note' }, reason),
    el('div', { class: 'actions' }, actions));
}

// ---------- connect ----------

function openPopup() {
  // Opened before the API call so the browser treats it as a reaction to the click, not an unwanted pop-up.
  return window.open('about:blank', 'hub-connect', 'width=560,height=720');
}

/**
 * Follows a consent running in the popup: the callback page posts its outcome (see init). As a fallback — a
 * provider page that cuts the opener link, a callback that cannot reach us — the connection is polled until it
 * differs from `before` (as it was when the consent started), for at most ten minutes and at most two
 * minutes after the popup was closed.
 */
function watchConsent(connectionId, popup, before) {
  clearInterval(state.watches.get(connectionId));
  const started = Date.now();
  let closedAt = null;
  const timer = setInterval(async () => {
    const now = Date.now();
    if (!state.key || now - started > 10 * 60 * 1000 || (closedAt && now - closedAt > 2 * 60 * 1000)) {
      clearInterval(timer);
      state.watches.delete(connectionId);
      return;
    }
    if (!closedAt && popup && popup.closed) {
      closedAt = now;
      loadCatalog().catch(() => {});
    }
    try {
      const c = await api(`/connections/${connectionId}`);
      if (c.status !== before.status || (before.updatedAt && c.updatedAt !== before.updatedAt)) consentFinished(connectionId, c.status);
    } catch { /* keep trying until the watch ends */ }
  }, 2000);
  state.watches.set(connectionId, timer);
}

async function consentFinished(connectionId, status) {
  if (state.watches.has(connectionId)) {
    clearInterval(state.watches.get(connectionId));
    state.watches.delete(connectionId);
  } else if (!state.connections.some((c) => c.id === connectionId)) {
    return;
  }
  try {
    await loadCatalog();
    const c = state.connections.find((x) => x.id === connectionId);
    const p = c && state.providers.find((x) => x.key === c.provider);
    const name = p ? p.name : 'The provider';
    if (status === 'active') toast(`${name} is connected.`);
    else if (c && c.status !== 'pending') toast(`${name} was not connected: ${c.lastError || statusText(c)}`, 'error');
  } catch (err) { showError(err); }
}

async function connect(provider, config = null, opened = null) {
  if (provider.authType === 'api_key') { openKeyDialog(provider); return; }
  const popup = opened || openPopup();
  if (!popup) { toast('Allow pop-ups for this page to connect.', 'error'); return; }
  try {
    const created = await api('/connections', { method: 'POST', body: { provider: provider.key, ...(config ? { config } : {}) } });
    popup.location.href = created.authorizeUrl;
    watchConsent(created.id, popup, { status: 'pending' });
    await loadCatalog();
  } catch (err) {
    // A provider whose account lives at its own URL (a Simpro build's buildUrl) needs it before consent: ask once.
    const missing = !config && err instanceof ApiError && err.status === 422 && (err.problem.errors || [])
      .find((e) => /^\/config\/[A-Za-z]+$/.test(e.field || '') && /^required/.test(e.message || ''));
    const value = missing && window.prompt(`${provider.name}: ${missing.message}`);
    if (value && value.trim()) { connect(provider, { [missing.field.slice('/config/'.length)]: value.trim() }, popup); return; }
    popup.close();
    showError(err);
  }
}

async function reconnect(connection, provider) {
  if (provider && provider.authType === 'api_key') { openKeyDialog(provider); return; }
  const popup = openPopup();
  if (!popup) { toast('Allow pop-ups for this page to reconnect.', 'error'); return; }
  try {
    // An empty object: the API wants a JSON body here even though every field of it is optional.
    const { authorizeUrl } = await api(`/connections/${connection.id}/reauthorize`, { method: 'POST', body: {} });
    popup.location.href = authorizeUrl;
    watchConsent(connection.id, popup, connection);
  } catch (err) {
    popup.close();
    showError(err);
  }
}

// API-key providers (an OData ERP, HubSpot private apps) are connected with a key instead of a consent page.
function openKeyDialog(provider) {
  const dialog = $('key-dialog');
  dialog.dataset.provider = provider.key;
  $('key-title').textContent = `Connect ${provider.name}`;
  $('provider-key').value = '';
  $('key-error').hidden = true;
  dialog.hidden = false;
  $('provider-key').focus();
}

function closeKeyDialog() { $('key-dialog').hidden = true; }

async function submitKey() {
  const dialog = $('key-dialog');
  const provider = state.providers.find((p) => p.key === dialog.dataset.provider);
  const apiKey = $('provider-key').value.trim();
  if (!provider || !apiKey) return;
  $('key-ok').disabled = true;
  try {
    await api('/connections', { method: 'POST', body: { provider: provider.key, credentials: { apiKey } } });
    closeKeyDialog();
    toast(`${provider.name} is connected.`);
    await loadCatalog();
  } catch (err) {
    $('key-error').textContent = problemText(err);
    $('key-error').hidden = false;
  } finally {
    $('provider-key').value = '';
    $('key-ok').disabled = false;
  }
}

// Providers that also accept the tenant's own client id and secret (client credentials, e.g. a Simpro build's key).
function openPairDialog(provider) {
  const dialog = $('pair-dialog');
  dialog.dataset.provider = provider.key;
  $('pair-title').textContent = `Connect ${provider.name} with a key pair`;
  $('pair-client-id').value = '';
  $('pair-client-secret').value = '';
  $('pair-url').value = '';
  $('pair-url-row').hidden = !provider.connectionUrlField;
  $('pair-error').hidden = true;
  dialog.hidden = false;
  $('pair-client-id').focus();
}

function closePairDialog() { $('pair-dialog').hidden = true; }

async function submitPair() {
  const dialog = $('pair-dialog');
  const provider = state.providers.find((p) => p.key === dialog.dataset.provider);
  const clientId = $('pair-client-id').value.trim();
  const clientSecret = $('pair-client-secret').value;
  if (!provider || !clientId || !clientSecret) return;
  const url = $('pair-url').value.trim();
  const body = { provider: provider.key, credentials: { clientId, clientSecret } };
  if (url && provider.connectionUrlField) body.config = { [provider.connectionUrlField]: url };
  $('pair-ok').disabled = true;
  try {
    await api('/connections', { method: 'POST', body });
    closePairDialog();
    toast(`${provider.name} is connected.`);
    await loadCatalog();
  } catch (err) {
    $('pair-error').textContent = problemText(err);
    $('pair-error').hidden = false;
  } finally {
    $('pair-client-secret').value = '';
    $('pair-ok').disabled = false;
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
      el('dt', {}, 'Status'), el('dd', { id: 'account-status' }, statusText(c)),
      el('dt', {}, 'Account'), el('dd', {}, (c.account && (c.account.name || c.account.id)) || '—'),
      el('dt', {}, 'Email'), el('dd', {}, (c.account && c.account.email) || '—'),
      el('dt', {}, 'Account id'), el('dd', {}, (c.account && c.account.id) || '—'),
      el('dt', {}, 'Scopes'), el('dd', {}, (c.scopes || []).join(', ') || '—'),
      el('dt', {}, 'Connected'), el('dd', {}, when(c.createdAt)),
      el('dt', {}, 'Last synced'), el('dd', {}, c.lastSyncAt ? `${when(c.lastSyncAt)} (${ago(c.lastSyncAt)})` : '—'),
      c.authorizationExpiresAt && el('dt', {}, 'Consent valid until'), c.authorizationExpiresAt && el('dd', {}, when(c.authorizationExpiresAt)),
      el('dt', {}, 'Last error'), el('dd', { id: 'account-last-error' }, c.lastError || '—'))),
    section('Data', ...(p.entities.length ? p.entities.map((e) => entityRow(c, e)) : [el('p', {}, 'This provider has nothing to sync.')])),
    el('div', { id: 'family-panel' }),
    settingsSection(c, p),
    el('section', { 'aria-label': 'Activity', class: 'activity' },
      el('div', { class: 'section-head' }, el('h3', {}, 'Activity'),
        el('button', { class: 'link', 'aria-label': 'Refresh activity', onclick: () => loadActivity(state.open) }, 'Refresh')),
      el('h4', {}, 'Sync log'), el('div', { id: 'sync-log' }, 'Loading…'),
      !state.session && el('h4', {}, 'Webhook events'), !state.session && el('div', { id: 'webhook-events' }, 'Loading…'),
      !state.session && el('h4', {}, 'Dead letters'), !state.session && el('div', { id: 'dead-letters' }, 'Loading…'),
      el('h4', {}, 'Conflicts'), el('div', { id: 'conflicts' }, 'Loading…')),
    section('Danger zone', el('div', { class: 'danger-zone' },
      el('p', {}, CONFIRM_TEXT),
      el('button', { class: 'danger', id: 'disconnect', onclick: () => askDisconnect(c) }, 'Disconnect & delete credentials'))));
  $('drawer').hidden = false;
  $('backdrop').hidden = false;
  $('drawer').scrollTop = 0;
  $('drawer-close').focus();
  for (const [runId, run] of state.runs) if (run.connectionId === c.id) renderRun(runId, run);
  runHealthCheck(c, health);
  loadActivity(c);
  loadFamilyPanel(c, p);
}

// A family's own part of the drawer (organisation or location choice, folder pickers, "Sync today", …) lives in
// /dashboard/families/<provider>.js, a module exporting panel(connection, provider, kit) that returns the nodes to
// show (or a promise of them); kit holds the dashboard's helpers below, so a family module needs no other import.
const FAMILY_PANELS = new Set(['xero', 'simpro', 'square', 'google-drive', 'hubspot', 'business-central', 'slack']);

async function loadFamilyPanel(c, p) {
  const slot = $('family-panel');
  if (!slot || !FAMILY_PANELS.has(c.provider)) return;
  try {
    const mod = await import(`./families/${c.provider}.js`);
    const nodes = await mod.panel(c, p, familyKit());
    if (state.open && state.open.id === c.id && nodes) slot.replaceChildren(...[nodes].flat().filter(Boolean));
  } catch (err) {
    if (state.open && state.open.id === c.id) {
      slot.replaceChildren(el('p', { class: 'error', role: 'alert' }, `This provider's settings could not be shown: ${problemText(err)}`));
    }
  }
}

function familyKit() {
  const refreshSyncLog = () => { if (state.open) loadSyncLog(state.open); };
  return { api, el, section, toast, showError, problemText, patchConnection, startSync, followSync, label, when, ago, state,
    refreshSyncLog };
}

function closeDrawer() {
  const wasOpen = state.open;
  $('drawer').hidden = true;
  $('backdrop').hidden = true;
  closeConfirm();
  state.open = null;
  // Back to the card the drawer was opened from (the catalog may have been re-rendered meanwhile).
  const card = wasOpen && document.querySelector(`.card[data-provider="${CSS.escape(wasOpen.provider)}"]`);
  const target = card && (card.querySelector('button[aria-label^="Manage"]') || card.querySelector('button:not([disabled])'));
  if (target) target.focus();
}

async function runHealthCheck(c, target) {
  try {
    const r = await api(`/connections/${c.id}/check`, { method: 'POST' });
    target.textContent = `${r.healthy ? 'Healthy' : 'Unhealthy'}: ${r.message || ''}`.trim();
    target.className = r.healthy ? 'ok' : 'error';
    // The check may have found a dead grant (the connection then needs re-authorization): show it everywhere.
    await loadCatalog();
  } catch (err) {
    target.textContent = `Health check failed: ${problemText(err)}`;
    target.className = 'error';
  }
}

function entityRow(c, entity) {
  const p = state.providers.find((x) => x.key === c.provider);
  const caps = ((p && p.syncs) || []).find((x) => x.entity === entity) || { pull: true, push: false };
  if (!caps.pull) return pushOnlyRow(c, entity, caps);
  const mode = el('select', { 'aria-label': `Mode for ${entity}` },
    el('option', { value: 'incremental' }, 'Incremental'), el('option', { value: 'full' }, 'Full'));
  const from = el('input', { type: 'date', 'aria-label': `From date for ${entity}` });
  const to = el('input', { type: 'date', 'aria-label': `To date for ${entity}` });
  const schedules = (c.config && c.config.schedules) || {};
  const schedule = el('input', { type: 'text', value: schedules[entity] || '', placeholder: 'PT15M or a cron expression',
    'aria-label': `Schedule for ${entity}` });
  const start = (body) => startSync(c, entity, body);
  const today = () => { const d = new Date().toISOString().slice(0, 10); return { from: `${d}T00:00:00Z`, to: `${d}T23:59:59Z` }; };
  return el('div', { class: 'entity', 'data-entity': entity },
    el('strong', {}, label(entity)),
    el('div', { class: 'controls' },
      mode,
      el('button', { class: 'primary', 'aria-label': `Sync ${entity} now`, onclick: () => start({ mode: mode.value }) }, 'Sync now'),
      el('button', { 'aria-label': `Sync ${entity} for today`, onclick: () => start({ mode: 'full', ...today() }) }, 'Sync today')),
    el('div', { class: 'range' },
      from, el('span', { 'aria-hidden': 'true' }, '–'), to,
      el('button', { 'aria-label': `Sync ${entity} for the date range`, onclick: () => {
        if (!from.value || !to.value) { toast('Choose both dates of the range.', 'error'); return; }
        start({ mode: 'full', from: `${from.value}T00:00:00Z`, to: `${to.value}T23:59:59Z` });
      } }, 'Sync range')),
    el('div', { class: 'schedule' },
      schedule,
      el('button', { 'aria-label': `Save schedule for ${entity}`, onclick: () => saveSchedule(c, entity, schedule.value.trim()) }, 'Save schedule')),
    el('div', { class: 'progress', 'data-entity': entity }));
}

/** An entity the hub only pushes (e.g. Outlook calendar events): a full resync of what it pushed, no pull controls. */
function pushOnlyRow(c, entity, caps) {
  return el('div', { class: 'entity', 'data-entity': entity },
    el('strong', {}, label(entity)),
    caps.push
      ? el('div', { class: 'controls' },
        el('span', { class: 'hint' }, 'Pushed by the host application; resync sends every linked item again and removes orphans.'),
        el('button', { class: 'primary', 'aria-label': `Resync ${entity} to the provider`,
          onclick: () => startSync(c, entity, { direction: 'push', mode: 'full' }) }, 'Resync now'))
      : el('p', { class: 'hint' }, 'No sync for this entity on this hub yet.'),
    el('div', { class: 'progress', 'data-entity': entity }));
}

/** OneDrive: the folder holding the job folders (config.rootPath), chosen with a picker over the drive's folders. */
function rootFolderSetting(c) {
  const current = (c.config && c.config.rootPath) || 'Jobs';
  const shown = el('code', { id: 'root-folder' }, `/${current}`);
  const picker = el('div', { class: 'folder-picker', id: 'folder-picker', hidden: true });
  const open = async (parent) => {
    picker.hidden = false;
    picker.replaceChildren(el('p', { role: 'status' }, 'Loading folders…'));
    try {
      const q = parent ? `?parentId=${encodeURIComponent(parent.id)}` : '';
      const listing = await api(`/connections/${c.id}/folders${q}`);
      const here = listing.parent;
      const rows = listing.folders.map((f) => el('li', {},
        el('button', { class: 'link folder', 'aria-label': `Open folder ${f.path}`, onclick: () => open(f) }, f.name)));
      picker.replaceChildren(...[
        el('p', {}, 'Folder: ', el('code', {}, here.path)),
        here.path !== '/' ? el('button', { class: 'link', 'aria-label': 'Up to the drive root', onclick: () => open(null) }, '⟵ Drive root') : null,
        rows.length ? el('ul', { class: 'folders' }, rows) : el('p', { class: 'hint' }, 'No sub-folders.'),
        el('div', { class: 'controls' },
          el('button', { class: 'primary', 'aria-label': `Use ${here.path} as the job folder root`, disabled: here.path === '/',
            onclick: async () => {
              const path = here.path.replace(/^\//, '');
              const updated = await patchConnection(c, { config: { rootPath: path } }, `Job folders now go under /${path}.`);
              if (updated) { shown.textContent = `/${path}`; picker.hidden = true; }
            } }, 'Use this folder'),
          el('button', { 'aria-label': 'Close the folder picker', onclick: () => { picker.hidden = true; } }, 'Cancel')),
      ].filter(Boolean)); // replaceChildren would show a null as the text "null"
    } catch (err) {
      picker.replaceChildren(el('p', { class: 'error', role: 'alert' }, `Folders could not be listed: ${problemText(err)}`));
    }
  };
  return el('div', { class: 'setting' }, el('label', {}, 'Job folders root'), shown,
    el('button', { 'aria-label': 'Choose the job folders root', onclick: () => open(null) }, 'Browse…'), picker);
}

/** Outlook mail: folders captured besides Inbox and Sent Items (config.mail.folders), added with a picker over the mailbox. */
function mailFoldersSetting(c) {
  const current = (c.config && c.config.mail && Array.isArray(c.config.mail.folders)) ? c.config.mail.folders : [];
  const node = el('div', { class: 'setting', id: 'mail-folders-setting' });
  const save = async (folders, message) => {
    const updated = await patchConnection(c, { config: { mail: { folders } } }, message);
    if (updated) node.replaceWith(mailFoldersSetting(updated));
  };
  const picker = el('div', { class: 'folder-picker', id: 'mail-folder-picker', hidden: true });
  const open = async () => {
    picker.hidden = false;
    picker.replaceChildren(el('p', { role: 'status' }, 'Loading mail folders…'));
    try {
      const listing = await api(`/connections/${c.id}/folders`);
      const always = ['inbox', 'sentitems'];
      const rows = listing.folders.map((f) => {
        const watched = current.includes(f.id) || always.includes(f.id.toLowerCase());
        return el('li', {}, `${f.name} `, watched ? el('span', { class: 'hint' }, '(captured)')
          : el('button', { class: 'link', 'aria-label': `Watch mail folder ${f.name}`,
            onclick: () => save([...current, f.id], `${f.name} is now captured.`) }, 'Watch'));
      });
      picker.replaceChildren(el('ul', { class: 'folders' }, rows),
        el('button', { 'aria-label': 'Close the mail folder picker', onclick: () => { picker.hidden = true; } }, 'Close'));
    } catch (err) {
      picker.replaceChildren(el('p', { class: 'error', role: 'alert' }, `Mail folders could not be listed: ${problemText(err)}`));
    }
  };
  node.append(el('label', {}, 'Captured folders'),
    el('div', {}, el('span', { class: 'hint' }, 'Inbox, Sent Items'),
      el('ul', { class: 'folders', id: 'watched-mail-folders' }, current.map((f) => el('li', {}, el('code', {}, f), ' ',
        el('button', { class: 'link', 'aria-label': `Stop capturing ${f}`,
          onclick: () => save(current.filter((x) => x !== f), `${f} is no longer captured.`) }, 'Remove'))))),
    el('button', { 'aria-label': 'Add a captured mail folder', onclick: open }, 'Add folder…'), picker);
  return node;
}

/** Settings the hub has for every provider: the connection's name and, where the provider takes pushes, conflict policies. */
function settingsSection(c, p) {
  const name = el('input', { type: 'text', value: c.name || '', 'aria-label': 'Connection name', maxlength: 200 });
  const rows = [el('div', { class: 'setting' }, el('label', {}, 'Name'), name,
    el('button', { 'aria-label': 'Save connection name', onclick: () => patchConnection(c, { name: name.value.trim() }, 'Name saved.') }, 'Save'))];
  if (c.provider === 'onedrive' && c.status === 'active') rows.push(rootFolderSetting(c));
  if (c.provider === 'outlook' && c.status === 'active') rows.push(mailFoldersSetting(c));
  if ((p.actions || []).length && p.entities.length) {
    const current = (c.config && c.config.conflicts) || {};
    for (const entity of p.entities) {
      const select = el('select', { 'aria-label': `Conflict policy for ${entity}` },
        POLICIES.map((policy) => el('option', { value: policy, selected: (current[entity] || 'last-write-wins') === policy }, policy)));
      select.addEventListener('change', () => patchConnection(c, { config: { conflicts: { [entity]: select.value } } },
        `Conflict policy for ${label(entity)}: ${select.value}.`));
      rows.push(el('div', { class: 'setting' }, el('label', {}, `Conflicts: ${label(entity)}`), select));
    }
  }
  return section('Settings', ...rows);
}

async function patchConnection(c, body, message) {
  try {
    const updated = await api(`/connections/${c.id}`, { method: 'PATCH', body });
    const i = state.connections.findIndex((x) => x.id === c.id);
    if (i >= 0) state.connections[i] = updated;
    if (state.open && state.open.id === c.id) state.open = updated;
    toast(message);
    renderCatalog();
    return updated;
  } catch (err) { showError(err); return null; }
}

function saveSchedule(c, entity, value) {
  return patchConnection(c, { config: { schedules: { [entity]: value || null } } },
    value ? `Schedule for ${entity} saved.` : `Schedule for ${entity} removed.`);
}

// ---------- syncs ----------

async function startSync(c, entity, options) {
  try {
    const run = await api(`/connections/${c.id}/syncs`, { method: 'POST', body: { entity, direction: 'pull', ...options } });
    toast(`Sync of ${label(entity)} started.`);
    followSync(run.id, c.id, entity);
  } catch (err) {
    if (err instanceof ApiError && err.status === 409 && err.problem.runId) {
      toast(`A sync of ${label(entity)} is already running.`);
      followSync(err.problem.runId, c.id, entity);
    } else showError(err);
  }
}

/** Polls a run each second until it ends; its progress shows in the drawer whenever that connection is open. */
function followSync(runId, connectionId, entity, run = null) {
  if (state.runs.has(runId)) return;
  const entry = { connectionId, entity, run, timer: null };
  state.runs.set(runId, entry);
  const tick = async () => {
    try {
      entry.run = await api(`/syncs/${runId}`);
      renderRun(runId, entry);
      if (FINISHED.includes(entry.run.status)) {
        clearInterval(entry.timer);
        state.runs.delete(runId);
        const r = entry.run;
        const counts = `${r.recordsProcessed} ${r.recordsProcessed === 1 ? 'record' : 'records'} (+${r.created} ~${r.updated} −${r.deleted})`;
        if (r.status === 'failed') toast(`Sync of ${label(entity)} failed: ${r.message || 'see the sync log'}`, 'error');
        else toast(`Sync of ${label(entity)} ${r.status}: ${counts}.`);
        if (state.open && state.open.id === connectionId) loadSyncLog(state.open);
        loadCatalog().catch(() => {});
      }
    } catch (err) {
      clearInterval(entry.timer);
      state.runs.delete(runId);
      showError(err);
    }
  };
  entry.timer = setInterval(tick, 1000);
  if (run) renderRun(runId, entry);
  tick();
}

function renderRun(runId, entry) {
  if (!state.open || state.open.id !== entry.connectionId || !entry.run) return;
  // A family panel's own slot for the entity (Square's "Sales" bar) before the generic row's in "Data".
  const selector = `.progress[data-entity="${CSS.escape(entry.entity)}"]`;
  const slot = document.querySelector(`#family-panel ${selector}`) || document.querySelector(`#drawer-body ${selector}`);
  if (!slot) return;
  let view = slot.querySelector(`[data-run="${CSS.escape(runId)}"]`);
  if (!view) {
    view = el('div', { class: 'run', 'data-run': runId },
      el('progress', { 'aria-label': `Progress of ${entry.entity} sync` }),
      el('span', { class: 'progress-text' }),
      el('button', { class: 'cancel', 'aria-label': `Cancel ${entry.entity} sync`, onclick: () => cancelSync(runId, entry.entity) }, 'Cancel'));
    slot.replaceChildren(view);
  }
  const r = entry.run;
  const bar = view.querySelector('progress');
  const total = r.recordsTotal || 0;
  // A family that measures its own progress (Square's sales backfill: the dates covered) moves the bar by it.
  const share = typeof r.progress === 'number' && !total ? r.progress : null;
  if (share !== null && r.status === 'running') {
    bar.max = 1000;
    bar.value = Math.round(share * 1000);
  } else if (r.status === 'succeeded') {
    bar.max = Math.max(1, total || r.recordsProcessed);
    bar.value = bar.max;
  } else if (total > 0) {
    bar.max = total;
    bar.value = Math.min(r.recordsProcessed, total);
  } else if (r.status === 'running' || r.status === 'queued') {
    bar.removeAttribute('value'); // indeterminate: the provider does not tell a total
  } else {
    bar.max = Math.max(1, r.recordsProcessed);
    bar.value = r.recordsProcessed;
  }
  const pct = total > 0 ? ` (${Math.round((100 * Math.min(r.recordsProcessed, total)) / total)}%)`
    : share !== null ? ` (${Math.round(100 * share)}%)` : '';
  const noun = r.recordsProcessed === 1 && !total ? 'record' : 'records';
  const text = `${r.status[0].toUpperCase()}${r.status.slice(1)} · ${r.recordsProcessed}${total ? ` of ${total}` : ''} ${noun}${pct}`;
  view.querySelector('.progress-text').textContent = text;
  bar.setAttribute('aria-valuetext', text);
  view.dataset.status = r.status;
  if (FINISHED.includes(r.status)) view.querySelector('.cancel')?.remove();
}

async function cancelSync(runId, entity) {
  try {
    await api(`/syncs/${runId}/cancel`, { method: 'POST' });
    toast(`Cancelling the ${label(entity)} sync…`);
  } catch (err) { showError(err); }
}

// ---------- activity ----------

async function fill(targetId, loader, render) {
  const target = $(targetId);
  if (!target) return null;
  try {
    const data = await loader();
    if ($(targetId) === target) target.replaceChildren(render(data));
    return data;
  } catch (err) {
    target.replaceChildren(el('p', { class: 'error' }, `Could not load: ${problemText(err)}`));
    return null;
  }
}

const items = (data, field) => (Array.isArray(data) ? data : (data && data[field]) || []);

function table(caption, headers, rows) {
  if (!rows.length) return el('p', { class: 'empty' }, 'Nothing yet.');
  // Narrow screens show each row as a stacked card; the cells then carry their column name.
  for (const row of rows) [...row.children].forEach((td, i) => { if (headers[i]) td.dataset.label = headers[i]; });
  return el('div', { class: 'table-wrap' }, el('table', {}, el('caption', { class: 'sr-only' }, caption),
    el('thead', {}, el('tr', {}, headers.map((h) => el('th', { scope: 'col' }, h)))),
    el('tbody', {}, rows)));
}

function duration(r) {
  if (!r.startedAt || !r.completedAt) return '—';
  const s = (Date.parse(r.completedAt) - Date.parse(r.startedAt)) / 1000;
  return s < 60 ? `${Math.round(s * 10) / 10} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

function loadActivity(c) {
  if (!c) return;
  loadSyncLog(c);
  // Webhook events and dead letters are the tenant's, not an end user's: a connect session does not see them.
  if (!state.session) loadWebhookActivity(c);
  loadConflicts(c);
}

function loadSyncLog(c) {
  return fill('sync-log', () => api(`/connections/${c.id}/syncs?limit=20`), (data) => {
    const runs = items(data, 'syncs');
    for (const r of runs) if (!FINISHED.includes(r.status)) followSync(r.id, c.id, r.entity, r);
    return table('Sync log, newest first', ['Started', 'Entity', 'Mode', 'Status', 'Records', 'Duration', 'Errors'],
      runs.map((r) => {
        const problems = [...(r.message ? [r.message] : []), ...(r.errors || []).map((e) => `${e.externalId ? `${e.externalId}: ` : ''}${e.message}`)];
        return el('tr', { 'data-sync': r.id, 'data-status': r.status },
          el('td', {}, when(r.startedAt || r.createdAt)), el('td', {}, label(r.entity)),
          el('td', {}, `${r.mode}${r.from || r.to ? ' (range)' : ''}`), el('td', { class: `st-${r.status}` }, r.status),
          el('td', {}, `${r.recordsProcessed}${r.recordsTotal ? ` / ${r.recordsTotal}` : ''} (+${r.created || 0} ~${r.updated || 0} −${r.deleted || 0})`),
          el('td', {}, duration(r)),
          el('td', {}, problems.length ? el('details', {}, el('summary', {}, `${(r.errors || []).length || 1} — show`),
            el('ul', { class: 'errors' }, problems.map((m) => el('li', {}, m)))) : '0'));
      }));
  });
}

async function loadWebhookActivity(c) {
  const letters = await fill('dead-letters', () => api('/dead-letters?limit=50'), (data) => table('Dead letters',
    ['When', 'Route', 'Failure', ''],
    items(data, 'deadLetters').filter((d) => d.connectionId === c.id).map((d) => el('tr', { 'data-dead-letter': d.id, 'data-status': d.status },
      el('td', {}, when(d.createdAt)), el('td', {}, d.routeId || '—'),
      el('td', {}, d.exceptionMessage || d.exceptionType || '—'),
      el('td', {}, d.status === 'replayed' ? `Replayed ${ago(d.replayedAt) || ''}`.trim()
        : d.sourceType === 'webhook_event'
          ? el('button', { 'aria-label': `Replay dead letter ${d.id}`, onclick: (e) => replay(d, e.target) }, 'Replay')
          : 'Not replayable')))));
  const failedEvents = new Map(items(letters, 'deadLetters').filter((d) => d.status === 'failed' && d.sourceType === 'webhook_event')
    .map((d) => [d.sourceId, d]));
  await fill('webhook-events', () => api(`/webhook-events?provider=${encodeURIComponent(c.provider)}&limit=20`), (data) => table('Webhook events',
    ['Received', 'Type', 'Status', ''],
    items(data, 'events').filter((e) => e.connectionId === c.id).map((e) => el('tr', { 'data-webhook-event': e.id, 'data-status': e.status },
      el('td', {}, when(e.receivedAt)), el('td', {}, e.eventType || '—'),
      el('td', { class: `st-${e.status}` }, e.error ? el('details', {}, el('summary', {}, e.status), el('p', {}, e.error)) : e.status),
      el('td', {}, failedEvents.has(e.id)
        ? el('button', { 'aria-label': `Replay webhook event ${e.id}`, onclick: (ev) => replay(failedEvents.get(e.id), ev.target) }, 'Replay')
        : '')))));
}

async function replay(letter, button) {
  if (button) button.disabled = true;
  try {
    await api(`/dead-letters/${letter.id}/replay`, { method: 'POST' });
    toast('Dead letter replayed: the event is processed again.');
    const c = state.open;
    if (!c) return;
    await loadWebhookActivity(c);
    // Follow the replayed event until the pipeline has taken it (processed, failed again or ignored).
    for (let i = 0; i < 30 && state.open === c; i++) {
      await new Promise((r) => setTimeout(r, 1000));
      const page = await api(`/webhook-events?provider=${encodeURIComponent(c.provider)}&limit=50`);
      const event = items(page, 'events').find((e) => e.id === letter.sourceId);
      if (!event || !['received', 'queued', 'processing'].includes(event.status)) break;
    }
    if (state.open === c) await loadWebhookActivity(c);
  } catch (err) {
    if (button) button.disabled = false;
    showError(err);
  }
}

function sideBySide(local, remote) {
  const keys = [...new Set([...Object.keys(local || {}), ...Object.keys(remote || {})])].sort();
  const cell = (obj, other) => el('dl', { class: 'version' }, keys.flatMap((k) => {
    const v = obj && k in obj ? JSON.stringify(obj[k]) : '—';
    const differs = JSON.stringify((obj || {})[k]) !== JSON.stringify((other || {})[k]);
    return [el('dt', {}, k), el('dd', { class: differs ? 'differs' : '' }, differs ? el('mark', {}, v) : v)];
  }));
  return [el('td', { class: 'local' }, cell(local, remote)), el('td', { class: 'remote' }, cell(remote, local))];
}

function loadConflicts(c) {
  return fill('conflicts', () => api(`/connections/${c.id}/conflicts`), (data) => table('Conflicts, local and remote versions side by side',
    ['Record', 'Local (your app)', 'Remote (provider)', 'Policy / outcome'],
    items(data, 'conflicts').map((k) => el('tr', { 'data-conflict': k.id, 'data-status': k.status },
      el('td', {}, `${label(k.model || '')} ${k.externalId || ''}`, k.localRef ? el('div', { class: 'muted' }, `local ref ${k.localRef}`) : null),
      ...sideBySide(k.local, k.remote),
      el('td', {}, el('div', {}, k.policy),
        k.status === 'open' && k.policy === 'manual'
          ? el('div', { class: 'resolve' },
            el('button', { 'aria-label': `Keep local version of ${k.externalId}`, onclick: (e) => resolve(c, k, 'local', e.target) }, 'Keep local'),
            el('button', { 'aria-label': `Keep remote version of ${k.externalId}`, onclick: (e) => resolve(c, k, 'remote', e.target) }, 'Keep remote'))
          : el('div', { class: 'muted' }, k.status === 'open' ? 'open' : `resolved: ${k.resolution || '—'}`))))));
}

async function resolve(c, conflict, resolution, button) {
  if (button) button.disabled = true;
  try {
    await api(`/connections/${c.id}/conflicts/${conflict.id}/resolve`, { method: 'POST', body: { resolution } });
    toast(resolution === 'local' ? 'Conflict resolved: your version was pushed to the provider.' : 'Conflict resolved: the provider\'s version is kept.');
    loadConflicts(c);
  } catch (err) {
    if (button) button.disabled = false;
    showError(err);
  }
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
