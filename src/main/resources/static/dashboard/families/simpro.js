// Simpro's part of the connection drawer: the build the connection imports from and "Import now", which imports
// customers and sites first and then jobs and quotes (so their references find the customer and site records),
// one run after the other, with a progress bar per entity fed by the run's recordsProcessed / recordsTotal
// (Simpro's Result-Total) and the counts imported. An import run after the first one is incremental: only what
// changed in Simpro since the previous run (DateModified) is imported again.

const ORDER = ['customer', 'site', 'job', 'quote'];
const FINISHED = ['succeeded', 'failed', 'cancelled'];

export async function panel(c, p, kit) {
  const { api, el, section, toast, problemText, label, when } = kit;
  const entities = ORDER.filter((e) => (p.entities || []).includes(e));
  const rows = new Map();
  for (const entity of entities) {
    const bar = el('progress', { max: 1, value: 0, 'aria-label': `Import progress of ${label(entity)}` });
    const text = el('span', { class: 'progress-text' }, 'Not imported yet');
    rows.set(entity, { bar, text });
  }
  const full = el('input', { type: 'checkbox', id: 'simpro-full' });
  const button = el('button', { class: 'primary', 'aria-label': 'Import now from Simpro' }, 'Import now');

  const show = (entity, run) => {
    const row = rows.get(entity);
    if (!row || !run) return;
    const total = run.recordsTotal || 0;
    const done = run.recordsProcessed || 0;
    row.bar.max = Math.max(1, total || done);
    row.bar.value = run.status === 'succeeded' ? row.bar.max : Math.min(done, row.bar.max);
    row.bar.dataset.status = run.status; // green when imported, red when failed (styles.css)
    const counts = `${run.created || 0} new, ${run.updated || 0} changed`;
    row.text.textContent = run.status === 'running' || run.status === 'queued'
      ? `${done}${total ? ` of ${total}` : ''} imported (${counts})…`
      : `${run.status === 'succeeded' ? 'Imported' : run.status === 'failed' ? 'Failed after' : 'Stopped after'} ${done}`
        + `${total ? ` of ${total}` : ''} (${counts}) ${when(run.completedAt || run.startedAt)}`
        + (run.status === 'failed' && run.message ? `: ${run.message}` : '');
  };

  const follow = (runId, entity) => new Promise((resolve) => {
    let seen = null;
    const tick = async () => {
      try {
        const run = await api(`/syncs/${runId}`);
        show(entity, run);
        if (run.status !== seen) { seen = run.status; kit.refreshSyncLog(); } // the log's row follows the run
        if (FINISHED.includes(run.status)) resolve(run);
        else setTimeout(tick, 1000);
      } catch (err) {
        toast(`Import of ${label(entity)}: ${problemText(err)}`, 'error');
        resolve(null);
      }
    };
    tick();
  });

  const importAll = async () => {
    button.disabled = true;
    try {
      for (const entity of entities) {
        let runId;
        try {
          runId = (await api(`/connections/${c.id}/syncs`, { method: 'POST',
            body: { entity, direction: 'pull', mode: full.checked ? 'full' : 'incremental' } })).id;
        } catch (err) {
          if (err.status === 409 && err.problem && err.problem.runId) runId = err.problem.runId;
          else { toast(`Import of ${label(entity)} could not start: ${problemText(err)}`, 'error'); return; }
        }
        const run = await follow(runId, entity);
        if (!run || run.status !== 'succeeded') {
          toast(`Import of ${label(entity)} ${run ? run.status : 'stopped'}; the rest waits.`, 'error');
          return;
        }
      }
      toast('Simpro import finished.');
    } finally {
      button.disabled = false;
    }
  };
  button.addEventListener('click', importAll);

  // The last run of each entity, and any still running (e.g. started before the drawer opened).
  try {
    const runs = await api(`/connections/${c.id}/syncs?limit=50`);
    for (const entity of entities) {
      const last = (Array.isArray(runs) ? runs : runs.syncs || []).find((r) => r.entity === entity);
      if (last) {
        show(entity, last);
        if (!FINISHED.includes(last.status)) follow(last.id, entity);
      }
    }
  } catch (err) {
    toast(`Import history: ${problemText(err)}`, 'error');
  }

  const build = (c.config && c.config.buildUrl) || 'the sandbox build';
  return section('Simpro import',
    el('p', {}, `Build: ${build}${c.config && c.config.companyId ? `, company ${c.config.companyId}` : ''}`),
    el('div', { class: 'controls' }, button,
      el('label', { for: 'simpro-full' }, full, ' Full re-import (also marks records deleted in Simpro)')),
    ...entities.map((entity) => el('div', { class: 'entity', 'data-simpro-import': entity },
      el('strong', {}, label(entity)), rows.get(entity).bar, rows.get(entity).text)));
}
