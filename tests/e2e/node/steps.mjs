// What every client script under tests/e2e/node records: each step's value or the error the
// client raised, in one object that the script prints as JSON for its Python test to read.

export const out = {};

export function describeError(err) {
  return { name: err?.name ?? null, code: err?.code ?? null, message: err?.message ?? String(err) };
}

export async function step(name, fn) {
  try {
    out[name] = { ok: true, value: await fn() };
  } catch (err) {
    out[name] = { ok: false, error: describeError(err) };
  }
  return out[name];
}
