// A small browsable view of /docs/openapi.json: every operation with its parameters, body and responses.
const spec = await (await fetch('/docs/openapi.json')).json();
const main = document.getElementById('operations');
main.replaceChildren();

const resolve = (schema) => (schema?.$ref ? spec.components.schemas[schema.$ref.split('/').pop()] : schema);

for (const [path, operations] of Object.entries(spec.paths)) {
  for (const [method, operation] of Object.entries(operations)) {
    const section = document.createElement('section');
    section.className = 'op';
    const title = document.createElement('h3');
    title.innerHTML = `<span class="method"></span><code></code>`;
    title.querySelector('.method').textContent = method.toUpperCase();
    title.querySelector('code').textContent = path;
    const summary = document.createElement('p');
    summary.textContent = `${operation.summary ?? ''}${operation.tags ? ` (${operation.tags.join(', ')})` : ''}`;
    section.append(title, summary);
    if (operation.parameters?.length) {
      const list = document.createElement('p');
      list.textContent = `Parameters: ${operation.parameters.map((p) => `${p.name} (${p.in}${p.required ? ', required' : ''})`).join(', ')}`;
      section.append(list);
    }
    const body = operation.requestBody?.content?.['application/json']?.schema;
    if (body) {
      const pre = document.createElement('pre');
      pre.textContent = `Request body:\n${JSON.stringify(resolve(body), null, 2)}`;
      section.append(pre);
    }
    const responses = document.createElement('p');
    responses.textContent = `Responses: ${Object.entries(operation.responses)
      .map(([code, response]) => `${code} ${response.description}`)
      .join(' · ')}`;
    section.append(responses);
    main.append(section);
  }
}
