// The sign-in form in plain DOM. The start-up script shows it before any
// wasm has arrived (the sign-in page downloads no wasm until the operator
// types), and the console's sign-in route mounts the same form (through
// wasm-bindgen), so there is one sign-in form. See docs/decisions.md,
// "A sign-in page without wasm".

const HEADERS = { 'X-Requested-With': 'sipauth-console', 'Content-Type': 'application/json' };

/** The session URL of the API at `apiBase` (as the console builds it). */
export function sessionUrl(apiBase) {
  return `${(apiBase || '').replace(/\/+$/, '')}/console/session`;
}

/**
 * The first page of the list the console asks for first when it starts at
 * `path` signed in, as it builds it: the credentials page (home of plivo,
 * zentrunk and vobiz) in the account it picks (`pick_account` in
 * src/context.rs); null elsewhere. The start-up script asks for it while
 * the wasm compiles; the console takes the answer only for this very URL,
 * so a guess that differs costs one request and changes nothing.
 */
export function firstListUrl(config, session, path, remembered) {
  if (!config || !session || !['/', '/credentials'].includes(path)) return null;
  const listed = (session.accounts || []).map((a) => a.auth_id);
  const usable = (id) => listed.includes(id);
  const account = usable(remembered) ? remembered
    : listed.length === 0 || usable(config.account) ? config.account : listed[0];
  const collection = {
    plivo: `/v1/Account/${account}/SipAuth/Credential/`,
    zentrunk: `/v1/Account/${account}/Zentrunk/Credential/`,
    vobiz: `/api/v1/account/${account}/credentials`,
  }[config.dialect || 'plivo'];
  if (!account || !collection) return null;
  const url = new URL(`${(config.api_base || '').replace(/\/+$/, '')}${collection}`, location.href);
  url.searchParams.append('limit', '20');
  url.searchParams.append('offset', '0');
  return url.href;
}

function element(tag, attributes = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) el.setAttribute(name, value);
  el.append(...children);
  return el;
}

function field(id, name, label, type, autocomplete) {
  const input = element('input', {
    required: '', 'aria-describedby': 'sign-in-error', type, id, name, autocomplete,
  });
  return [element('div', { class: 'field' }, element('label', { for: id }, label), input), input];
}

/** What a refused sign-in says, in the console's words for each answer. */
async function refusal(response) {
  if (response.status === 401) return 'Wrong username or password.';
  if (response.status === 429) {
    const wait = parseInt(response.headers.get('retry-after') || '', 10);
    return `Too many sign-in attempts: wait ${wait > 0 ? wait : 1} seconds and try again.`;
  }
  let said = `HTTP ${response.status}`;
  try {
    const body = await response.json();
    said = String(body.error || body.message || said).slice(0, 300);
  } catch { /* not JSON: the status says it */ }
  if ([400, 413, 422].includes(response.status)) return `The server refused this: ${said}`;
  return `The server failed (${said}). Try again; if it persists, check the server's log.`;
}

/**
 * Fills `section` with the sign-in form for the API at `apiBase`. Resolves
 * with the answer of the sign-in that succeeded (its body unread: the
 * session); `onTyping` is called once, when the operator first types.
 */
export function mountSignIn(section, apiBase, onTyping) {
  const [userField, user] = field('operator-username', 'username', 'Operator username', 'text', 'username');
  const [passField, pass] = field('operator-password', 'password', 'Password', 'password', 'current-password');
  const error = element('p', { id: 'sign-in-error', class: 'error', role: 'alert' });
  const button = element('button', { type: 'submit', class: 'primary' }, 'Sign in');
  const form = element('form', { class: 'form' }, userField, passField, error, button);
  section.replaceChildren(
    element('h1', {}, 'Sign in'),
    element('p', {}, 'Sign in as an operator to manage SIP credentials.'),
    form,
  );
  if (onTyping) form.addEventListener('input', () => onTyping(), { once: true });
  return new Promise((resolve) => {
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      if (button.disabled) return;
      button.disabled = true;
      button.textContent = 'Signing in…';
      let message;
      try {
        const response = await fetch(sessionUrl(apiBase), {
          method: 'POST',
          headers: HEADERS,
          body: JSON.stringify({ username: user.value, password: pass.value }),
        });
        if (response.ok) {
          pass.value = '';
          error.textContent = '';
          // The button stays "Signing in…" until the console replaces the form.
          resolve(response);
          return;
        }
        message = await refusal(response);
      } catch (e) {
        message = `Cannot reach the server: ${e.message}. Check your connection and try again.`;
      }
      error.textContent = message;
      button.disabled = false;
      button.textContent = 'Sign in';
    });
  });
}

/**
 * The sign-in page before the console has started (index.html's
 * `#sign-in-page`): the title from config.json, the theme switch, the
 * form. Resolves as `mountSignIn` does.
 */
export function showSignInPage(config, onTyping) {
  const page = document.getElementById('sign-in-page');
  const title = (config && config.title) || document.title;
  document.title = title;
  page.querySelector('.brand').textContent = title;
  const root = document.documentElement;
  // Storage can be refused (a browser's privacy settings): the system's theme then.
  const stored = (set) => { try { return set ? localStorage.setItem('theme', set) : localStorage.getItem('theme'); } catch { return null; } };
  const saved = stored();
  const dark = saved ? saved === 'dark' : matchMedia('(prefers-color-scheme: dark)').matches;
  const theme = page.querySelector('button.theme');
  const show = (on) => {
    root.dataset.theme = on ? 'dark' : 'light';
    theme.setAttribute('aria-pressed', on ? 'true' : 'false');
    theme.querySelector('.theme-state').textContent = on ? ': on' : ': off';
  };
  show(dark);
  theme.addEventListener('click', () => {
    const on = root.dataset.theme !== 'dark';
    show(on);
    stored(on ? 'dark' : 'light');
  });
  const signedIn = mountSignIn(page.querySelector('section.sign-in'), config && config.api_base, onTyping);
  page.hidden = false;
  return signedIn;
}
