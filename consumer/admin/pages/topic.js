// The live topic view: lanes per partition to scale, owners, the timeline and the charts, pushed by
// the server once a second; and the message browser.
import { api, clock, el, formatNumber, streamEvents } from './common.js';

const topic = decodeURIComponent(location.pathname.split('/').pop());
document.getElementById('topic-name').textContent = topic;
document.title = `${topic} · kafka-harness admin`;
const statusEl = document.getElementById('live-status');
const lanesEl = document.getElementById('lanes');
const timelineEl = document.getElementById('timeline');
const lagOf = document.getElementById('lag-of');

const palette = ['#1f6fb2', '#c2410c', '#15803d', '#7e22ce', '#b91c1c', '#0e7490', '#a16207', '#be185d'];
const historyMs = 15 * 60 * 1000;
// Filled by the server's messages: the latest snapshot, the history and timeline kept so far, and whether the broker answers.
const state = { history: [], events: [], groupColors: new Map() };
state.snapshot = undefined;
state.unreachable = undefined;
state.updatedAtMs = undefined;
// The charts' data, for whoever wants to read it (the browser tests do).
window.__charts = { lag: { series: [], data: [[]] }, rates: { series: [], data: [[]] } };

function colorOf(group) {
  if (!state.groupColors.has(group)) state.groupColors.set(group, palette[state.groupColors.size % palette.length]);
  return state.groupColors.get(group);
}

const owned = (owner) => (owner ? (owner.adminConsumer ? `admin consumer ${owner.adminConsumer}` : `${owner.clientId} (${owner.host})`) : 'nobody');

function renderStatus() {
  if (state.unreachable) {
    statusEl.textContent = `Broker not answering since ${clock(state.unreachable.sinceMs)}${state.updatedAtMs ? ` · last data from ${clock(state.updatedAtMs)}` : ''} (${state.unreachable.error})`;
    statusEl.className = 'error';
    document.body.classList.add('stale');
  } else if (state.updatedAtMs) {
    statusEl.textContent = `Live · last updated ${clock(state.updatedAtMs)}`;
    statusEl.className = 'muted';
    document.body.classList.remove('stale');
  }
}

