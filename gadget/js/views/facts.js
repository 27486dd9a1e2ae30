/** Facts as definition lists: [label, value, name] rows; values are text or elements, never markup. */

import { h } from '../dom.js';

/** dt/dd pairs for the rows that have a value; each dd is marked `data-fact=name`. */
export function factRows(facts) {
  return facts.filter(([, value]) => value !== null && value !== undefined && value !== '')
    .flatMap(([label, value, name]) => [
      h('dt', { text: label }),
      h('dd', { data: { fact: name } }, value),
    ]);
}

export function factList(facts, testid) {
  return h('dl', { class: 'cc-facts', data: { testid } }, factRows(facts));
}

/** Call variables (and ECC variables): name and value. */
export function variableList(variables) {
  return h('dl', { class: 'cc-facts cc-variables', data: { testid: 'variables' } },
    Object.entries(variables).flatMap(([name, value]) => [
      h('dt', { text: name }),
      h('dd', { data: { variable: name }, text: value }),
    ]));
}
