// Google Drive's part of the manage drawer: the watched folders (config.recipesFolderId / invoicesFolderId, chosen
// with a picker over the Drive's folders: GET /connections/{id}/folders, paged) and "Scan now" — full runs of
// folder and file records over the watched trees, whose progress shows in the entity rows below.
const WATCHED = [
  { purpose: 'recipes', title: 'Recipes folder', idKey: 'recipesFolderId', nameKey: 'recipesFolderName' },
  { purpose: 'invoices', title: 'Invoices folder', idKey: 'invoicesFolderId', nameKey: 'invoicesFolderName' },
];

export function panel(c, provider, kit) {
  const { el, section } = kit;
  if (c.status !== 'active') {
    return section('Google Drive', el('p', { class: 'hint' }, 'Connect the account to choose the watched folders.'));
  }
  const watching = () => WATCHED.some((w) => (c.config || {})[w.idKey]);
  const scan = el('button', { class: 'primary', id: 'drive-scan-now', disabled: !watching(),
    'aria-label': 'Scan the watched folders now', onclick: () => scanNow(c, kit) }, 'Scan now');
  const first = el('span', { class: 'hint', hidden: watching() }, ' Choose a folder to watch first.');
  // A folder watched or no longer watched: the connection changed, so does what Scan now can do.
  const changed = (updated) => {
    Object.assign(c, updated);
    scan.disabled = !watching();
    first.hidden = watching();
  };
  return section('Google Drive',
    el('p', { class: 'hint' }, 'Files in the watched folders and every folder below them become file records; '
      + 'Drive tells the hub about changes as they happen.'),
    ...WATCHED.map((w) => watchedSetting(c, w, kit, changed)),
    el('div', { class: 'controls' }, scan, first));
}

async function scanNow(c, kit) {
  // Folders first, then files: both full runs, so records of items no longer in the trees are removed.
  await kit.startSync(c, 'folder', { mode: 'full' });
  await kit.startSync(c, 'file', { mode: 'full' });
}

function watchedSetting(c, w, kit, changed) {
  const { el, api, patchConnection, problemText } = kit;
  const config = () => c.config || {};
  const shown = el('code', { id: `drive-${w.purpose}-folder` },
    config()[w.idKey] ? (config()[w.nameKey] || config()[w.idKey]) : 'not watched');
  const named = (folder) => (folder.name === 'root' ? 'My Drive' : folder.name); // Drive's root is "root" by id
  const picker = el('div', { class: 'folder-picker', id: `drive-${w.purpose}-picker`, hidden: true });
  const trail = []; // the folders opened from My Drive down to here (Drive has no paths)

  const open = async (folder, cursor = null, rows = []) => {
    picker.hidden = false;
    if (!cursor) picker.replaceChildren(el('p', { role: 'status' }, 'Loading folders…'));
    try {
      const q = new URLSearchParams();
      if (folder) q.set('parentId', folder.id);
      if (cursor) q.set('cursor', cursor);
      const listing = await api(`/connections/${c.id}/folders${q.toString() ? `?${q}` : ''}`);
      const here = listing.parent;
      const all = rows.concat(listing.folders.map((f) => el('li', {},
        el('button', { class: 'link folder', 'aria-label': `Open folder ${f.name}`,
          onclick: () => { trail.push(here); open(f); } }, f.name))));
      picker.replaceChildren(...[
        el('p', {}, 'Folder: ', el('code', {}, [...trail, here].map(named).join(' / '))),
        trail.length ? el('button', { class: 'link', 'aria-label': 'Up one folder',
          onclick: () => { const up = trail.pop(); open(up.name === 'root' ? null : up); } }, '⟵ Up') : null,
        all.length ? el('ul', { class: 'folders' }, all) : el('p', { class: 'hint' }, 'No sub-folders.'),
        listing.nextCursor ? el('button', { class: 'link', 'aria-label': 'Show more folders',
          onclick: () => open(folder, listing.nextCursor, all) }, 'More folders…') : null,
        el('div', { class: 'controls' },
          el('button', { class: 'primary', 'aria-label': `Watch ${here.name} for ${w.purpose}`, disabled: here.name === 'root',
            onclick: async () => {
              const updated = await patchConnection(c, { config: { [w.idKey]: here.id, [w.nameKey]: here.name } },
                `${here.name} is now watched for ${w.purpose}. Scan now to read what it holds.`);
              if (updated) { shown.textContent = here.name; picker.hidden = true; changed(updated); }
            } }, 'Watch this folder'),
          config()[w.idKey] ? el('button', { 'aria-label': `Stop watching for ${w.purpose}`, onclick: async () => {
            const updated = await patchConnection(c, { config: { [w.idKey]: null, [w.nameKey]: null } },
              `No folder is watched for ${w.purpose} any more.`);
            if (updated) { shown.textContent = 'not watched'; picker.hidden = true; changed(updated); }
          } }, 'Stop watching') : null,
          el('button', { 'aria-label': 'Close the folder picker', onclick: () => { picker.hidden = true; } }, 'Cancel')),
      ].filter(Boolean)); // replaceChildren would show a null as the text "null"
    } catch (err) {
      picker.replaceChildren(el('p', { class: 'error', role: 'alert' }, `Folders could not be listed: ${problemText(err)}`));
    }
  };
  return el('div', { class: 'setting' }, el('label', {}, w.title), shown,
    el('button', { 'aria-label': `Choose the ${w.purpose} folder`, onclick: () => { trail.length = 0; open(null); } }, 'Browse…'),
    picker);
}