function renderLanes() {
  const snapshot = state.snapshot;
  if (!snapshot) return;
  const maxEnd = Math.max(1, ...snapshot.partitions.map((partition) => partition.logEndOffset));
  const percent = (offset) => `${Math.min(100, (offset / maxEnd) * 100).toFixed(2)}%`;
  const outs = snapshot.groups.map((group) => ` · ${group.group} out ${group.outPerSecond ?? '–'}/s`).join('');
  document.getElementById('rates').textContent = `· in ${snapshot.inPerSecond ?? '–'}/s${outs}`;
  const lanes = snapshot.partitions.map((partition) => {
    const bar = el('div', {
      className: 'bar',
      role: 'img',
      'aria-label': `partition ${partition.partition}: log start ${partition.logStartOffset}, log end ${partition.logEndOffset}`,
    });
    const fill = el('div', { className: 'fill' });
    fill.style.left = percent(partition.logStartOffset);
    fill.style.width = `calc(${percent(partition.logEndOffset)} - ${percent(partition.logStartOffset)})`;
    bar.append(fill);
    const owners = el('ul', { className: 'owners' });
    for (const group of snapshot.groups) {
      const row = group.partitions.find((candidate) => candidate.partition === partition.partition);
      if (!row) continue;
      const color = colorOf(group.group);
      if (row.committed !== null) {
        const mark = el('div', { className: 'mark commit', title: `${group.group}: committed ${row.committed}` });
        mark.style.left = percent(row.committed);
        mark.style.color = color;
        bar.append(mark);
      }
      if (row.position !== null) {
        const dot = el('div', { className: 'mark position', title: `${owned(row.owner)}: position ${row.position}` });
        dot.style.left = percent(row.position);
        dot.style.background = color;
        bar.append(dot);
      }
      const swatch = el('span', { className: 'swatch', 'aria-hidden': 'true' });
      swatch.style.background = color;
      const lag = row.committed === null ? 'no commit' : `lag ${formatNumber(row.lag)}${row.lagClamped ? ' (read ahead of the log end: shown as 0)' : ''}`;
      owners.append(
        el(
          'li',
          { dataset: { group: group.group } },
          swatch,
          el('button', {
            type: 'button',
            className: 'link',
            text: group.group,
            title: 'show this group per partition in the lag chart',
            dataset: { selectGroup: group.group },
          }),
          ` ${group.displayState} · owner `,
          el('span', { className: 'owner', text: owned(row.owner) }),
          ` · committed ${row.committed === null ? '–' : formatNumber(row.committed)} · ${lag}`,
          row.position !== null ? ` · position ${formatNumber(row.position)}` : '',
        ),
      );
    }
    const replicas = partition.replicas.length > 1 ? ` · replicas ${partition.replicas.join(',')} · ISR ${partition.isr.join(',')}` : '';
    return el(
      'div',
      { className: 'lane', dataset: { partition: partition.partition } },
      el('div', {
        className: 'lane-head',
        text: `p${partition.partition} · leader ${partition.leader < 0 ? 'none' : `node ${partition.leader}`}${replicas} · log ${formatNumber(partition.logStartOffset)} → ${formatNumber(partition.logEndOffset)}`,
      }),
      bar,
      owners,
    );
  });
  lanesEl.replaceChildren(...lanes);
  const partitionSelect = document.getElementById('browse-partition');
  if (partitionSelect.options.length !== snapshot.partitions.length) {
    partitionSelect.replaceChildren(...snapshot.partitions.map((partition) => el('option', { value: partition.partition, text: partition.partition })));
  }
  const groups = snapshot.groups.map((group) => group.group);
  const known = [...lagOf.options].map((option) => option.value).filter(Boolean);
  if (groups.join('\u0000') !== known.join('\u0000')) {
    const selected = lagOf.value;
    lagOf.replaceChildren(
      el('option', { value: '', text: 'every group (total lag)' }),
      ...groups.map((group) => el('option', { value: group, text: `${group}, per partition` })),
    );
    lagOf.value = groups.includes(selected) ? selected : '';
  }
}

function renderTimeline(newEvents) {
  if (newEvents.length === 0) return;
  if (state.events.length === newEvents.length) timelineEl.replaceChildren();
  for (const event of newEvents) {
    timelineEl.prepend(el('li', { dataset: { kind: event.kind, group: event.group } }, el('time', { text: clock(event.atMs) }), ' ', event.text));
  }
  while (timelineEl.children.length > 200) timelineEl.lastElementChild.remove();
}

const plots = {};
function chart(name, target, series, data) {
  const labels = series.map((entry) => entry.label).join('\u0000');
  const width = Math.max(320, target.clientWidth || 560);
  if (!plots[name] || plots[name].labels !== labels) {
    plots[name]?.plot.destroy();
    const plot = new uPlot(
      {
        width,
        height: 220,
        series: [{}, ...series.map((entry) => ({ label: entry.label, stroke: entry.color, width: 2, spanGaps: false }))],
        scales: { x: { time: true } },
        legend: { live: false },
      },
      data,
      target,
    );
    plots[name] = { plot, labels };
  } else {
    plots[name].plot.setData(data);
  }
  window.__charts[name] = { series: series.map((entry) => entry.label), data };
}

function renderCharts() {
  const cutoff = Date.now() - historyMs;
  state.history = state.history.filter((sample) => sample.atMs >= cutoff);
  const xs = state.history.map((sample) => sample.atMs / 1000);
  const groups = state.snapshot?.groups.map((group) => group.group) ?? [];
  let lagSeries;
  let lagData;
  const selected = lagOf.value;
  if (selected) {
    const partitions = state.snapshot?.partitions.map((partition) => partition.partition) ?? [];
    lagSeries = partitions.map((partition) => ({ label: `${selected} p${partition}`, color: palette[partition % palette.length] }));
    lagData = [xs, ...partitions.map((_partition, index) => state.history.map((sample) => sample.groups[selected]?.partitionLags[index] ?? null))];
  } else {
    lagSeries = groups.map((group) => ({ label: group, color: colorOf(group) }));
    lagData = [xs, ...groups.map((group) => state.history.map((sample) => sample.groups[group]?.lag ?? null))];
  }
  chart('lag', document.getElementById('lag-chart'), lagSeries, lagData);
  const rateSeries = [{ label: 'in', color: '#111827' }, ...groups.map((group) => ({ label: `${group} out`, color: colorOf(group) }))];
  const rateData = [
    xs,
    state.history.map((sample) => sample.inPerSecond),
    ...groups.map((group) => state.history.map((sample) => sample.groups[group]?.outPerSecond ?? null)),
  ];
  chart('rates', document.getElementById('rate-chart'), rateSeries, rateData);
}

