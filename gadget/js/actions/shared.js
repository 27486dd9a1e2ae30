/** What the action modules share: API paths, the empty detail, and small helpers. */

export const PATHS = {
  customer: (id) => `api/v1/customers/${id}`,
  request: (id) => `api/v1/requests/${id}`,
  activity: (id) => `api/v1/activities/${id}`,
};

export const EMPTY_DETAIL = {
  customer: null,
  journey: null,
  journeyPages: 1, // pages of the journey loaded: a reload fetches as many again
  journeyMore: false, // the next page is being fetched
  request: null,
  activity: null,
  notes: [],
  customerForm: { mode: 'closed', errors: null },
  customerDraft: null,
  requestDraft: null,
  requestErrors: null, // the last 422's field errors of the request form
  conflicts: {},
  journeySelection: null,
  journeyHover: null,
  tagMessage: null,
  messages: [],
  detailFailed: false,
};

export function without(object, key) {
  const copy = { ...object };
  delete copy[key];
  return copy;
}
