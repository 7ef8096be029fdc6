// The setup page (/setup) and the checks panel on /settings: copy buttons,
// the test message without leaving the page, "webhook received" as soon as
// Meta calls (a small poll of /setup/status.json), and the checks on
// demand. Plain script; every text is set with textContent. Without it the
// forms still work as plain POSTs and a reload shows the same state.
(function () {
  'use strict';
  var meta = document.querySelector('meta[name="csrf-token"]');
  var csrf = meta ? meta.getAttribute('content') : '';

  // A GET, or a form POST with the session's CSRF token; resolves to the
  // status and the JSON answer.
  function call(url, form) {
    var init = { credentials: 'same-origin', headers: { accept: 'application/json' } };
    if (form) {
      init.method = 'POST';
      init.headers['content-type'] = 'application/x-www-form-urlencoded';
      init.headers['x-csrf-token'] = csrf;
      init.body = new URLSearchParams(new FormData(form)).toString();
    }
    return fetch(url, init).then(function (r) {
      return r.json().then(function (j) { return { ok: r.ok, body: j }; },
        function () { return { ok: r.ok, body: {} }; });
    });
  }

  function errorText(res, fallback) {
    return res.body && res.body.error ? res.body.error.message : fallback;
  }

  // ---- copy buttons ------------------------------------------------------------
  // navigator.clipboard needs a secure context (https or localhost); over
  // plain http on a phone the selection and execCommand fallback still copy.
  function copied(button) {
    var label = button.textContent;
    button.textContent = 'Copied ✓';
    window.setTimeout(function () { button.textContent = label; }, 2000);
  }
  document.querySelectorAll('button[data-copy]').forEach(function (button) {
    button.addEventListener('click', function () {
      var input = document.getElementById(button.getAttribute('data-copy'));
      if (!input) { return; }
      var text = input.value;
      var fallback = function () {
        input.focus();
        input.select();
        input.setSelectionRange(0, text.length);
        try { document.execCommand('copy'); } catch (e) { /* selected: the phone's own copy works */ }
        copied(button);
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(function () { copied(button); }, fallback);
      } else {
        fallback();
      }
    });
  });

  // ---- test message ------------------------------------------------------------
  var testForm = document.getElementById('test-form');
  if (testForm) {
    var result = document.getElementById('test-result');
    testForm.addEventListener('submit', function (ev) {
      ev.preventDefault();
      var button = testForm.querySelector('button[type="submit"]');
      button.disabled = true;
      result.className = 'small';
      result.textContent = 'Sending…';
      call(testForm.getAttribute('action'), testForm).then(function (res) {
        button.disabled = false;
        if (res.ok) {
          result.className = 'small good';
          result.textContent = 'Sent ✓ It should arrive on your phone in a few seconds.';
        } else {
          result.className = 'small alert';
          result.textContent = errorText(res, 'That did not work; try again.');
        }
      }).catch(function () {
        button.disabled = false;
        result.className = 'small alert';
        result.textContent = 'Network trouble: nothing was sent. Try again.';
      });
    });
  }

  // ---- webhook received --------------------------------------------------------
  var seen = document.getElementById('webhook-status');
  if (seen && seen.getAttribute('data-received') !== 'true') {
    var poll = window.setInterval(function () {
      call('/setup/status.json').then(function (res) {
        if (!res.ok || !res.body.webhook_received) { return; }
        window.clearInterval(poll);
        seen.setAttribute('data-received', 'true');
        seen.classList.add('good');
        var at = new Date(res.body.last_webhook_at);
        seen.textContent = 'Webhook received ✓ (' + at.toLocaleString() + ')';
      }, function () { /* offline for a moment: the next tick tries again */ });
    }, 2000);
  }

  // ---- checks (orderdesk doctor) -----------------------------------------------
  var run = document.getElementById('doctor-run');
  var list = document.getElementById('doctor-checks');
  if (run && list) {
    run.addEventListener('click', function () {
      run.disabled = true;
      run.textContent = 'Checking…';
      call('/settings/doctor.json').then(function (res) {
        run.disabled = false;
        run.textContent = 'Run the checks again';
        list.textContent = '';
        if (!res.ok) {
          var li = document.createElement('li');
          li.className = 'check-bad';
          li.textContent = errorText(res, 'The checks could not run.');
          list.appendChild(li);
          return;
        }
        res.body.checks.forEach(function (c) {
          var item = document.createElement('li');
          item.className = c.ok ? 'check-ok' : 'check-bad';
          item.setAttribute('data-check', c.id);
          var mark = document.createElement('span');
          mark.className = 'mark';
          mark.setAttribute('aria-hidden', 'true');
          mark.textContent = c.ok ? '✓' : '✗';
          var name = document.createElement('b');
          name.textContent = c.name;
          item.appendChild(mark);
          item.appendChild(document.createTextNode(' '));
          item.appendChild(name);
          item.appendChild(document.createTextNode(': ' + c.detail));
          list.appendChild(item);
        });
      }, function () {
        run.disabled = false;
        run.textContent = 'Run the checks';
      });
    });
  }
})();
