// Every consumer group: state, members, lag and lag in seconds; and the offset reset (preview, then
// confirm) for a group with no active members.
import { api, clock, el, formatNumber } from './common.js';

const container = document.getElementById('groups');
const statusEl = document.getElementById('live-status');
const dialog = document.getElementById('reset-dialog');
const form = document.getElementById('reset-form');
const submit = document.getElementById('reset-submit');
const resetMessage = document.getElementById('reset-message');
const previewTable = document.getElementById('reset-preview');
let resetGroup = null;
/** The request the shown preview answers; Enter confirms only that one. */
let previewed = null;
let lastUpdated = null;

const lagText = (row) =>
  row.committed === null ? 'no commit' : `${formatNumber(row.lag)}${row.lagClamped ? ' (the commit was read ahead of the log end: shown as 0)' : ''}`;
const secondsText = (row) => (row.lagSeconds === null ? '–' : `${row.lagSeconds < 10 ? row.lagSeconds.toFixed(1) : Math.round(row.lagSeconds)} s`);

function renderGroup(group) {
  const active = group.displayState !== 'Empty' && group.displayState !== 'Dead';
  const members = group.members.length === 0 ? 'no members' : group.members.map((member) => `${member.clientId} (${member.host})`).join(', ');
  const rows = group.partitions.map((row) =>
    el(
      'tr',
      { dataset: { topic: row.topic, partition: row.partition } },
      el('td', {}, el('a', { href: `/topics/${encodeURIComponent(row.topic)}`, text: row.topic })),
      el('td', { className: 'number', text: row.partition }),
      el('td', { className: 'number committed', text: row.committed === null ? 'no commit' : formatNumber(row.committed) }),
      el('td', { className: 'number', text: formatNumber(row.logEndOffset) }),
      el('td', { className: 'number lag', text: lagText(row) }),
      el('td', { className: 'number', text: secondsText(row) }),
      el('td', { text: row.status }),
      el('td', { text: row.owner ? `${row.owner.clientId} (${row.owner.host})` : '–' }),
    ),
  );
  const header = el(
    'div',
    { className: 'group-head' },
    el('h2', { text: group.group }),
    el('span', { className: `state state-${group.displayState}`, dataset: { testid: 'state' }, text: group.displayState }),
    el('span', { className: 'muted', text: ` · ${members} · total lag ${group.totalLag === null ? 'no commit' : formatNumber(group.totalLag)}` }),
  );
  if (!active) {
    const button = el('button', { type: 'button', text: 'Reset offsets…', dataset: { reset: group.group } });
    button.addEventListener('click', () => openReset(group));
    header.append(' ', button);
  }
  return el(
    'section',
    { className: 'group', dataset: { group: group.group } },
    header,
    rows.length === 0
      ? el('p', { className: 'muted', text: 'No partition assigned or committed.' })
      : el(
          'table',
          {},
          el(
            'thead',
            {},
            el('tr', {}, ...['Topic', 'Partition', 'Committed', 'Log end', 'Lag', 'Lag (s)', 'Status', 'Owner'].map((name) => el('th', { text: name }))),
          ),
          el('tbody', {}, ...rows),
        ),
  );
}

async function refresh() {
  try {
    const overview = await api('GET', '/api/groups');
    lastUpdated = overview.checkedAtMs;
    statusEl.textContent = `${overview.groups.length} group(s) · last updated ${clock(lastUpdated)}`;
    statusEl.className = 'muted';
    container.replaceChildren(...overview.groups.map(renderGroup));
  } catch (error) {
    statusEl.textContent = `${error.message}${lastUpdated ? ` · last data from ${clock(lastUpdated)}` : ''}`;
    statusEl.className = 'error';
  }
}

function clearPreview() {
  previewed = null;
  previewTable.hidden = true;
  submit.textContent = 'Preview';
}

function openReset(group) {
  resetGroup = group.group;
  document.getElementById('reset-group').textContent = group.group;
  const topics = [...new Set(group.partitions.map((row) => row.topic))];
  document.getElementById('reset-topics').replaceChildren(...topics.map((topic) => el('option', { value: topic })));
  document.getElementById('reset-topic').value = topics[0] ?? '';
  document.getElementById('reset-to').value = 'beginning';
  document.getElementById('reset-value').value = '';
  resetMessage.textContent = 'Enter previews; Enter again confirms; Escape cancels.';
  resetMessage.className = 'muted';
  clearPreview();
  dialog.showModal();
  document.getElementById('reset-topic').focus();
}

function request() {
  const data = new FormData(form);
  const body = { topic: String(data.get('topic')).trim(), to: data.get('to') };
  const value = String(data.get('value') ?? '').trim();
  if (body.to === 'offset') body.offset = Number(value);
  if (body.to === 'timestamp') body.timestamp = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  return body;
}

form.addEventListener('input', clearPreview);
form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const body = request();
  const key = JSON.stringify(body);
  const confirming = previewed === key;
  try {
    const result = await api('POST', `/api/groups/${encodeURIComponent(resetGroup)}/reset-offsets`, { ...body, dryRun: !confirming });
    if (confirming) {
      dialog.close();
      const message = document.getElementById('message');
      message.textContent = `${resetGroup}: offsets of ${result.topic} reset (${result.partitions.map((row) => `p${row.partition} → ${row.target}`).join(', ')})`;
      message.className = '';
      await refresh();
      return;
    }
    previewTable.tBodies[0].replaceChildren(
      ...result.partitions.map((row) =>
        el(
          'tr',
          {},
          el('td', { className: 'number', text: row.partition }),
          el('td', { className: 'number', text: row.current === null ? 'no commit' : formatNumber(row.current) }),
          el('td', { className: 'number', text: formatNumber(row.target) }),
        ),
      ),
    );
    previewTable.hidden = false;
    previewed = key;
    submit.textContent = 'Confirm reset';
    resetMessage.textContent = 'Preview: nothing is committed yet. Enter (or Confirm reset) commits these offsets; Escape cancels.';
    resetMessage.className = '';
    submit.focus();
  } catch (error) {
    clearPreview();
    resetMessage.textContent = error.message;
    resetMessage.className = 'error';
  }
});
document.getElementById('reset-cancel').addEventListener('click', () => dialog.close());

await refresh();
setInterval(() => {
  if (!dialog.open) void refresh();
}, 2000);
