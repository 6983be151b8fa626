// The code under test in these examples: a tiny loyalty client that records a purchase as a
// financial achievement in CRM.COM. Your own client takes its place.

/** Logs in and returns a token. */
export async function login (baseUrl, { username, password, organisation }) {
  const answer = await post(baseUrl + 'authentication/token', { username, password, organisation })
  return answer.token
}

/** Records an achievement of `amount` on an account; resolves to the event's number. */
export async function recordAchievement (baseUrl, token, accountNumber, amount) {
  const event = await post(baseUrl + 'customer_events/financial_achievements/create', {
    token,
    accounts_receivable_identifier: { number: accountNumber },
    classification_identifier: { alternative_code: 'FA' },
    performed_by_unit_identifier: { name: 'Admin Unit' },
    performed_on: new Date().toISOString().slice(0, 19),
    amount: amount.toFixed(2)
  })
  return event.number
}

async function post (url, body) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  const { data, status } = await res.json()
  // CRM.COM answers HTTP 200 even for errors: the outcome is in status.code.
  if (status.code !== 'OK') throw new Error(`${status.code}: ${status.message}`)
  return data
}
