// Cancel Coach's accessibility layer: what Streamlit's widgets cannot be told from Python.
// Python writes hidden markers (guide/ui/a11y.py); this script, installed once per page load, reads them
// whenever the page changes and
//  - names a control (data-cc-name) and ties a help text to it (data-cc-describe), for screen readers;
//  - moves the focus where a sighted user's eyes go after an action (data-cc-focus, once per nonce);
//  - puts the control that had the focus back when a rerun replaced it (focus would drop to the page);
//  - takes a collapsed sidebar out of the Tab order (on a phone it sits off screen);
//  - makes a table's scroll box reachable by keyboard (data-cc-region), so its hidden columns can be scrolled to;
//  - reads the sectioned menu as groups of links: Streamlit draws it as a list whose items sit in div elements (no "<" followed by a letter in this file: the sanitiser would drop the script).
(() => {
  if (window.ccA11y) {
    window.ccA11y.soon();
    return;
  }
  const CONTROL = 'button, input, textarea, select, a[href], [role=combobox], [role=radiogroup], [tabindex="0"]';
  const FOCUSABLE = 'button:not([disabled]), input:not([type=hidden]), textarea, select, a[href], [tabindex="0"]';
  const state = { handled: new Set(), tries: {}, last: null, lastKey: null, queued: false };
  const running = () =>
    document.querySelector('[data-testid=stApp]')?.getAttribute('data-test-script-state') === 'running';
  const box = (key) => document.querySelector('.st-key-' + CSS.escape(key));
  const control = (key) => {
    const found = box(key);
    if (!found) return null;
    return found.matches(CONTROL) ? found : found.querySelector(CONTROL);
  };
  const keyOf = (element) => {
    const owner = element?.closest?.('[class*="st-key-"]');
    const match = owner?.className.match(/(?:^|\s)st-key-(\S+)/);
    return match ? match[1] : null;
  };

  function label(marker) {
    const target = control(marker.dataset.ccFor);
    if (!target) return;
    if (marker.dataset.ccName && target.getAttribute('aria-label') !== marker.dataset.ccName) {
      target.setAttribute('aria-label', marker.dataset.ccName);
    }
    if (marker.dataset.ccDescribe !== undefined) {
      marker.id = marker.id || 'cc-describes-' + marker.dataset.ccFor;
      target.setAttribute('aria-describedby', marker.id);
    }
    const help = box(marker.dataset.ccFor)?.querySelector('[data-testid=stTooltipIcon] button');
    if (help && marker.dataset.ccHelpName) {
      help.setAttribute('aria-label', marker.dataset.ccHelpName);
      help.setAttribute('aria-describedby', marker.id);
    }
  }

  function region(marker) {
    const scope = box(marker.dataset.ccFor);
    const scroller = scope && [scope, ...scope.querySelectorAll('*')].find((element) =>
      ['auto', 'scroll'].includes(getComputedStyle(element).overflowX));
    if (!scroller || scroller.getAttribute('aria-label') === marker.dataset.ccRegion) return;
    scroller.setAttribute('tabindex', '0');
    scroller.setAttribute('role', 'region');
    scroller.setAttribute('aria-label', marker.dataset.ccRegion);
  }

  function menu() {
    const list = document.querySelector('[data-testid=stSidebarNavItems]');
    if (!list || !list.querySelector(':scope > div')) return; // a flat menu is a proper list already
    list.setAttribute('role', 'none');
    list.querySelectorAll(':scope > div').forEach((section, n) => {
      const header = section.querySelector(':scope > header');
      section.setAttribute('role', 'group');
      if (header) {
        header.id = header.id || 'cc-menu-section-' + n;
        section.setAttribute('aria-labelledby', header.id);
      }
      section.querySelectorAll(':scope > li').forEach((item) => item.setAttribute('role', 'none'));
    });
  }

  function focusTarget(marker) {
    const where = marker.dataset.ccFocus;
    const scope = where === 'heading' ? document.querySelector('[data-testid=stMain]') : box(where);
    if (!scope) return null;
    const wanted = marker.dataset.ccFocusKind || 'any';
    const alert = scope.querySelector('[data-testid=stAlert]');
    const heading = scope.querySelector('h1, h2, h3');
    // a radio group takes the focus on its checked option, as Tab would land
    const first = scope.querySelector('[role=radio][aria-checked=true], input:checked') ||
      scope.querySelector(FOCUSABLE);
    const order = { alert: [alert, heading], heading: [heading, alert], control: [first], box: [scope], any: [alert, heading, first, scope] };
    return order[wanted].find(Boolean) || null; // any: at worst the element itself (a score)
  }

  function moveFocus() {
    for (const marker of document.querySelectorAll('[data-cc-focus]')) {
      const nonce = marker.dataset.ccNonce;
      if (state.handled.has(nonce)) continue;
      if (document.querySelector('[role=dialog]')) return false; // an open pop-up keeps its own focus
      const target = focusTarget(marker);
      const tries = (state.tries[nonce] = (state.tries[nonce] || 0) + 1);
      if (!target && tries < 10) {
        soon(100); // not drawn yet: look again in a moment
        return true;
      }
      state.handled.add(nonce); // once: a later rerun must not pull the focus back here
      if (!target) continue;
      if (!target.matches(CONTROL)) target.setAttribute('tabindex', '-1');
      target.focus();
      state.last = target;
      return true;
    }
    return false;
  }

  function restoreFocus() {
    // A rerun that replaced the focused control drops the focus to the page: give it back to the same control.
    if (document.activeElement && document.activeElement !== document.body) return;
    if (!state.last || state.last.isConnected || !state.lastKey) return;
    if (document.querySelector('[role=dialog]')) return;
    const again = control(state.lastKey);
    if (again && !again.disabled) again.focus();
    else {
      const title = document.querySelector('[data-testid=stMain] h1');
      title?.setAttribute('tabindex', '-1');
      title?.focus();
    }
  }

  function sidebar() {
    const side = document.querySelector('[data-testid=stSidebar]');
    if (side) side.inert = side.getAttribute('data-collapsed') === 'true';
  }

  function language() {
    // The page's language, so a screen reader reads Russian as Russian; the last run's marker says it.
    const marker = [...document.querySelectorAll('[data-cc-lang]')].pop();
    if (marker) document.documentElement.lang = marker.getAttribute('data-cc-lang');
  }

  function scan() {
    state.queued = false;
    language();
    document.querySelectorAll('[data-cc-for]').forEach(label);
    document.querySelectorAll('[data-cc-region]').forEach(region);
    sidebar();
    menu();
    if (running()) return soon(150); // move the focus once the run has drawn what it moves to
    if (!moveFocus()) restoreFocus();
  }

  function soon(delay = 0) {
    if (state.queued) return;
    state.queued = true;
    setTimeout(() => requestAnimationFrame(scan), delay);
  }

  document.addEventListener('focusin', (event) => {
    state.last = event.target;
    state.lastKey = keyOf(event.target);
  });
  new MutationObserver(() => soon()).observe(document.body, {
    subtree: true,
    childList: true,
    attributes: true,
    attributeFilter: ['data-collapsed', 'data-test-script-state'],
  });
  window.ccA11y = { soon };
  soon();
})();