function apply(type, message) {
  if (type === 'init') {
    state.history = [];
    state.events = [];
    timelineEl.replaceChildren(el('li', { className: 'muted', text: 'Changes appear here as they happen.' }));
  }
  state.unreachable = message.unreachable;
  state.updatedAtMs = message.updatedAtMs;
  if (message.snapshot) state.snapshot = message.snapshot;
  state.history.push(...message.history);
  state.events.push(...message.events);
  renderStatus();
  renderLanes();
  renderTimeline(message.events);
  renderCharts();
}

lagOf.addEventListener('change', renderCharts);
lanesEl.addEventListener('click', (event) => {
  const group = event.target.closest('[data-select-group]')?.dataset.selectGroup;
  if (!group) return;
  lagOf.value = group;
  renderCharts();
  lagOf.focus();
});

const live = new AbortController();
addEventListener('pagehide', () => live.abort());
void streamEvents(
  `/api/topics/${encodeURIComponent(topic)}/live`,
  apply,
  (error) => {
    statusEl.textContent = `Disconnected from the admin server (${error.message})${state.updatedAtMs ? `; last updated ${clock(state.updatedAtMs)}` : ''}`;
    statusEl.className = 'error';
  },
  live.signal,
);

function showValue(value) {
  if (value === null) return el('span', { className: 'muted', text: '(null: a tombstone)' });
  try {
    return el('pre', { text: JSON.stringify(JSON.parse(value), null, 2) });
  } catch {
    return el('pre', { className: 'raw', text: value });
  }
}

document.getElementById('browse').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  const params = new URLSearchParams({ partition: form.get('partition') ?? '0', limit: form.get('limit') || '20' });
  const raw = String(form.get('value') ?? '').trim();
  const message = document.getElementById('browse-message');
  if (form.get('from') === 'timestamp') {
    const ms = /^\d+$/.test(raw) ? Number(raw) : Date.parse(raw);
    if (Number.isNaN(ms)) {
      message.textContent = `"${raw}" is not a time: use 2025-01-31T12:00:00 or milliseconds since the epoch`;
      message.className = 'error';
      return;
    }
    params.set('timestamp', String(ms));
  } else {
    params.set('offset', raw || '0');
  }
  message.textContent = 'Reading…';
  message.className = 'muted';
  try {
    const result = await api('GET', `/api/topics/${encodeURIComponent(topic)}/records?${params}`);
    const table = document.getElementById('records');
    table.hidden = false;
    table.tBodies[0].replaceChildren(
      ...result.records.map((record) =>
        el(
          'tr',
          { dataset: { offset: record.offset } },
          el('td', { className: 'number', text: record.offset }),
          el('td', { text: new Date(record.timestampMs).toISOString() }),
          el('td', { className: 'key' }, record.key === null ? el('span', { className: 'muted', text: '(no key)' }) : el('code', { text: record.key })),
          el(
            'td',
            { className: 'headers' },
            ...Object.entries(record.headers).map(([name, value]) => el('div', {}, el('code', { text: `${name}: ${value}` }))),
          ),
          el('td', { className: 'value' }, showValue(record.value)),
        ),
      ),
    );
    message.textContent = `${result.records.length} record(s) of partition ${result.partition} from offset ${result.fromOffset} (log ${result.logStartOffset} → ${result.logEndOffset})${result.timedOut ? '; the time limit cut the read short' : ''}`;
  } catch (error) {
    message.textContent = error.message;
    message.className = 'error';
  }
});
