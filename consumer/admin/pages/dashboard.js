// The dashboard: lists the consumers every 2 s and drives the same REST API as curl would.
import { api } from './common.js';

const messageEl = document.getElementById('message');
const body = document.getElementById('consumers');

function say(text, isError = false) {
  messageEl.textContent = text;
  messageEl.className = isError ? 'error' : '';
}

const actionsFor = {
  ACTIVE: ['pause', 'stop', 'delete'],
  PAUSED: ['resume', 'stop', 'delete'],
  INACTIVE: ['start', 'delete'],
  ERROR: ['start', 'delete'],
};

function cell(text, className) {
  const td = document.createElement('td');
  td.textContent = String(text);
  if (className) td.className = className;
  return td;
}

function render(consumers) {
  body.replaceChildren();
  if (consumers.length === 0) {
    const row = document.createElement('tr');
    row.append(cell('No consumers yet: create one below.', 'muted'));
    row.firstChild.colSpan = 8;
    body.append(row);
    return;
  }
  for (const consumer of consumers) {
    const row = document.createElement('tr');
    row.dataset.consumer = consumer.name;
    const lag = Object.values(consumer.lag).reduce((sum, partition) => sum + (partition.lag ?? 0), 0);
    const status = cell(consumer.status, `status status-${consumer.status}`);
    status.dataset.testid = 'status';
    if (consumer.lastError && consumer.status === 'ERROR') status.title = `${consumer.lastError.at}: ${consumer.lastError.message}`;
    row.append(
      cell(consumer.name),
      cell(consumer.topic),
      cell(consumer.group),
      status,
      cell(consumer.stats.processed, 'number'),
      cell(consumer.stats.rate, 'number'),
      cell(lag, 'number'),
    );
    const actions = document.createElement('td');
    for (const action of actionsFor[consumer.status] ?? []) {
      const button = document.createElement('button');
      button.type = 'button';
      button.textContent = action;
      button.dataset.action = action;
      button.addEventListener('click', () => act(consumer, action));
      actions.append(button);
    }
    row.append(actions);
    body.append(row);
  }
}

async function act(consumer, action) {
  try {
    if (action === 'delete') {
      if (!confirm(`Delete ${consumer.name}? It stops first and commits.`)) return;
      await api('DELETE', `/api/consumers/${consumer.id}`);
    } else {
      await api('POST', `/api/consumers/${consumer.id}/${action}`);
    }
    say(`${consumer.name}: ${action} done`);
  } catch (error) {
    say(`${consumer.name}: ${error.message}`, true);
  }
  await refresh();
}

async function refresh() {
  try {
    render(await api('GET', '/api/consumers'));
  } catch (error) {
    say(error.message, true);
  }
}

document.getElementById('create').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  const definition = { topic: form.get('topic'), group: form.get('group'), sinks: [{ type: 'file', path: form.get('path') }] };
  if (form.get('name')) definition.name = form.get('name');
  try {
    const created = await api('POST', '/api/consumers', definition);
    say(`created ${created.name} (${created.status})`);
  } catch (error) {
    say(`not created: ${error.message}`, true);
  }
  await refresh();
});

void refresh();
setInterval(refresh, 2000);
