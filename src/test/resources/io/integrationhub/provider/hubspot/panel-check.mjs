// Renders the HubSpot drawer panel (static/dashboard/families/hubspot.js) with the dashboard kit replaced by
// plain-object stand-ins, presses its buttons, and prints what a user would see and what the panel asked the hub.
import { pathToFileURL } from 'node:url';

const [, , modulePath] = process.argv;
const { panel } = await import(pathToFileURL(modulePath).href);
const calls = [];
const el = (tag, attrs = {}, ...children) => {
  const node = { tag, attrs, children: children.flat().filter((c) => c !== null && c !== undefined && c !== false) };
  node.closest = () => ({ remove: () => calls.push(['removed-row']) });
  node.addEventListener = (type, fn) => { node.attrs[`on${type}`] = fn; };
  return node;
};
const text = (n) => (typeof n === 'string' ? n : `${(n.attrs && n.attrs.text) || ''}${n.children.map(text).join(' ')}`);
const find = (n, label) => {
  if (typeof n === 'string') return null;
  if (n.attrs && n.attrs['aria-label'] === label) return n;
  for (const c of n.children) { const f = find(c, label); if (f) return f; }
  return null;
};
const kit = {
  api: async (path, options) => {
    calls.push(['api', path, options || null]);
    if (path.endsWith('/conflicts?status=open')) {
      return [{ id: 'k1', model: 'contact', externalId: '201', localRef: 'crm-1', policy: 'manual', status: 'open',
        local: { firstName: 'Ana (app)', email: 'ana@x.example' }, remote: { firstName: 'Ana (HubSpot)', email: 'ana@x.example' } }];
    }
    return { id: 'run-1' };
  },
  el,
  section: (title, ...content) => el('section', { 'aria-label': title }, el('h3', {}, title), ...content),
  toast: (m) => calls.push(['toast', m]),
  showError: (e) => calls.push(['error', String(e)]),
  problemText: String,
  patchConnection: async (c, body) => calls.push(['patch', body]),
  startSync: async (c, entity, options) => calls.push(['sync', entity, options]),
  followSync: (runId) => calls.push(['follow', runId]),
  label: (x) => x,
  when: String,
  ago: String,
  state: {},
};
const root = await panel({ id: 'c1', provider: 'hubspot', config: { conflicts: { contact: 'manual' } } }, { key: 'hubspot' }, kit);
const shown = text(root);
await find(root, 'Push contacts to HubSpot').attrs.onclick();
await find(root, 'Pull changed deals from HubSpot').attrs.onclick();
const policy = find(root, 'Conflict policy for Companies');
policy.value = 'prefer-remote';
await policy.attrs.onchange();
await find(root, 'Keep your version of 201').attrs.onclick({ target: find(root, 'Keep your version of 201') });
console.log(JSON.stringify({ shown, calls }));
