// The list of topics, each a link to its live view.
import { api, el } from './common.js';

const body = document.getElementById('topics');
try {
  const topics = await api('GET', '/api/topics');
  body.replaceChildren(
    ...(topics.length === 0
      ? [el('tr', {}, el('td', { colspan: 2, className: 'muted', text: 'No topics yet: npm run produce -- --create-topic' }))]
      : topics.map(({ topic, partitions }) =>
          el(
            'tr',
            { dataset: { topic } },
            el('td', {}, el('a', { href: `/topics/${encodeURIComponent(topic)}`, text: topic })),
            el('td', { className: 'number', text: partitions }),
          ),
        )),
  );
} catch (error) {
  document.getElementById('message').textContent = error.message;
  document.getElementById('message').className = 'error';
}
